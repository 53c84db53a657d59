"""Favourites/installs, analytics ingest (cap, limits, dedupe, refusal), rollups, popular themes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest

from backend.api.app import create_app
from backend.config import Settings
from tests.backend.helpers import Actor, make_actor, publish_in_db

pytestmark = pytest.mark.anyio


async def _theme(client: httpx.AsyncClient, author: Actor, *, published: bool = True) -> str:
    r = await client.post("/v1/themes", json={"name": "Counted"}, headers=author.headers)
    theme_id = str(r.json()["id"])
    if published:
        publish_in_db(client.app.state.services.settings.database_dsn, theme_id)  # type: ignore[attr-defined]
    return theme_id


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
    users = [actors["user"], actors["reviewer"], actors["admin"]]
    for who in users:  # each user's events count once per (theme, type, UTC day): 3 downloads of hot in all
        events = (
            [{"theme_id": hot, "event_type": "download", "client_info": {"app": "x"}}] * 10
            + [{"theme_id": hot, "event_type": "view"}] * 5
            + [{"theme_id": cold, "event_type": "install"}] * 2
        )
        r = await client.post("/v1/analytics/events", json={"events": events}, headers=who.headers)
        assert r.json() == {"accepted": 3, "dropped": 14}
    again = await client.post(
        "/v1/analytics/events",
        json={"events": [{"theme_id": hot, "event_type": "download"}]},
        headers=users[0].headers,
    )
    assert again.json() == {"accepted": 0, "dropped": 1}  # a replayed batch counts nothing
    days = (await client.get(f"/v1/themes/{hot}/analytics/daily", headers=author.headers)).json()
    assert len(days) == 1
    assert (days[0]["views"], days[0]["downloads"], days[0]["installs"]) == (3, 3, 0)
    assert (
        await client.get(f"/v1/themes/{hot}/analytics/daily", headers=actors["user"].headers)
    ).status_code == 403
    await client.get(
        "/v1/analytics/popular"
    )  # the first answer may build the ranking (a fresh Redis has none)
    popular = (await client.get("/v1/analytics/popular", params={"limit": 100})).json()
    assert popular["source"] == "redis"
    scores = {item["theme_id"]: item["score"] for item in popular["items"]}
    assert (scores[hot], scores[cold]) == (3.0, 3.0)
    cache = client.app.state.services.cache  # type: ignore[attr-defined]
    assert await cache.client.zscore(cache.key("popular:themes"), hot) == 3.0


async def test_batch_cap_and_bad_events(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    h = actors["user"].headers
    theme_id = await _theme(client, actors["author"])
    cap = client.app.state.services.settings.max_event_batch  # type: ignore[attr-defined]
    too_many = [{"theme_id": theme_id, "event_type": "view"}] * (cap + 1)
    assert (
        await client.post("/v1/analytics/events", json={"events": too_many}, headers=h)
    ).status_code == 422
    assert cap == 100  # the default: a sane batch, not a thousand
    bad = [{"theme_id": theme_id, "event_type": "purchase"}]
    assert (await client.post("/v1/analytics/events", json={"events": bad}, headers=h)).status_code == 422
    assert (await client.post("/v1/analytics/events", json={"events": []}, headers=h)).status_code == 422


async def test_events_for_unpublished_or_unknown_themes_are_refused(
    client: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    author = actors["author"]
    live, hidden = await _theme(client, author), await _theme(client, author, published=False)
    unknown = str(uuid.uuid4())
    for who in (actors["user"], author):  # not even the author may count events for an unpublished theme
        for other in (hidden, unknown):
            events = [
                {"theme_id": live, "event_type": "install"},
                {"theme_id": other, "event_type": "install"},
            ]
            r = await client.post("/v1/analytics/events", json={"events": events}, headers=who.headers)
            assert r.status_code == 422
            assert r.json()["error"] == "unknown_theme"
            assert other in r.json()["message"]
    # nothing of a refused batch was stored: the live theme has no events, and the ranking never names hidden
    days = (await client.get(f"/v1/themes/{live}/analytics/daily", headers=author.headers)).json()
    assert days == []
    with psycopg.connect(database_url) as conn:
        assert conn.execute(
            "SELECT count(*) FROM theme_analytics WHERE theme_id = %s", (hidden,)
        ).fetchone() == (0,)


async def _limited_app(
    settings: Settings, **limits: int
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """An app with small ingest limits, and two clients on it from two addresses."""
    app = create_app(
        settings.model_copy(
            update={"redis_prefix": settings.redis_prefix + f"rl{uuid.uuid4().hex[:6]}:", **limits}
        )
    )
    async with app.router.lifespan_context(app):
        one = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("198.51.100.1", 1)), base_url="http://t"
        )
        two = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("198.51.100.2", 1)), base_url="http://t"
        )
        async with one, two:
            yield one, two


async def test_ingest_is_rate_limited_per_token_and_per_address(
    settings: Settings, client: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    theme = await _theme(client, actors["author"])
    batch = {"events": [{"theme_id": theme, "event_type": "view"}] * 40}
    user, other = actors["user"], make_actor(database_url, "user")
    async for one, two in _limited_app(settings, analytics_token_limit=100, analytics_address_limit=150):
        codes = [
            (await one.post("/v1/analytics/events", json=batch, headers=user.headers)).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]  # 120 events > 100 for this token
        r = await two.post("/v1/analytics/events", json=batch, headers=user.headers)
        assert r.status_code == 429  # the token's count is the same from any address
        assert r.json()["error"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= settings.analytics_window_s
        # another token from the first address: that address already sent 120 (+40 refused) events
        assert (await one.post("/v1/analytics/events", json=batch, headers=other.headers)).status_code == 429
        # ... while the second address is under its own limit for a fresh token
        third = make_actor(database_url, "user")
        assert (await two.post("/v1/analytics/events", json=batch, headers=third.headers)).status_code == 200


async def test_ingest_limit_falls_back_in_process_without_redis(
    settings: Settings, client: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    from tests.backend.helpers import free_port

    theme = await _theme(client, actors["author"])
    dead = settings.model_copy(
        update={"redis_url": settings.redis_url.__class__(f"redis://127.0.0.1:{free_port()}/0")}
    )
    batch = {"events": [{"theme_id": theme, "event_type": "view"}] * 60}
    async for one, _ in _limited_app(dead, analytics_token_limit=100):
        codes = [
            (await one.post("/v1/analytics/events", json=batch, headers=actors["user"].headers)).status_code
            for _ in range(2)
        ]
        assert codes == [200, 429]


async def test_ranking_rebuilds_once_from_postgres_after_redis_lost_it(
    client: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    author = actors["author"]
    hot, warm = await _theme(client, author), await _theme(client, author)
    for who in (actors["user"], actors["reviewer"], actors["admin"], make_actor(database_url, "user")):
        events = [{"theme_id": hot, "event_type": "download"}, {"theme_id": hot, "event_type": "install"}]
        if who.role == "user":
            events.append({"theme_id": warm, "event_type": "install"})
        assert (
            await client.post("/v1/analytics/events", json={"events": events}, headers=who.headers)
        ).status_code == 200
    cache = client.app.state.services.cache  # type: ignore[attr-defined]
    before = {
        i["theme_id"]: i["score"]
        for i in (await client.get("/v1/analytics/popular", params={"limit": 100})).json()["items"]
    }
    assert (before[hot], before[warm]) == (8.0, 2.0)

    await cache.client.delete(cache.key("popular:themes"))  # what a restart without persistence does
    # an increment arriving first must not make a partial ranking look complete
    late = make_actor(database_url, "user")
    r = await client.post(
        "/v1/analytics/events",
        json={"events": [{"theme_id": warm, "event_type": "download"}]},
        headers=late.headers,
    )
    assert r.json()["accepted"] == 1
    calls = []
    original = cache.store_popular

    async def counting(scores: list[tuple[str, float]]) -> bool:
        calls.append(len(scores))
        return await original(scores)

    cache.store_popular = counting
    answers = await asyncio.gather(
        *(client.get("/v1/analytics/popular", params={"limit": 100}) for _ in range(20))
    )
    assert all(a.status_code == 200 for a in answers)
    assert len(calls) == 1  # one rebuild, however many requests noticed the loss
    for answer in answers:  # during and after the rebuild, every answer has the true counts
        scores = {i["theme_id"]: i["score"] for i in answer.json()["items"]}
        assert (scores[hot], scores[warm]) == (8.0, 3.0)
    after = (await client.get("/v1/analytics/popular", params={"limit": 100})).json()
    assert after["source"] == "redis"
    assert {i["theme_id"]: i["score"] for i in after["items"]}[warm] == 3.0
