"""Themes: create, get (cached), list with tag/text filters and keyset pages, update rules."""

from __future__ import annotations

import uuid

import httpx
import psycopg
import pytest

from tests.backend.helpers import Actor, publish_release

pytestmark = pytest.mark.anyio


async def _theme(client: httpx.AsyncClient, author: Actor, **fields: object) -> dict[str, object]:
    body = {"name": "Aurora", "description": "A calm dark theme", "tags": ["dark"], **fields}
    r = await client.post("/v1/themes", json=body, headers=author.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def client(api: httpx.AsyncClient) -> httpx.AsyncClient:
    """These tests publish releases, which needs object storage: the app with the SeaweedFS bucket."""
    return api


async def _publish(
    client: httpx.AsyncClient, author: Actor, theme_id: object, version: str = "1.0.0"
) -> None:
    await publish_release(client, author, str(theme_id), version, f":root{{--v:'{version}'}}".encode())


async def test_create_then_get_with_available_versions(
    client: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    author = actors["author"]
    theme = await _theme(client, author, id=str(uuid.uuid4()), author_url="https://aurora.example")
    assert theme["available_versions"] == []
    assert theme["published"] is False
    assert theme["author_id"] == str(author.user_id)
    await _publish(client, author, theme["id"], "1.0.0")
    await _publish(client, author, theme["id"], "1.1.0")
    r = await client.get(f"/v1/themes/{theme['id']}")
    assert r.status_code == 200
    got = r.json()
    assert got["available_versions"] == ["1.1.0", "1.0.0"]
    assert got["version"] == "1.1.0"
    assert got["published"] is True


async def test_duplicate_id_is_409(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    theme = await _theme(client, actors["author"], id=str(uuid.uuid4()))
    r = await client.post(
        "/v1/themes", json={"id": theme["id"], "name": "Again"}, headers=actors["author"].headers
    )
    assert r.status_code == 409
    assert r.json()["error"] == "theme_exists"


async def test_unpublished_theme_hidden_from_others(
    client: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    theme = await _theme(client, actors["author"])
    url = f"/v1/themes/{theme['id']}"
    for _ in range(2):  # second round is served from the cache: same rule
        assert (await client.get(url)).status_code == 404
        assert (await client.get(url, headers=actors["user"].headers)).status_code == 404
        assert (await client.get(url, headers=actors["author"].headers)).status_code == 200
        assert (await client.get(url, headers=actors["admin"].headers)).status_code == 200
        assert (await client.get(url, headers=actors["reviewer"].headers)).status_code == 200


async def test_cache_is_filled_and_invalidated_on_update(
    client: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    author = actors["author"]
    theme = await _theme(client, author)
    await _publish(client, author, theme["id"])
    cache = client.app.state.services.cache  # type: ignore[attr-defined]
    assert (await cache.get_theme(theme["id"])).payload is None
    assert (await client.get(f"/v1/themes/{theme['id']}")).json()["name"] == "Aurora"
    assert (await cache.get_theme(theme["id"])).payload is not None
    r = await client.patch(f"/v1/themes/{theme['id']}", json={"name": "Borealis"}, headers=author.headers)
    assert r.status_code == 200
    assert r.json()["name"] == "Borealis"
    assert (await cache.get_theme(theme["id"])).payload is None
    assert (await client.get(f"/v1/themes/{theme['id']}")).json()["name"] == "Borealis"
    ttl = await cache.client.ttl(cache.key(f"theme:{theme['id']}"))
    assert cache.theme_ttl - 10 < ttl <= cache.theme_ttl == 60  # short: the record is mutable


async def test_only_the_author_or_admin_updates(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    from tests.backend.helpers import make_actor

    theme = await _theme(client, actors["author"])
    url = f"/v1/themes/{theme['id']}"
    other = make_actor(str(client.app.state.services.settings.database_dsn), "author")  # type: ignore[attr-defined]
    assert (await client.patch(url, json={"name": "X"}, headers=other.headers)).status_code == 403
    assert (await client.patch(url, json={"name": "Y"}, headers=actors["admin"].headers)).status_code == 200
    assert (await client.patch(url, json={"name": None}, headers=actors["author"].headers)).status_code == 422
    # publishing without a version is refused
    assert (
        await client.patch(url, json={"published": True}, headers=actors["author"].headers)
    ).status_code == 409


async def test_list_filters_and_keyset_pages(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    author = actors["author"]
    tag = f"t{uuid.uuid4().hex[:10]}"
    ids = []
    for i in range(5):
        theme = await _theme(
            client, author, name=f"Zephyr {i}", description=f"word{tag}" if i == 2 else "", tags=[tag]
        )
        await _publish(client, author, theme["id"])
        ids.append(theme["id"])
    hidden = await _theme(client, author, tags=[tag])  # unpublished: not listed by default
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"tag": tag, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/themes", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))  # newest change first, every theme exactly once
    found = (await client.get("/v1/themes", params={"q": f"word{tag}"})).json()["items"]
    assert [item["id"] for item in found] == [ids[2]]
    mine = await client.get(
        "/v1/themes",
        params={"tag": tag, "include_unpublished": "true", "author_id": str(author.user_id)},
        headers=author.headers,
    )
    assert hidden["id"] in [item["id"] for item in mine.json()["items"]]
    assert (await client.get("/v1/themes", params={"include_unpublished": "true"})).status_code == 403
    assert (await client.get("/v1/themes", params={"cursor": "garbage!"})).status_code == 422


async def _tag_page_ids(client: httpx.AsyncClient, tag: str, limit: int = 2) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"tag": tag, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/themes", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


async def test_tag_listing_follows_every_write(
    client: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    """The tag index table (migration 0002) tracks retags, (un)publishing, updates and direct SQL writes."""
    author = actors["author"]
    tag, other = f"a{uuid.uuid4().hex[:10]}", f"b{uuid.uuid4().hex[:10]}"
    ids: list[str] = []
    for i in range(4):
        theme = await _theme(client, author, name=f"Tagged {i}", tags=[tag, other])
        await _publish(client, author, theme["id"])
        ids.append(str(theme["id"]))
    assert await _tag_page_ids(client, tag) == list(reversed(ids))

    url = f"/v1/themes/{ids[0]}"
    assert (await client.patch(url, json={"description": "touched"}, headers=author.headers)).is_success
    assert (await _tag_page_ids(client, tag))[0] == ids[0]  # an update moves it to the front
    assert (await client.patch(url, json={"tags": [other]}, headers=author.headers)).is_success
    assert ids[0] not in await _tag_page_ids(client, tag)
    assert ids[0] in await _tag_page_ids(client, other)
    assert (await client.patch(url, json={"published": False}, headers=author.headers)).is_success
    assert ids[0] not in await _tag_page_ids(client, other)

    # Writes that bypass the API: equal timestamps (the keyset breaks ties by id), a retag, a delete.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE themes SET updated_at = '2030-01-01T00:00:00Z' WHERE id = ANY(%s::uuid[])", (ids[1:],)
        )
        conn.execute("UPDATE themes SET tags = tags || %s::text WHERE id = %s", (tag, ids[0]))
        conn.execute("UPDATE themes SET published = true WHERE id = %s", (ids[0],))
        conn.execute("DELETE FROM themes WHERE id = %s", (ids[3],))
        expected = [
            str(row[0])
            for row in conn.execute(
                "SELECT id FROM themes WHERE published AND tags @> ARRAY[%s]::text[] "
                "ORDER BY updated_at DESC, id DESC",
                (tag,),
            )
        ]
    assert await _tag_page_ids(client, tag, limit=1) == expected
    assert sorted(expected) == sorted(ids[:3])
    assert expected[-1] == ids[0]
