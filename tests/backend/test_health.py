"""/metrics content (requests and latency by route template, cache hits/misses, pool gauges) and /readyz."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.backend.helpers import Actor, stage_release, version_body
from tests.backend.seaweed import SeaweedS3

pytestmark = pytest.mark.anyio

THEME_ROUTE = "/v1/themes/{theme_id}"


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_by_route_template_cache_and_pool(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, s3_admin: Any
) -> None:
    client = api
    author = actors["author"]
    theme = (await client.post("/v1/themes", json={"name": "Measured"}, headers=author.headers)).json()["id"]
    stage_release(s3_admin, seaweed.bucket, theme, "1.0.0")
    r = await client.post(f"/v1/themes/{theme}/versions", json=version_body("1.0.0"), headers=author.headers)
    assert r.status_code == 201, r.text
    assert (await client.get(f"/v1/themes/{theme}")).status_code == 200  # miss, then cached
    assert (await client.get(f"/v1/themes/{theme}")).status_code == 200  # hit
    missing = uuid.uuid4()
    assert (await client.get(f"/v1/themes/{missing}")).status_code == 404  # miss
    assert (await client.get("/no/such/route")).status_code == 404

    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    # Labelled by route template, never by id.
    assert theme not in text
    assert str(missing) not in text
    samples = _samples(text)
    requests = "themesystem_http_requests_total"
    assert _value(samples, requests, method="GET", route=THEME_ROUTE, status="200") == 2
    assert _value(samples, requests, method="GET", route=THEME_ROUTE, status="404") == 1
    assert _value(samples, requests, method="POST", route="/v1/themes", status="201") == 1
    assert _value(samples, requests, method="GET", route="unmatched", status="404") == 1

    latency = "themesystem_http_request_duration_seconds"
    assert _value(samples, latency + "_count", method="GET", route=THEME_ROUTE) == 3
    assert _value(samples, latency + "_sum", method="GET", route=THEME_ROUTE) > 0
    assert _value(samples, latency + "_bucket", method="GET", route=THEME_ROUTE, le="+Inf") == 3
    buckets = [
        (float(dict(labels)["le"]), value)
        for (name, labels), value in samples.items()
        if name == latency + "_bucket" and dict(labels).get("route") == THEME_ROUTE
    ]
    assert len(buckets) >= 10
    counts = [value for _, value in sorted(buckets)]
    assert counts == sorted(counts)  # cumulative

    assert _value(samples, "themesystem_cache_hits_total") == 1
    assert _value(samples, "themesystem_cache_misses_total") == 2
    size = _value(samples, "themesystem_db_pool_size")
    available = _value(samples, "themesystem_db_pool_available")
    assert size >= 1
    assert 0 <= available <= size


async def test_readyz_ok_body(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200
    # This app has no SPACES_* settings: storage says so, and that is not a degradation.
    # No SIGNING_KEY: manifests are signed with a key of this process only, and readyz says so.
    assert r.json() == {
        "status": "ok",
        "postgres": "ok",
        "redis": "ok",
        "storage": "unconfigured",
        "signing": "ephemeral",
    }
    assert (await client.get("/healthz")).json() == {"status": "ok"}
