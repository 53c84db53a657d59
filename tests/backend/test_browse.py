"""Browse's list API on 1,000 seeded themes: every sort order paged to the end, tags, search, favourites,
counters kept by the triggers, cursors bound to their order, and the preview URL of a real release.

The module has its own database (the seed must not change what other modules list).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import psycopg
import pytest

from backend.api.app import create_app
from backend.migrations import upgrade
from benchmarks.catalogue_seed import Catalogue, seed_catalogue
from tests.backend.conftest import storage_settings
from tests.backend.helpers import (
    CSS_TYPE,
    Actor,
    ServerInfo,
    create_database,
    drop_database,
    make_actor,
    sha,
    version_body,
)
from tests.backend.seaweed import SeaweedS3

pytestmark = pytest.mark.anyio

THEMES = 1_000
SORTS = ("updated", "new", "popular", "installs")
# The order each sort promises, as SQL over the source tables (not the counters): the test's own truth.
_KEY_SQL = {
    "updated": "t.updated_at",
    "new": "t.created_at",
    "popular": "(SELECT count(*) FROM theme_analytics a WHERE a.theme_id = t.id "
    "AND a.event_type IN ('download', 'install'))",
    "installs": "(SELECT count(*) FROM theme_analytics a WHERE a.theme_id = t.id "
    "AND a.event_type = 'install')",
}


@pytest.fixture(scope="module")
def database_url(pg_server: ServerInfo) -> Iterator[str]:
    dsn = create_database(pg_server, "ts_browse")
    upgrade(dsn)
    yield dsn
    drop_database(pg_server, dsn)


@pytest.fixture(scope="module")
def catalogue(database_url: str) -> Catalogue:
    author = make_actor(database_url, "author")
    return seed_catalogue(
        database_url, author.user_id, themes=THEMES, events=20_000, users=40, tags=30, rng=random.Random(3)
    )


@pytest.fixture
async def client(
    seaweed: SeaweedS3, database_url: str, redis_url: str, redis_prefix: str, catalogue: Catalogue
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(storage_settings(seaweed, database_url, redis_url, redis_prefix))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as http:
        yield http


def _expected(dsn: str, sort: str, where: str = "", params: tuple[Any, ...] = ()) -> list[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            f"SELECT t.id FROM themes t WHERE t.published {where} ORDER BY {_KEY_SQL[sort]} DESC, t.id DESC",
            params,
        ).fetchall()
    return [str(row[0]) for row in rows]


async def _walk(
    client: httpx.AsyncClient, params: dict[str, str], headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(200):
        query = dict(params) | ({"cursor": cursor} if cursor else {})
        r = await client.get("/v1/themes", params=query, headers=headers or {})
        assert r.status_code == 200, r.text
        page = r.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the listing never ended")


@pytest.mark.parametrize("sort", SORTS)
async def test_each_sort_pages_through_every_published_theme_in_order(
    client: httpx.AsyncClient, database_url: str, sort: str
) -> None:
    items = await _walk(client, {"sort": sort, "limit": "100"})
    got = [item["id"] for item in items]
    assert len(got) > 800  # ~90 % of 1,000 are published: paged well past the first page
    assert got == _expected(database_url, sort)


@pytest.mark.parametrize("sort", SORTS)
async def test_each_sort_by_tag(
    client: httpx.AsyncClient, database_url: str, catalogue: Catalogue, sort: str
) -> None:
    for tag in (catalogue.tags[0], catalogue.tags[7], catalogue.tags[-1]):
        items = await _walk(client, {"sort": sort, "tag": tag, "limit": "7"})
        assert [item["id"] for item in items] == _expected(database_url, sort, "AND %s = ANY(t.tags)", (tag,))
        assert all(tag in item["tags"] for item in items)


async def test_search_with_sort(client: httpx.AsyncClient, database_url: str) -> None:
    items = await _walk(client, {"q": "ember", "sort": "popular", "limit": "25"})
    expected = _expected(
        database_url,
        "popular",
        "AND to_tsvector('simple', t.name || ' ' || t.description) @@ plainto_tsquery('simple', %s)",
        ("ember",),
    )
    assert len(expected) > 25
    assert [item["id"] for item in items] == expected
    assert all("ember" in (item["name"] + item["description"]).lower() for item in items)


async def test_items_carry_counts_latest_version_and_no_preview_without_one(
    client: httpx.AsyncClient, database_url: str
) -> None:
    r = await client.get("/v1/themes", params={"sort": "popular", "limit": "10"})
    items = r.json()["items"]
    with psycopg.connect(database_url) as conn:
        for item in items:
            counts = dict(
                conn.execute(
                    "SELECT event_type, count(*) FROM theme_analytics WHERE theme_id = %s GROUP BY 1",
                    (item["id"],),
                ).fetchall()
            )
            row = conn.execute(
                "SELECT count(*) FROM user_themes WHERE theme_id = %s AND relation = 'favorite'",
                (item["id"],),
            ).fetchone()
            assert row is not None
            assert item["counts"] == {
                "views": counts.get("view", 0),
                "downloads": counts.get("download", 0),
                "installs": counts.get("install", 0),
                "favourites": row[0],
            }
            assert item["latest_version"] == item["version"] == "1.0.0"
            assert item["preview_url"] is None  # the seeded releases have no signed manifest, no preview
    assert items[0]["counts"]["downloads"] + items[0]["counts"]["installs"] > 0


async def test_cursor_belongs_to_its_sort_order(client: httpx.AsyncClient) -> None:
    first = (await client.get("/v1/themes", params={"sort": "popular", "limit": "5"})).json()
    r = await client.get("/v1/themes", params={"sort": "new", "cursor": first["next_cursor"]})
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_cursor"
    r = await client.get("/v1/themes", params={"sort": "updated", "cursor": first["next_cursor"]})
    assert r.status_code == 422
    r = await client.get("/v1/themes", params={"sort": "trending"})
    assert r.status_code == 422


async def test_favourites_filter_needs_a_token_and_lists_only_mine(
    client: httpx.AsyncClient, database_url: str, catalogue: Catalogue
) -> None:
    r = await client.get("/v1/themes", params={"favourites": "true"})
    assert r.status_code == 401
    user = make_actor(database_url, "user")
    mine = sorted(catalogue.published, key=str)[:7]
    for tid in mine:
        r = await client.put(f"/v1/me/themes/{tid}/favorite", headers=user.headers)
        assert r.status_code == 204
    for sort in SORTS:
        items = await _walk(client, {"favourites": "true", "sort": sort, "limit": "3"}, user.headers)
        ids = [item["id"] for item in items]
        assert sorted(ids) == sorted(str(t) for t in mine)
        expected = _expected(database_url, sort, "AND t.id = ANY(%s)", (mine,))
        assert ids == expected
    # favourites combine with a tag and text
    tagged = await _walk(client, {"favourites": "true", "tag": catalogue.tags[0], "limit": "3"}, user.headers)
    assert {i["id"] for i in tagged} <= {str(t) for t in mine}
    assert all(catalogue.tags[0] in i["tags"] for i in tagged)


async def test_counters_follow_events_and_favourites(
    client: httpx.AsyncClient, database_url: str, catalogue: Catalogue
) -> None:
    tid = sorted(catalogue.published, key=str)[-1]
    user = make_actor(database_url, "user")

    async def counts() -> dict[str, int]:
        r = await client.get(f"/v1/themes/{tid}")
        tag = r.json()["tags"][0]
        items = await _walk(client, {"tag": tag, "sort": "installs", "limit": "100"})
        [item] = [i for i in items if i["id"] == str(tid)]
        return dict(item["counts"])

    before = await counts()
    events = [{"theme_id": str(tid), "event_type": kind} for kind in ("view", "download", "install")]
    r = await client.post("/v1/analytics/events", json={"events": events}, headers=user.headers)
    assert r.status_code == 200
    assert r.json()["accepted"] == 3
    r = await client.put(f"/v1/me/themes/{tid}/favorite", headers=user.headers)
    after = await counts()
    assert after == {k: v + 1 for k, v in before.items()}
    # the tag rows carry the new counts: the per-tag installs order is still exact
    items = await _walk(client, {"tag": catalogue.tags[0], "sort": "installs", "limit": "50"})
    assert [i["id"] for i in items] == _expected(
        database_url, "installs", "AND %s = ANY(t.tags)", (catalogue.tags[0],)
    )
    r = await client.delete(f"/v1/me/themes/{tid}/favorite", headers=user.headers)
    assert r.status_code == 204
    assert (await counts())["favourites"] == before["favourites"]


async def test_unpublishing_leaves_every_order(
    client: httpx.AsyncClient, database_url: str, catalogue: Catalogue
) -> None:
    author = make_actor(database_url, "author")
    r = await client.post("/v1/themes", json={"name": "Ephemeral", "tags": ["tag0"]}, headers=author.headers)
    tid = r.json()["id"]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO theme_versions (theme_id, version, sha256, size, css_url) "
            "VALUES (%s, '1.0.0', %s, 1, 'x')",
            (tid, "0" * 64),
        )
        conn.execute("UPDATE themes SET published = true, version = '1.0.0' WHERE id = %s", (tid,))
    for sort in SORTS:
        assert tid in {i["id"] for i in await _walk(client, {"sort": sort, "limit": "100"})}
        assert tid in {i["id"] for i in await _walk(client, {"sort": sort, "tag": "tag0", "limit": "100"})}
    r = await client.patch(f"/v1/themes/{tid}", json={"published": False}, headers=author.headers)
    assert r.status_code == 200
    for sort in SORTS:
        assert tid not in {i["id"] for i in await _walk(client, {"sort": sort, "limit": "100"})}
        assert tid not in {
            i["id"] for i in await _walk(client, {"sort": sort, "tag": "tag0", "limit": "100"})
        }


async def test_preview_url_of_a_release_with_a_preview(
    client: httpx.AsyncClient, database_url: str, seaweed: SeaweedS3
) -> None:
    author = make_actor(database_url, "author")
    tag = f"pv{uuid.uuid4().hex[:8]}"
    r = await client.post("/v1/themes", json={"name": "Pictured", "tags": [tag]}, headers=author.headers)
    tid = r.json()["id"]
    await _release(client, author, tid, "1.0.0", with_preview=True)
    [item] = (await client.get("/v1/themes", params={"tag": tag})).json()["items"]
    assert item["preview_url"] == f"{seaweed.endpoint}/{seaweed.bucket}/themes-previews/{tid}/1.0.0.png"
    async with httpx.AsyncClient() as http:
        got = await http.get(item["preview_url"])
    assert got.status_code == 200
    assert got.content == PNG
    await _release(client, author, tid, "1.1.0", with_preview=False)
    [item] = (await client.get("/v1/themes", params={"tag": tag})).json()["items"]
    assert item["latest_version"] == "1.1.0"
    assert item["preview_url"] is None
    r = await client.post(f"/v1/themes/{tid}/versions/1.1.0/yank", headers=author.headers)
    assert r.status_code == 200
    [item] = (await client.get("/v1/themes", params={"tag": tag})).json()["items"]
    assert item["latest_version"] == "1.0.0"  # back to the release with a preview
    assert item["preview_url"] == f"{seaweed.endpoint}/{seaweed.bucket}/themes-previews/{tid}/1.0.0.png"


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def _release(
    client: httpx.AsyncClient, author: Actor, theme_id: str, version: str, *, with_preview: bool
) -> None:
    css = f":root{{--v:'{version}'}}".encode()
    files = {"theme.css": (css, CSS_TYPE)}
    if with_preview:
        files["preview.png"] = (PNG, "image/png")
    body = {
        "version": version,
        "files": [
            {"path": p, "content_type": ct, "size": len(data), "sha256": sha(data)}
            for p, (data, ct) in files.items()
        ],
    }
    r = await client.post(f"/v1/themes/{theme_id}/grants/release", json=body, headers=author.headers)
    assert r.status_code == 200, r.text
    by_key = {g["key"]: g for g in r.json()["grants"]}
    async with httpx.AsyncClient(timeout=10) as http:
        for path, (data, _ct) in files.items():
            key = (
                f"themes-previews/{theme_id}/{version}.png"
                if path == "preview.png"
                else f"themes-published/{theme_id}/{version}/{path}"
            )
            grant = by_key[key]
            headers = {k: v for k, v in grant["headers"].items() if k.lower() != "content-length"}
            put = await http.put(grant["url"], content=data, headers=headers)
            assert put.status_code == 200, put.text
    r = await client.post(
        f"/v1/themes/{theme_id}/versions", json=version_body(version, css), headers=author.headers
    )
    assert r.status_code == 201, r.text
