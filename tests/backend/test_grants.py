"""Upload and download grants end to end: the API signs, a real SeaweedFS enforces.

The app holds the SeaweedFS admin identity as its SPACES_* key (as the backend holds the bucket key in
production); clients only ever see the presigned URLs and headers the API hands out.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.backend.helpers import Actor, sha
from tests.backend.seaweed import SeaweedS3

pytestmark = pytest.mark.anyio

CSS = b":root{--brand:#0af;--radius:4px}\n"


async def _theme(api: httpx.AsyncClient, author: Actor) -> str:
    r = await api.post("/v1/themes", json={"name": "Granted"}, headers=author.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _release_request(version: str, data: bytes = CSS) -> dict[str, Any]:
    file = {"path": "theme.css", "content_type": "text/css", "size": len(data), "sha256": sha(data)}
    return {"version": version, "files": [file]}


def _put(grant: dict[str, Any], data: bytes, **header_changes: str | None) -> httpx.Response:
    """Send ``data`` as the grant says, with some headers changed (None drops one; httpx sets the length)."""
    headers = {k: v for k, v in grant["headers"].items() if k.lower() != "content-length"}
    for name, value in header_changes.items():
        headers.pop(name, None)
        if value is not None:
            headers[name] = value
    return httpx.put(grant["url"], content=data, headers=headers, timeout=10)


def _stored(seaweed: SeaweedS3, key: str) -> bytes | None:
    admin = seaweed.client()
    try:
        body: bytes = admin.get_object(Bucket=seaweed.bucket, Key=key)["Body"].read()
    except admin.exceptions.NoSuchKey:
        return None
    return body


async def test_release_grant_uploads_exactly_the_granted_object(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    author = actors["author"]
    theme = await _theme(api, author)
    url = f"/v1/themes/{theme}/grants/release"
    r = await api.post(url, json=_release_request("1.0.0"), headers=author.headers)
    assert r.status_code == 200, r.text
    [grant] = r.json()["grants"]
    key = f"themes-published/{theme}/1.0.0/theme.css"
    assert (grant["key"], grant["method"], grant["content_type"]) == (key, "PUT", "text/css")
    assert seaweed.secret_key not in r.text

    # Refused by the storage: another key, a bigger body, another content type, other bytes of the same size.
    other_key = grant | {"url": grant["url"].replace("/theme.css?", "/evil.css?")}
    assert "/evil.css?" in other_key["url"]
    assert _put(other_key, CSS).status_code == 403
    assert _put(grant, CSS + b"/* more */").status_code == 403
    assert _put(grant, CSS, **{"Content-Type": "text/html"}).status_code == 403
    same_size = CSS.replace(b"#0af", b"#f00")
    assert len(same_size) == len(CSS)
    assert _put(grant, same_size).status_code == 400  # BadDigest: the grant binds the sha256
    assert _stored(seaweed, key) is None
    assert _stored(seaweed, f"themes-published/{theme}/1.0.0/evil.css") is None

    assert _put(grant, CSS).status_code == 200
    assert _stored(seaweed, key) == CSS
    head = seaweed.client().head_object(Bucket=seaweed.bucket, Key=key)
    assert head["ContentType"] == "text/css"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert head["Metadata"]["theme-id"] == theme


async def test_release_grant_is_for_the_author_only(
    api: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    from tests.backend.helpers import make_actor

    author = actors["author"]
    theme = await _theme(api, author)
    url = f"/v1/themes/{theme}/grants/release"
    body = _release_request("1.0.0")
    stranger = make_actor(database_url, "author")
    for actor in (stranger, actors["admin"], actors["reviewer"], actors["user"]):
        assert (await api.post(url, json=body, headers=actor.headers)).status_code == 403, actor.role
    assert (await api.post(url, json=body)).status_code == 401
    big = {"path": "theme.css", "content_type": "text/css", "size": 5 * 1_048_576 + 1, "sha256": sha(b"")}
    r = await api.post(url, json={"version": "1.0.0", "files": [big]}, headers=author.headers)
    assert (r.status_code, r.json()["error"]) == (422, "file_too_large")


async def test_draft_upload_then_reviewer_download(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    author, reviewer = actors["author"], actors["reviewer"]
    theme = await _theme(api, author)
    r = await api.post(
        f"/v1/themes/{theme}/drafts", json={"sha256": sha(CSS), "size": len(CSS)}, headers=author.headers
    )
    assert r.status_code == 201, r.text
    draft = r.json()
    r = await api.post(f"/v1/drafts/{draft['id']}/grant", headers=author.headers)
    assert r.status_code == 200, r.text
    [grant] = r.json()["grants"]
    assert grant["key"] == draft["object_key"]
    assert _put(grant, CSS, **{"Content-Type": "image/png"}).status_code == 403
    assert _put(grant, CSS).status_code == 200
    # Drafts are private: no anonymous read.
    anonymous = httpx.get(f"{seaweed.endpoint}/{seaweed.bucket}/{draft['object_key']}", timeout=10)
    assert anonymous.status_code == 403

    assert (await api.post(f"/v1/drafts/{draft['id']}/submit", headers=author.headers)).status_code == 200
    r = await api.get(f"/v1/drafts/{draft['id']}/grant", headers=reviewer.headers)
    assert r.status_code == 200, r.text
    download = r.json()
    assert download["key"] == draft["object_key"]
    got = httpx.get(download["url"], timeout=10)
    assert (got.status_code, got.content) == (200, CSS)
    tampered = download["url"].replace("/theme.css?", "/other.css?")
    assert httpx.get(tampered, timeout=10).status_code == 403

    for actor in (author, actors["user"]):
        r = await api.get(f"/v1/drafts/{draft['id']}/grant", headers=actor.headers)
        assert (r.status_code, r.json()["error"]) == (403, "forbidden"), actor.role
    assert (await api.get(f"/v1/drafts/{draft['id']}/grant")).status_code == 401
    # Once submitted, the author can no longer upload over the draft under review.
    assert (await api.post(f"/v1/drafts/{draft['id']}/grant", headers=author.headers)).status_code == 409


async def test_readyz_all_ok_with_storage(api: httpx.AsyncClient) -> None:
    r = await api.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "postgres": "ok", "redis": "ok", "storage": "ok"}


async def test_reviewers_download_only_submitted_drafts(
    api: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    from tests.backend.helpers import make_actor

    author, reviewer = actors["author"], actors["reviewer"]
    theme = await _theme(api, author)

    async def draft() -> str:
        body = {"sha256": sha(CSS), "size": len(CSS)}
        r = await api.post(f"/v1/themes/{theme}/drafts", json=body, headers=author.headers)
        assert r.status_code == 201, r.text
        grant = (await api.post(f"/v1/drafts/{r.json()['id']}/grant", headers=author.headers)).json()
        assert _put(grant["grants"][0], CSS).status_code == 200
        return str(r.json()["id"])

    async def download(draft_id: str, actor: Actor) -> httpx.Response:
        return await api.get(f"/v1/drafts/{draft_id}/grant", headers=actor.headers)

    # Work in progress: no reviewer (nor admin) reads it before the author submits.
    pending = await draft()
    for actor in (reviewer, actors["admin"]):
        r = await download(pending, actor)
        assert (r.status_code, r.json()["error"]) == (409, "draft_not_submitted"), actor.role
        assert "url" not in r.json()

    # Submitted, then decided either way: still readable (the bytes froze at submission).
    second_reviewer = make_actor(database_url, "reviewer")
    for decision in ("approve", "request_changes"):
        draft_id = await draft()
        assert (await api.post(f"/v1/drafts/{draft_id}/submit", headers=author.headers)).status_code == 200
        assert (await download(draft_id, reviewer)).status_code == 200
        review = {"decision": decision, "comment": "looked at it"}
        r = await api.post(f"/v1/drafts/{draft_id}/review", json=review, headers=reviewer.headers)
        assert r.status_code == 200, r.text
        r = await download(draft_id, second_reviewer)
        assert r.status_code == 200, (decision, r.text)
        got = httpx.get(r.json()["url"], timeout=10)
        assert (got.status_code, got.content) == (200, CSS)
