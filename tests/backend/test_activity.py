"""Favourites/installs, batched analytics ingest, daily rollups, popular themes (Redis and fallback)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.backend.helpers import Actor

pytestmark = pytest.mark.anyio


async def _theme(client: httpx.AsyncClient, author: Actor) -> str:
    r = await client.post("/v1/themes", json={"name": "Counted"}, headers=author.headers)
    return str(r.json()["id"])


async def test_favourites_and_installs(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    theme_id = await _theme(client, actors["author"])
    h = actors["user"].headers
    assert (await client.put(f"/v1/me/themes/{theme_id}/favorite", headers=h)).status_code == 204
    assert (
        await client.put(f"/v1/me/themes/{theme_id}/favorite", headers=h)
    ).status_code == 204  # idempotent
    assert (await client.put(f"/v1/me/themes/{theme_id}/installed", headers=h)).status_code == 204
    rows = (await client.get("/v1/me/themes", headers=h)).json()
    assert sorted(r["relation"] for r in rows) == ["favorite", "installed"]
    only = (await client.get("/v1/me/themes", params={"relation": "favorite"}, headers=h)).json()
    assert [r["relation"] for r in only] == ["favorite"]
    assert (await client.delete(f"/v1/me/themes/{theme_id}/favorite", headers=h)).status_code == 204
    assert (await client.delete(f"/v1/me/themes/{theme_id}/favorite", headers=h)).status_code == 404
    assert (await client.put(f"/v1/me/themes/{uuid.uuid4()}/favorite", headers=h)).status_code == 404
    assert (await client.put(f"/v1/me/themes/{theme_id}/created", headers=h)).status_code == 422
    created = (
        await client.get("/v1/me/themes", params={"relation": "created"}, headers=actors["author"].headers)
    ).json()
    assert theme_id in [r["theme_id"] for r in created]


async def test_ingest_rollup_and_popular(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    author = actors["author"]
    hot, cold = await _theme(client, author), await _theme(client, author)
    events = (
        [{"theme_id": hot, "event_type": "download", "client_info": {"app": "x"}}] * 30
        + [{"theme_id": hot, "event_type": "view"}] * 5
        + [{"theme_id": cold, "event_type": "install"}] * 2
        + [{"theme_id": str(uuid.uuid4()), "event_type": "view"}]
    )
    r = await client.post("/v1/analytics/events", json={"events": events}, headers=actors["user"].headers)
    assert r.json() == {"accepted": 37, "dropped": 1}
    days = (await client.get(f"/v1/themes/{hot}/analytics/daily", headers=author.headers)).json()
    assert len(days) == 1
    assert (days[0]["views"], days[0]["downloads"], days[0]["installs"]) == (5, 30, 0)
    assert (
        await client.get(f"/v1/themes/{hot}/analytics/daily", headers=actors["user"].headers)
    ).status_code == 403
    popular = (await client.get("/v1/analytics/popular", params={"limit": 100})).json()
    assert popular["source"] == "redis"
    scores = {item["theme_id"]: item["score"] for item in popular["items"]}
    assert (scores[hot], scores[cold]) == (30.0, 2.0)
    cache = client.app.state.services.cache  # type: ignore[attr-defined]
    assert await cache.client.zscore(cache.key("popular:themes"), hot) == 30.0


async def test_batch_cap_and_bad_events(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    h = actors["user"].headers
    theme_id = await _theme(client, actors["author"])
    cap = client.app.state.services.settings.max_event_batch  # type: ignore[attr-defined]
    too_many = [{"theme_id": theme_id, "event_type": "view"}] * (cap + 1)
    assert (
        await client.post("/v1/analytics/events", json={"events": too_many}, headers=h)
    ).status_code == 422
    bad = [{"theme_id": theme_id, "event_type": "purchase"}]
    assert (await client.post("/v1/analytics/events", json={"events": bad}, headers=h)).status_code == 422
    assert (await client.post("/v1/analytics/events", json={"events": []}, headers=h)).status_code == 422
