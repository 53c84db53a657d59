"""Versions: semver, strictly increasing, immutable with a safe retry, yank; registration needs storage."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.backend.helpers import Actor, stage_release, version_body
from tests.backend.seaweed import SeaweedS3

pytestmark = pytest.mark.anyio


@pytest.fixture
async def theme_id(api: httpx.AsyncClient, actors: dict[str, Actor]) -> str:
    r = await api.post("/v1/themes", json={"name": "Versions"}, headers=actors["author"].headers)
    return str(r.json()["id"])


async def test_register_retry_and_conflict(
    api: httpx.AsyncClient, actors: dict[str, Actor], theme_id: str, seaweed: SeaweedS3, s3_admin: Any
) -> None:
    h = actors["author"].headers
    url = f"/v1/themes/{theme_id}/versions"
    stage_release(s3_admin, seaweed.bucket, theme_id, "1.0.0", b"a{color:red}")
    first = await api.post(url, json=version_body("1.0.0", b"a{color:red}"), headers=h)
    assert first.status_code == 201, first.text
    record = first.json()
    assert (
        record["css_url"]
        == f"{seaweed.endpoint}/{seaweed.bucket}/themes-published/{theme_id}/1.0.0/theme.css"
    )
    assert record["sri"].startswith("sha384-")
    assert record["manifest_key"] == f"themes-published/{theme_id}/1.0.0/manifest.json"
    assert record["latest_alias"]["action"] == "moved"
    again = await api.post(url, json=version_body("1.0.0", b"a{color:red}"), headers=h)
    assert again.status_code == 200
    assert {k: v for k, v in again.json().items() if k != "latest_alias"} == {
        k: v for k, v in record.items() if k != "latest_alias"
    }
    assert again.json()["latest_alias"]["action"] == "unchanged"
    other = await api.post(url, json=version_body("1.0.0", b"b"), headers=h)
    assert other.status_code == 409
    assert other.json()["error"] == "version_exists"
    lower = await api.post(url, json=version_body("0.9.0", b"c"), headers=h)
    assert lower.status_code == 409
    assert lower.json()["error"] == "version_not_greater"
    stage_release(s3_admin, seaweed.bucket, theme_id, "1.0.1-rc.1", b"d{color:blue}")
    pre = await api.post(url, json=version_body("1.0.1-rc.1", b"d{color:blue}"), headers=h)
    assert pre.status_code == 201, pre.text
    theme = (await api.get(f"/v1/themes/{theme_id}")).json()
    assert (theme["version"], theme["published"]) == ("1.0.1-rc.1", True)
    assert theme["css_url"].endswith("/1.0.1-rc.1/theme.css")


@pytest.mark.parametrize(
    "patch",
    [
        {"version": "1.0"},
        {"version": "v1.0.0"},
        {"version": "01.0.0"},
        {"sha256": "A" * 64},
        {"size": -1},
        {"css_url": "https://evil.example/x.css"},  # clients send no URL: an extra field
        {"draft_id": "not-a-uuid"},
        {"extra": 1},
    ],
)
async def test_invalid_bodies_are_422(
    api: httpx.AsyncClient, actors: dict[str, Actor], theme_id: str, patch: dict[str, object]
) -> None:
    body = {**version_body("1.0.0"), **patch}
    r = await api.post(f"/v1/themes/{theme_id}/versions", json=body, headers=actors["author"].headers)
    assert (r.status_code, r.json()["error"]) == (422, "validation_error")
    assert (await api.get(f"/v1/themes/{theme_id}/versions", headers=actors["author"].headers)).json() == []


async def test_registration_needs_storage(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    """Without object storage the server cannot verify, so it registers nothing."""
    h = actors["author"].headers
    theme = (await client.post("/v1/themes", json={"name": "No storage"}, headers=h)).json()["id"]
    r = await client.post(f"/v1/themes/{theme}/versions", json=version_body("1.0.0"), headers=h)
    assert (r.status_code, r.json()["error"]) == (503, "storage_unconfigured")
    assert (await client.get(f"/v1/themes/{theme}/versions", headers=h)).json() == []


async def test_yank_hides_from_available_versions(
    api: httpx.AsyncClient, actors: dict[str, Actor], theme_id: str, seaweed: SeaweedS3, s3_admin: Any
) -> None:
    h = actors["author"].headers
    for v in ("1.0.0", "1.1.0"):
        data = f"a{{--v:'{v}'}}".encode()
        stage_release(s3_admin, seaweed.bucket, theme_id, v, data)
        r = await api.post(f"/v1/themes/{theme_id}/versions", json=version_body(v, data), headers=h)
        assert r.status_code == 201, r.text
    assert (await api.get(f"/v1/themes/{theme_id}")).json()["available_versions"] == ["1.1.0", "1.0.0"]
    r = await api.post(f"/v1/themes/{theme_id}/versions/1.1.0/yank", headers=h)
    assert r.status_code == 200
    assert r.json()["yanked_at"] is not None
    theme = (await api.get(f"/v1/themes/{theme_id}")).json()
    assert theme["available_versions"] == ["1.0.0"]
    assert theme["version"] == "1.0.0"
    # a yanked number stays taken
    again = await api.post(f"/v1/themes/{theme_id}/versions", json=version_body("1.1.0", b"z"), headers=h)
    assert again.status_code == 409
    listed = (await api.get(f"/v1/themes/{theme_id}/versions")).json()
    assert [v["version"] for v in listed] == ["1.1.0", "1.0.0"]
    assert (await api.post(f"/v1/themes/{theme_id}/versions/9.9.9/yank", headers=h)).status_code == 404
