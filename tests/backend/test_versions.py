"""Versions: semver, strictly increasing, immutable with a safe retry, yank."""

from __future__ import annotations

import httpx
import pytest

from tests.backend.helpers import Actor, version_body

pytestmark = pytest.mark.anyio


@pytest.fixture
async def theme_id(client: httpx.AsyncClient, actors: dict[str, Actor]) -> str:
    r = await client.post("/v1/themes", json={"name": "Versions"}, headers=actors["author"].headers)
    return str(r.json()["id"])


async def test_register_retry_and_conflict(
    client: httpx.AsyncClient, actors: dict[str, Actor], theme_id: str
) -> None:
    h = actors["author"].headers
    url = f"/v1/themes/{theme_id}/versions"
    first = await client.post(url, json=version_body("1.0.0", b"a", theme_id), headers=h)
    assert first.status_code == 201
    again = await client.post(url, json=version_body("1.0.0", b"a", theme_id), headers=h)
    assert again.status_code == 200
    assert again.json() == first.json()
    other = await client.post(url, json=version_body("1.0.0", b"b", theme_id), headers=h)
    assert other.status_code == 409
    assert other.json()["error"] == "version_exists"
    lower = await client.post(url, json=version_body("0.9.0", b"c", theme_id), headers=h)
    assert lower.status_code == 409
    assert lower.json()["error"] == "version_not_greater"
    pre = await client.post(url, json=version_body("1.0.1-rc.1", b"d", theme_id), headers=h)
    assert pre.status_code == 201
    theme = (await client.get(f"/v1/themes/{theme_id}")).json()
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
        {"css_url": "javascript:alert(1)"},
        {"extra": 1},
    ],
)
async def test_invalid_bodies_are_422(
    client: httpx.AsyncClient, actors: dict[str, Actor], theme_id: str, patch: dict[str, object]
) -> None:
    body = {**version_body("1.0.0", theme_id=theme_id), **patch}
    r = await client.post(f"/v1/themes/{theme_id}/versions", json=body, headers=actors["author"].headers)
    assert r.status_code == 422


async def test_yank_hides_from_available_versions(
    client: httpx.AsyncClient, actors: dict[str, Actor], theme_id: str
) -> None:
    h = actors["author"].headers
    for v in ("1.0.0", "1.1.0"):
        assert (
            await client.post(
                f"/v1/themes/{theme_id}/versions", json=version_body(v, v.encode(), theme_id), headers=h
            )
        ).status_code == 201
    assert (await client.get(f"/v1/themes/{theme_id}")).json()["available_versions"] == ["1.1.0", "1.0.0"]
    r = await client.post(f"/v1/themes/{theme_id}/versions/1.1.0/yank", headers=h)
    assert r.status_code == 200
    assert r.json()["yanked_at"] is not None
    theme = (await client.get(f"/v1/themes/{theme_id}")).json()
    assert theme["available_versions"] == ["1.0.0"]
    assert theme["version"] == "1.0.0"
    # a yanked number stays taken
    again = await client.post(
        f"/v1/themes/{theme_id}/versions", json=version_body("1.1.0", b"z", theme_id), headers=h
    )
    assert again.status_code == 409
    listed = (await client.get(f"/v1/themes/{theme_id}/versions")).json()
    assert [v["version"] for v in listed] == ["1.1.0", "1.0.0"]
    assert (await client.post(f"/v1/themes/{theme_id}/versions/9.9.9/yank", headers=h)).status_code == 404
