"""Theme ids: the server generates them, and refuses a client's id whose storage prefixes hold objects.

The attack: an author registers a theme under the id of another author's theme that was published with a
bucket key (objects in the bucket, no registry row), then gets grants for its prefix. Checked against a real
SeaweedFS bucket.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from backend.api.app import create_app
from tests.backend.conftest import storage_settings
from tests.backend.helpers import Actor
from tests.backend.seaweed import SeaweedS3

pytestmark = pytest.mark.anyio


async def _create(api: httpx.AsyncClient, author: Actor, theme_id: str | None) -> httpx.Response:
    body = {"name": "Claimed"} | ({"id": theme_id} if theme_id else {})
    return await api.post("/v1/themes", json=body, headers=author.headers)


@pytest.mark.parametrize(
    "existing",
    [
        "themes-published/{id}/1.0.0/theme.css",
        "themes-published/{id}/latest/theme.css",
        "themes-previews/{id}/1.0.0.png",
        "themes-drafts/{id}/someone/1/theme.css",
        "themes-documentation/{id}/index.html",
    ],
)
async def test_an_id_whose_prefix_holds_objects_is_refused(
    existing: str, api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    theme_id = str(uuid.uuid4())
    key = existing.format(id=theme_id)
    seaweed.client().put_object(Bucket=seaweed.bucket, Key=key, Body=b"published with a bucket key")
    r = await _create(api, actors["author"], theme_id)
    assert (r.status_code, r.json()["error"]) == (409, "theme_id_taken"), r.text
    assert key.rsplit("/", 1)[0].split("/")[0] in r.json()["message"]
    # Nothing was registered, so no grant for that prefix can be had either.
    assert (await api.get(f"/v1/themes/{theme_id}", headers=actors["admin"].headers)).status_code == 404
    grant = {
        "version": "2.0.0",
        "files": [{"path": "theme.css", "content_type": "text/css", "size": 1, "sha256": "0" * 64}],
    }
    r = await api.post(f"/v1/themes/{theme_id}/grants/release", json=grant, headers=actors["author"].headers)
    assert r.status_code == 404


async def test_free_ids_are_accepted_and_missing_ids_generated(
    api: httpx.AsyncClient, actors: dict[str, Actor], seaweed: SeaweedS3
) -> None:
    author = actors["author"]
    free = str(uuid.uuid4())
    # A neighbour's objects do not occupy this id: prefixes end with a slash.
    seaweed.client().put_object(Bucket=seaweed.bucket, Key=f"themes-published/{free}-old/x", Body=b"x")
    r = await _create(api, author, free)
    assert (r.status_code, r.json()["id"]) == (201, free)
    # The registered theme's own id answers theme_exists (the studio's ensure_theme relies on that code),
    # even once its prefix holds its releases.
    seaweed.client().put_object(
        Bucket=seaweed.bucket, Key=f"themes-published/{free}/1.0.0/theme.css", Body=b""
    )
    r = await _create(api, actors["author"], free)
    assert (r.status_code, r.json()["error"]) == (409, "theme_exists")
    generated = [(await _create(api, author, None)).json()["id"] for _ in range(2)]
    assert len({str(uuid.UUID(g)) for g in generated}) == 2


@pytest.fixture
async def api_bad_storage(
    seaweed: SeaweedS3, database_url: str, redis_url: str, redis_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The app holding a wrong bucket secret: every storage call is refused by SeaweedFS."""
    app = create_app(
        storage_settings(seaweed, database_url, redis_url, redis_prefix, secret="not-the-secret")
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            yield http


async def test_an_id_that_cannot_be_checked_is_not_handed_out(
    api_bad_storage: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    theme_id = str(uuid.uuid4())
    r = await _create(api_bad_storage, actors["author"], theme_id)
    assert (r.status_code, r.json()["error"]) == (503, "storage_unavailable")
    # A generated id needs no check: fresh UUIDs own no objects.
    assert (await _create(api_bad_storage, actors["author"], None)).status_code == 201
