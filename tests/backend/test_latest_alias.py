"""The ``latest`` alias moved by the backend (grant-mode publishers have no bucket key), moved back by yank.

Everything runs against the real app, PostgreSQL and a real SeaweedFS: releases are uploaded through the
grants the API hands out, registered, then the alias is moved with the backend's key.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.api.app import create_app
from tests.backend.conftest import storage_settings
from tests.backend.helpers import Actor, make_actor, sha
from tests.backend.seaweed import SeaweedS3

pytestmark = pytest.mark.anyio

CSS_TYPE = "text/css; charset=utf-8"


def css(version: str) -> bytes:
    return f":root{{--release:'{version}'}}\n".encode()


async def new_theme(api: httpx.AsyncClient, author: Actor) -> str:
    r = await api.post("/v1/themes", json={"name": "Aliased"}, headers=author.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def grant(
    api: httpx.AsyncClient, author: Actor, theme: str, version: str, data: bytes, content_type: str = CSS_TYPE
) -> dict[str, Any]:
    file = {"path": "theme.css", "content_type": content_type, "size": len(data), "sha256": sha(data)}
    r = await api.post(
        f"/v1/themes/{theme}/grants/release",
        json={"version": version, "files": [file]},
        headers=author.headers,
    )
    assert r.status_code == 200, r.text
    [one] = r.json()["grants"]
    return dict(one)


def put(grant: dict[str, Any], data: bytes, **header_changes: str | None) -> httpx.Response:
    """Send ``data`` with the granted headers, some changed (None drops one); httpx sets the length."""
    headers = {k: v for k, v in grant["headers"].items() if k.lower() != "content-length"}
    for name, value in header_changes.items():
        headers.pop(name, None)
        if value is not None:
            headers[name] = value
    return httpx.put(grant["url"], content=data, headers=headers, timeout=10)


async def register(api: httpx.AsyncClient, author: Actor, theme: str, version: str, data: bytes) -> None:
    body = {
        "version": version,
        "sha256": sha(data),
        "size": len(data),
    }
    r = await api.post(f"/v1/themes/{theme}/versions", json=body, headers=author.headers)
    assert r.status_code == 201, r.text


async def release(api: httpx.AsyncClient, author: Actor, theme: str, version: str) -> bytes:
    """Upload through a grant (as a keyless publisher does), then register."""
    data = css(version)
    assert put(await grant(api, author, theme, version, data), data).status_code == 200
    await register(api, author, theme, version, data)
    return data


async def move(api: httpx.AsyncClient, actor: Actor, theme: str, version: str) -> httpx.Response:
    return await api.post(f"/v1/themes/{theme}/versions/{version}/latest", headers=actor.headers)


def alias_key(theme: str) -> str:
    return f"themes-published/{theme}/latest/theme.css"


def head(seaweed: SeaweedS3, key: str) -> dict[str, Any] | None:
    admin = seaweed.client()
    try:
        return dict(admin.head_object(Bucket=seaweed.bucket, Key=key))
    except admin.exceptions.ClientError:
        return None


def public(seaweed: SeaweedS3, key: str) -> httpx.Response:
    return httpx.get(f"{seaweed.endpoint}/{seaweed.bucket}/{key}", timeout=10)


async def test_move_latest_copies_the_release_with_the_alias_headers(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    data = await release(api, author, theme, "1.0.0")  # registering moves latest already
    assert public(seaweed, alias_key(theme)).content == data
    seaweed.client().delete_object(Bucket=seaweed.bucket, Key=alias_key(theme))  # lost, e.g. by hand

    r = await move(api, author, theme, "1.0.0")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["action"], body["version"], body["key"]) == ("moved", "1.0.0", alias_key(theme))
    assert body["url"] == f"{seaweed.endpoint}/{seaweed.bucket}/{alias_key(theme)}"
    stored = head(seaweed, alias_key(theme))
    assert stored is not None
    assert stored["CacheControl"] == "public, max-age=60"
    assert stored["ContentType"] == CSS_TYPE  # as the release was uploaded: grant mode matches key mode
    assert stored["Metadata"] == {"theme-id": theme, "version": "1.0.0", "sha256": sha(data)}
    got = public(seaweed, alias_key(theme))
    assert (got.status_code, got.content) == (200, data)

    again = await move(api, author, theme, "1.0.0")  # idempotent
    assert (again.status_code, again.json()["action"]) == (200, "unchanged")

    newer = await release(api, author, theme, "1.1.0")
    admin = actors["admin"]
    r = await move(api, admin, theme, "1.1.0")  # admins may too
    assert (r.status_code, r.json()["action"], r.json()["version"]) == (200, "unchanged", "1.1.0")
    assert public(seaweed, alias_key(theme)).content == newer
    # Never backwards.
    r = await move(api, author, theme, "1.0.0")
    assert (r.status_code, r.json()["error"]) == (409, "version_not_newest")
    assert "1.1.0" in r.json()["message"]
    assert public(seaweed, alias_key(theme)).content == newer


async def test_move_latest_refusals(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3, database_url: str
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)

    async def refused(version: str, actor: Actor = author) -> tuple[int, str]:
        r = await move(api, actor, theme, version)
        return r.status_code, r.json()["error"]

    assert await refused("1.0.0") == (409, "version_not_registered")
    assert await refused("1.0") == (422, "invalid_version")
    assert await refused("1.0.0; DROP TABLE themes") == (422, "invalid_version")

    # Registered, then the object was deleted with the bucket key.
    await release(api, author, theme, "1.0.0")
    seaweed.client().delete_object(Bucket=seaweed.bucket, Key=f"themes-published/{theme}/1.0.0/theme.css")
    assert await refused("1.0.0") == (409, "object_missing")

    # Registered, but the stored object carries other bytes' sha256 (the bucket key wrote it).
    seaweed.client().put_object(
        Bucket=seaweed.bucket,
        Key=f"themes-published/{theme}/1.0.0/theme.css",
        Body=b"other",
        ContentType="text/css",
        Metadata={"sha256": sha(b"other")},
    )
    assert await refused("1.0.0") == (409, "object_mismatch")
    assert public(seaweed, alias_key(theme)).content == css("1.0.0")  # still the verified bytes

    await release(api, author, theme, "1.1.0")
    r = await api.post(f"/v1/themes/{theme}/versions/1.1.0/yank", headers=author.headers)
    assert r.status_code == 200, r.text
    assert await refused("1.1.0") == (409, "version_yanked")

    stranger = make_actor(database_url, "author")
    for actor in (stranger, actors["reviewer"], actors["user"]):
        assert (await refused("1.1.0", actor))[0] == 403, actor.role
    assert (await api.post(f"/v1/themes/{theme}/versions/1.1.0/latest")).status_code == 401
    missing = "00000000-0000-4000-8000-000000000000"
    r = await api.post(f"/v1/themes/{missing}/versions/1.0.0/latest", headers=author.headers)
    assert r.status_code == 404
    assert public(seaweed, alias_key(theme)).content != b"other"  # never the bytes that were not registered


async def test_yank_moves_latest_back_then_removes_it(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    first = await release(api, author, theme, "1.0.0")
    await release(api, author, theme, "1.1.0")
    await release(api, author, theme, "1.2.0")
    assert (await move(api, author, theme, "1.2.0")).status_code == 200

    async def yank(version: str) -> dict[str, Any]:
        r = await api.post(f"/v1/themes/{theme}/versions/{version}/yank", headers=author.headers)
        assert r.status_code == 200, r.text
        assert r.json()["yanked_at"] is not None
        return dict(r.json()["latest_alias"])

    # Yanking a version latest does not serve leaves the alias alone.
    kept = await yank("1.1.0")
    assert (kept["action"], kept["version"]) == ("kept", "1.2.0")
    # Yanking the one it serves moves it to the newest remaining release (1.1.0 is yanked too).
    moved = await yank("1.2.0")
    assert (moved["action"], moved["version"]) == ("moved", "1.0.0")
    assert public(seaweed, alias_key(theme)).content == first
    stored = head(seaweed, alias_key(theme))
    assert stored is not None
    assert stored["CacheControl"] == "public, max-age=60"
    assert stored["Metadata"]["version"] == "1.0.0"
    # Yanking again is harmless.
    assert (await yank("1.2.0"))["action"] == "kept"
    # The last live release: the alias goes.
    removed = await yank("1.0.0")
    assert (removed["action"], removed["version"]) == ("removed", None)
    assert head(seaweed, alias_key(theme)) is None
    assert public(seaweed, alias_key(theme)).status_code == 404
    r = await move(api, author, theme, "1.2.0")
    assert (r.status_code, r.json()["error"]) == (409, "version_yanked")


async def test_storage_failures_are_503_and_the_yank_still_stands(
    actors: dict[str, Actor],
    seaweed: SeaweedS3,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    await release(api, author, theme, "1.0.0")
    assert (await move(api, author, theme, "1.0.0")).status_code == 200

    # No object storage configured: 503 with a clear code; a yank works and says nothing about latest.
    r = await client.post(f"/v1/themes/{theme}/versions/1.0.0/latest", headers=author.headers)
    assert (r.status_code, r.json()["error"]) == (503, "storage_unconfigured")

    # A store that refuses the backend's key (wrong secret): 503, nothing moved, no secret in the body.
    settings = storage_settings(seaweed, database_url, redis_url, redis_prefix, secret="not-the-secret")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as broken:
            r = await broken.post(f"/v1/themes/{theme}/versions/1.0.0/latest", headers=author.headers)
            assert (r.status_code, r.json()["error"]) == (503, "storage_unavailable")
            assert "not-the-secret" not in r.text
            assert seaweed.access_key not in r.text
            r = await broken.post(f"/v1/themes/{theme}/versions/1.0.0/yank", headers=author.headers)
            assert r.status_code == 200, r.text
            assert r.json()["yanked_at"] is not None
            assert r.json()["latest_alias"]["action"] == "failed"
            assert "again" in r.json()["latest_alias"]["message"]
    assert public(seaweed, alias_key(theme)).status_code == 200  # still served: the store refused us

    # Yanking again with a working store finishes the job.
    r = await api.post(f"/v1/themes/{theme}/versions/1.0.0/yank", headers=author.headers)
    assert r.json()["latest_alias"]["action"] == "removed"
    assert head(seaweed, alias_key(theme)) is None


async def test_yank_without_storage_reports_no_alias(
    api: httpx.AsyncClient, client: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    """A release registered by an instance with storage, yanked through one without (same database)."""
    author = actors["author"]
    theme = await new_theme(api, author)
    await release(api, author, theme, "1.0.0")
    r = await client.post(f"/v1/themes/{theme}/versions/1.0.0/yank", headers=author.headers)
    assert r.status_code == 200, r.text
    assert r.json()["latest_alias"] is None


async def test_release_grants_never_overwrite_a_published_object(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    """Two keyless publishers of one unregistered version: the first PUT wins, the second gets 412."""
    author = actors["author"]
    theme = await new_theme(api, author)
    key = f"themes-published/{theme}/1.0.0/theme.css"
    mine, theirs = css("1.0.0"), css("1.0.0").replace(b"1.0.0", b"other")
    first = await grant(api, author, theme, "1.0.0", mine)
    second = await grant(api, author, theme, "1.0.0", theirs)  # still unregistered: granted too
    assert first["headers"]["If-None-Match"] == "*"
    assert put(first, mine, **{"If-None-Match": None}).status_code == 403  # the header is signed
    assert put(first, mine).status_code == 200
    assert put(second, theirs).status_code == 412
    assert (
        put(first, mine).status_code == 412
    )  # a retry of the winner: 412, the publisher then compares sha256
    assert public(seaweed, key).content == mine


async def test_grants_take_a_charset_and_sign_one_spelling(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    author = actors["author"]
    theme = await new_theme(api, author)
    data = css("1.0.0")
    granted = await grant(api, author, theme, "1.0.0", data, content_type='Text/CSS;Charset="UTF-8"')
    assert granted["content_type"] == CSS_TYPE
    assert granted["headers"]["Content-Type"] == CSS_TYPE
    assert put(granted, data, **{"Content-Type": "text/css"}).status_code == 403  # exactly the signed one
    assert put(granted, data).status_code == 200
    stored = head(seaweed, f"themes-published/{theme}/1.0.0/theme.css")
    assert stored is not None
    assert stored["ContentType"] == CSS_TYPE

    url = f"/v1/themes/{theme}/grants/release"
    for content_type in ("text/css; charset=latin-1", "text/css; foo=bar", "text/css; charset=utf-8; x=y"):
        file = {"path": "theme.css", "content_type": content_type, "size": len(data), "sha256": sha(data)}
        r = await api.post(url, json={"version": "1.1.0", "files": [file]}, headers=author.headers)
        assert (r.status_code, r.json()["error"]) == (422, "bad_content_type"), content_type
    file = {"path": "theme.css", "content_type": "text/css;", "size": len(data), "sha256": sha(data)}
    r = await api.post(url, json={"version": "1.1.0", "files": [file]}, headers=author.headers)
    assert r.status_code == 422

    # Drafts: text/css by default (as before), the charset spelling on request.
    r = await api.post(
        f"/v1/themes/{theme}/drafts", json={"sha256": sha(data), "size": len(data)}, headers=author.headers
    )
    draft = r.json()
    r = await api.post(f"/v1/drafts/{draft['id']}/grant", headers=author.headers)
    assert r.json()["grants"][0]["content_type"] == "text/css"
    r = await api.post(
        f"/v1/drafts/{draft['id']}/grant",
        json={"content_type": "text/css;charset=utf-8"},
        headers=author.headers,
    )
    [draft_grant] = r.json()["grants"]
    assert draft_grant["headers"]["Content-Type"] == CSS_TYPE
    assert put(draft_grant, data).status_code == 200
    r = await api.post(
        f"/v1/drafts/{draft['id']}/grant", json={"content_type": "image/png"}, headers=author.headers
    )
    assert (r.status_code, r.json()["error"]) == (422, "bad_content_type")
