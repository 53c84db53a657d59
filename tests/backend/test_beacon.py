"""The anonymous beacon: origins, strict text/plain parsing, refusals, per-address limit and daily dedupe."""

from __future__ import annotations

import ipaddress
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import psycopg
import pytest

from backend.api.app import create_app
from backend.config import Settings, load_settings
from tests.backend.helpers import Actor, publish_in_db

pytestmark = pytest.mark.anyio

PAGE = "http://shop.example.test"
URL = "/v1/analytics/beacon"


@pytest.fixture
def beacon_settings(settings: Settings) -> Settings:
    # The ASGI test client is 127.0.0.1: trusting it as a proxy lets each test pick the client address.
    return load_settings(
        **{
            **settings.model_dump(),
            "database_url": settings.database_url.get_secret_value(),
            "redis_url": settings.redis_url.get_secret_value(),
            "cors_origins": [PAGE],
            "forwarded_allow_ips": ["127.0.0.1"],
            "beacon_address_limit": 5,
        }
    )


@pytest.fixture
async def web(beacon_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(beacon_settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api.test") as c,
    ):
        yield c


def _dsn(settings: Settings) -> str:
    return settings.database_dsn


async def _theme(web: httpx.AsyncClient, author: Actor, settings: Settings, *, published: bool = True) -> str:
    r = await web.post("/v1/themes", json={"name": "Viewed"}, headers=author.headers)
    theme_id = str(r.json()["id"])
    if published:
        publish_in_db(_dsn(settings), theme_id, "1.0.0")
        publish_in_db(_dsn(settings), theme_id, "1.1.0")
    return theme_id


async def _send(
    web: httpx.AsyncClient,
    events: list[dict[str, str]] | str,
    *,
    address: str = "198.51.100.7",
    origin: str | None = PAGE,
    content_type: str = "text/plain;charset=UTF-8",
) -> httpx.Response:
    headers = {"content-type": content_type, "x-forwarded-for": address}
    if origin is not None:
        headers["origin"] = origin
    body = events if isinstance(events, str) else json.dumps({"events": events})
    return await web.post(URL, content=body.encode(), headers=headers)


def _fresh_address() -> str:
    """An address no other test used (the limit's counters live in Redis for the whole run)."""
    return str(ipaddress.IPv6Address(uuid.uuid4().int))


def _view(theme_id: str, version: str = "latest") -> dict[str, str]:
    return {"theme_id": theme_id, "event_type": "view", "version": version}


def _rows(settings: Settings, theme_id: str) -> list[tuple[object, ...]]:
    with psycopg.connect(_dsn(settings)) as conn:
        return conn.execute(
            "SELECT client_info, version, visitor, user_id, day FROM theme_analytics "
            "WHERE theme_id = %s ORDER BY id",
            (theme_id,),
        ).fetchall()


async def test_views_count_once_per_address_and_day(
    web: httpx.AsyncClient, actors: dict[str, Actor], beacon_settings: Settings
) -> None:
    theme_id = await _theme(web, actors["author"], beacon_settings)
    r = await _send(web, [_view(theme_id), _view(theme_id)])
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 1, "dropped": 1}
    assert r.headers["access-control-allow-origin"] == PAGE
    again = await _send(web, [_view(theme_id, "1.0.0")])
    assert again.json() == {"accepted": 0, "dropped": 1}  # the same address later today: not counted again
    other = await _send(web, [_view(theme_id, "1.0.0")], address="203.0.113.9")
    assert other.json() == {"accepted": 1, "dropped": 0}

    rows = _rows(beacon_settings, theme_id)
    assert len(rows) == 2
    (info1, version1, visitor1, user1, day1), (info2, version2, visitor2, _, _) = rows
    # "latest" is recorded as the version latest served (1.1.0, the newest registered).
    assert (info1, version1) == ({"source": "beacon"}, "1.1.0")
    assert (info2, version2) == ({"source": "beacon"}, "1.0.0")
    assert user1 is None
    assert day1 is not None
    assert isinstance(visitor1, bytes)
    assert len(visitor1) == 32
    assert visitor1 != visitor2
    flat = repr(rows)
    assert "198.51.100.7" not in flat
    assert "203.0.113.9" not in flat


async def test_salt_of_past_days_is_deleted(
    web: httpx.AsyncClient, actors: dict[str, Actor], beacon_settings: Settings
) -> None:
    theme_id = await _theme(web, actors["author"], beacon_settings)
    yesterday = date.today() - timedelta(days=2)
    with psycopg.connect(_dsn(beacon_settings), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO analytics_salts (day, salt) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (yesterday, b"x" * 32),
        )
    assert (await _send(web, [_view(theme_id)], address=_fresh_address())).status_code == 200
    with psycopg.connect(_dsn(beacon_settings)) as conn:
        days = [row[0] for row in conn.execute("SELECT day FROM analytics_salts").fetchall()]
    assert len(days) == 1
    assert days[0] > yesterday


@pytest.mark.parametrize("origin", [None, "http://evil.example.test", PAGE + ".evil.test"])
async def test_other_origins_are_refused(
    web: httpx.AsyncClient, actors: dict[str, Actor], beacon_settings: Settings, origin: str | None
) -> None:
    theme_id = await _theme(web, actors["author"], beacon_settings)
    r = await _send(web, [_view(theme_id)], origin=origin)
    assert r.status_code == 403
    assert r.json()["error"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in r.headers
    assert _rows(beacon_settings, theme_id) == []


async def test_unknown_unpublished_and_unregistered_are_refused_whole(
    web: httpx.AsyncClient, actors: dict[str, Actor], beacon_settings: Settings
) -> None:
    good = await _theme(web, actors["author"], beacon_settings)
    hidden = await _theme(web, actors["author"], beacon_settings, published=False)
    for bad in (_view(str(uuid.uuid4())), _view(hidden), _view(good, "9.9.9")):
        r = await _send(web, [_view(good), bad], address=_fresh_address())
        assert r.status_code == 422, bad
        assert r.json()["error"] == "unknown_theme"
    assert _rows(beacon_settings, good) == []


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ('{"events":[{"theme_id":"%s","event_type":"download","version":"latest"}]}', "text/plain", 422),
        ('{"events":[{"theme_id":"%s","event_type":"view","version":"latest","x":1}]}', "text/plain", 422),
        ('{"events":[{"theme_id":"%s","event_type":"view","version":"1.0"}]}', "text/plain", 422),
        ('{"events":[{"theme_id":"%s","theme_id":"%s","event_type":"view","version":"latest"}]}',
         "text/plain", 422),
        ('{"events":[{"theme_id":"%s","event_type":"view","version":NaN}]}', "text/plain", 422),
        ('{"events":[]}', "text/plain", 422),
        ("\xff not json", "text/plain", 422),
        ('{"events":[{"theme_id":"%s","event_type":"view","version":"latest"}]}',
         "application/x-www-form-urlencoded", 415),
    ],
)  # fmt: skip
async def test_malformed_bodies_are_refused(
    web: httpx.AsyncClient,
    actors: dict[str, Actor],
    beacon_settings: Settings,
    body: str,
    content_type: str,
    status: int,
) -> None:
    theme_id = await _theme(web, actors["author"], beacon_settings)
    filled = body.replace("%s", theme_id)
    r = await _send(web, filled, content_type=content_type, address=_fresh_address())
    assert r.status_code == status, r.text
    assert theme_id not in r.text  # the input is never echoed
    assert _rows(beacon_settings, theme_id) == []


async def test_oversized_body_and_batch(
    web: httpx.AsyncClient, actors: dict[str, Actor], beacon_settings: Settings
) -> None:
    theme_id = await _theme(web, actors["author"], beacon_settings)
    big = json.dumps({"events": [_view(theme_id)], "pad": "x" * beacon_settings.beacon_max_bytes})
    r = await _send(web, big, address=_fresh_address())
    assert r.status_code == 413
    many = [_view(theme_id)] * (beacon_settings.beacon_max_events + 1)
    r = await _send(web, many, address=_fresh_address())
    assert (r.status_code, r.json()["error"]) == (422, "batch_too_large")


async def test_each_address_is_rate_limited(
    web: httpx.AsyncClient, actors: dict[str, Actor], beacon_settings: Settings
) -> None:
    theme_id = await _theme(web, actors["author"], beacon_settings)
    address = _fresh_address()
    for _ in range(beacon_settings.beacon_address_limit):
        assert (await _send(web, [_view(theme_id)], address=address)).status_code == 200
    refused = await _send(web, [_view(theme_id)], address=address)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    # Another address is not affected.
    assert (await _send(web, [_view(theme_id)], address=_fresh_address())).status_code == 200
