"""Per-release analytics: ingest with a version, the per-day report (ranges, releases, totals, rank)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import psycopg
import pytest
import redis

from backend.cache import POPULAR_KEY
from backend.config import Settings
from tests.backend.analytics_seed import RELEASES, create_released_theme, db_counts, last_days, seed_events
from tests.backend.helpers import Actor

pytestmark = pytest.mark.anyio


def _dsn(client: httpx.AsyncClient) -> str:
    return str(client.app.state.services.settings.database_dsn)  # type: ignore[attr-defined]


def _as_counts(report: dict[str, object]) -> dict[str, tuple[int, int, int]]:
    days = report["days"]
    assert isinstance(days, list)
    return {d["day"]: (d["views"], d["downloads"], d["installs"]) for d in days}


async def test_ingest_takes_a_registered_version_and_refuses_others(
    client: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    theme = create_released_theme(_dsn(client), actors["author"], "Versioned")
    h = actors["user"].headers
    events = [
        {"theme_id": theme, "event_type": "view", "version": "1.0.0"},
        {"theme_id": theme, "event_type": "view", "version": "1.1.0"},  # another release: counted too
        {"theme_id": theme, "event_type": "view", "version": "1.1.0"},  # same user, day, release: dropped
        {"theme_id": theme, "event_type": "view"},  # no release: counted for the theme only
    ]
    r = await client.post("/v1/analytics/events", json={"events": events}, headers=h)
    assert r.json() == {"accepted": 3, "dropped": 1}
    refused = await client.post(
        "/v1/analytics/events",
        json={
            "events": [
                {"theme_id": theme, "event_type": "install", "version": "1.0.0"},
                {"theme_id": theme, "event_type": "download", "version": "9.9.9"},
            ]
        },
        headers=h,
    )
    assert refused.status_code == 422
    assert refused.json()["error"] == "unknown_version"
    assert f"{theme}@9.9.9" in refused.json()["message"]
    bad = await client.post(
        "/v1/analytics/events",
        json={"events": [{"theme_id": theme, "event_type": "view", "version": "not-semver"}]},
        headers=h,
    )
    assert bad.status_code == 422
    with psycopg.connect(_dsn(client)) as conn:
        rows = conn.execute(
            "SELECT event_type, version FROM theme_analytics WHERE theme_id = %s ORDER BY version NULLS LAST",
            (theme,),
        ).fetchall()
    assert rows == [("view", "1.0.0"), ("view", "1.1.0"), ("view", None)]  # the refused batch left nothing
    one = await client.get(
        f"/v1/themes/{theme}/analytics/daily", params={"version": "1.1.0"}, headers=actors["author"].headers
    )
    assert [d["views"] for d in one.json()] == [1]


async def test_report_equals_the_database_for_each_range_and_release(
    client: httpx.AsyncClient, actors: dict[str, Actor]
) -> None:
    dsn = _dsn(client)
    theme = create_released_theme(dsn, actors["author"], "Charted")
    assert seed_events(dsn, theme, days=100) > 500
    h = actors["author"].headers
    for days in (7, 30, 90):
        for version in (None, *RELEASES):
            params: dict[str, str | int] = {"days": days} | ({"version": version} if version else {})
            r = await client.get(f"/v1/themes/{theme}/analytics", params=params, headers=h)
            assert r.status_code == 200, r.text
            report = r.json()
            first, last = last_days(days)
            expected = {d.isoformat(): c for d, c in db_counts(dsn, theme, first, last, version).items()}
            assert _as_counts(report) == expected  # every day listed, zeros included, oldest first
            assert list(_as_counts(report)) == sorted(expected)
            assert (report["first_day"], report["last_day"], report["version"]) == (
                first.isoformat(),
                last.isoformat(),
                version,
            )
            totals = [sum(c[i] for c in expected.values()) for i in range(3)]
            assert [report["totals"][k] for k in ("views", "downloads", "installs")] == totals
            assert report["versions"] == list(RELEASES)
    # The releases add up to the theme minus events without a release.
    first, last = last_days(90)
    whole = db_counts(dsn, theme, first, last)
    parts = [db_counts(dsn, theme, first, last, v) for v in RELEASES]
    assert all(sum(p[d][0] for p in parts) <= whole[d][0] for d in whole)


async def test_from_to_ranges_and_bad_ranges(client: httpx.AsyncClient, actors: dict[str, Actor]) -> None:
    dsn = _dsn(client)
    theme = create_released_theme(dsn, actors["author"], "Ranged")
    seed_events(dsn, theme, days=60, seed=5)
    h = actors["author"].headers
    _, today = last_days(1)
    first, last = today - timedelta(days=40), today - timedelta(days=20)
    r = await client.get(
        f"/v1/themes/{theme}/analytics",
        params={"from": first.isoformat(), "to": last.isoformat(), "version": "1.2.0"},
        headers=h,
    )
    assert r.status_code == 200
    assert _as_counts(r.json()) == {
        d.isoformat(): c for d, c in db_counts(dsn, theme, first, last, "1.2.0").items()
    }
    assert len(r.json()["days"]) == 21
    bad = [
        {"from": last.isoformat(), "to": first.isoformat()},  # reversed
        {"from": first.isoformat()},  # half a range
        {"from": first.isoformat(), "to": last.isoformat(), "days": 7},  # both kinds
        {"from": (today - timedelta(days=400)).isoformat(), "to": today.isoformat()},  # too long
        {"days": 0},
        {"days": 367},
        {"version": "2.0.0"},  # not a release of this theme
    ]
    for params in bad:
        r = await client.get(f"/v1/themes/{theme}/analytics", params=params, headers=h)
        assert r.status_code == 422, params
    assert r.json()["error"] == "unknown_version"


async def test_only_the_author_or_an_admin_sees_the_report(
    client: httpx.AsyncClient, actors: dict[str, Actor], database_url: str
) -> None:
    from tests.backend.helpers import make_actor

    theme = create_released_theme(_dsn(client), actors["author"], "Private numbers")
    url = f"/v1/themes/{theme}/analytics"
    assert (await client.get(url, headers=actors["author"].headers)).status_code == 200
    assert (await client.get(url, headers=actors["admin"].headers)).status_code == 200
    other = make_actor(database_url, "author")
    for who in (other, actors["user"], actors["reviewer"]):
        assert (await client.get(url, headers=who.headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
    unknown = "00000000-0000-4000-8000-000000000000"
    assert (
        await client.get(f"/v1/themes/{unknown}/analytics", headers=actors["admin"].headers)
    ).status_code == 404


async def test_rank_from_redis_and_from_postgres_when_redis_lost_it(
    client: httpx.AsyncClient, actors: dict[str, Actor], settings: Settings
) -> None:
    dsn = _dsn(client)
    author = actors["author"]
    themes = [create_released_theme(dsn, author, f"Ranked {n}") for n in range(3)]
    # Other tests put events straight into PostgreSQL, past Redis: start from a ranking rebuilt from it.
    store = redis.Redis.from_url(settings.redis_url.get_secret_value())
    store.delete(settings.redis_prefix + POPULAR_KEY)
    await client.get("/v1/analytics/popular")
    # Install counts 3, 2, 0 (+ whatever earlier tests ranked): each user installs once per theme and day.
    users = [actors["user"], actors["reviewer"], actors["admin"]]
    for theme, count in zip(themes, (3, 2, 0), strict=True):
        for who in users[:count]:
            r = await client.post(
                "/v1/analytics/events",
                json={"events": [{"theme_id": theme, "event_type": "install", "version": "1.2.0"}]},
                headers=who.headers,
            )
            assert r.json()["accepted"] == 1

    async def rank(theme: str) -> dict[str, object]:
        r = await client.get(f"/v1/themes/{theme}/analytics", params={"days": 7}, headers=author.headers)
        return dict(r.json()["rank"])

    first, second, unranked = [await rank(t) for t in themes]
    assert first["source"] == "redis"
    assert (first["score"], second["score"]) == (3.0, 2.0)
    assert isinstance(first["position"], int)
    assert isinstance(second["position"], int)
    assert second["position"] > first["position"]
    assert unranked["position"] is None
    # Redis lost the ranking: the same places, computed by PostgreSQL (and the ranking rebuilt meanwhile).
    store.delete(settings.redis_prefix + POPULAR_KEY)
    store.close()
    again = await rank(themes[0])
    assert again["source"] == "postgres"
    assert (again["position"], again["score"], again["ranked"]) == (
        first["position"],
        first["score"],
        first["ranked"],
    )
    rebuilt = await rank(themes[1])
    assert rebuilt["source"] == "redis"
    assert rebuilt["position"] == second["position"]


def _rollup_matches_events(dsn: str) -> None:
    """Every (theme, UTC day, release)'s counts in the rollup equal the events' own count."""
    with psycopg.connect(dsn) as conn:
        events = conn.execute(
            "SELECT theme_id, (occurred_at AT TIME ZONE 'UTC')::date, COALESCE(version, ''), "
            "count(*) FILTER (WHERE event_type = 'view'), count(*) FILTER (WHERE event_type = 'download'), "
            "count(*) FILTER (WHERE event_type = 'install') FROM theme_analytics "
            "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ).fetchall()
        rollup = conn.execute(
            "SELECT theme_id, day, release, views, downloads, installs FROM theme_analytics_daily "
            "WHERE views + downloads + installs > 0 ORDER BY 1, 2, 3"
        ).fetchall()
    assert rollup == events


def test_the_rollup_follows_every_write(database_url: str, actors: dict[str, Actor]) -> None:
    theme = create_released_theme(database_url, actors["author"], "Rolled up")
    seed_events(database_url, theme, days=20, seed=13)
    _rollup_matches_events(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM theme_analytics WHERE id IN (SELECT id FROM theme_analytics WHERE theme_id = %s "
            "AND event_type = 'view' ORDER BY id LIMIT 25)",
            (theme,),
        )
        _rollup_matches_events(database_url)
        conn.execute(
            "UPDATE theme_analytics SET version = NULL WHERE theme_id = %s AND version = '1.0.0'", (theme,)
        )
        _rollup_matches_events(database_url)
        conn.execute("DELETE FROM themes WHERE id = %s", (theme,))  # events and rollup rows go together
        _rollup_matches_events(database_url)
        left = conn.execute(
            "SELECT count(*) FROM theme_analytics_daily WHERE theme_id = %s", (theme,)
        ).fetchone()
    assert left == (0,)


def test_the_migration_rolls_up_existing_events(pg_server: object) -> None:
    from backend.migrations import upgrade
    from tests.backend.helpers import ServerInfo, create_database, drop_database, make_actor

    assert isinstance(pg_server, ServerInfo)
    dsn = create_database(pg_server, "ts_rollup")
    try:
        upgrade(dsn, "0008")
        author = make_actor(dsn, "author")
        theme = create_released_theme(dsn, author, "Before 0009", releases=("1.0.0",))
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO theme_analytics (theme_id, event_type, occurred_at) "
                "SELECT %s, (ARRAY['view', 'download', 'install'])[1 + n %% 3], "
                "now() - n * interval '7 hours' "
                "FROM generate_series(1, 500) AS n",
                (theme,),
            )
        upgrade(dsn)
        _rollup_matches_events(dsn)
        with psycopg.connect(dsn) as conn:
            total = conn.execute(
                "SELECT sum(views + downloads + installs) FROM theme_analytics_daily WHERE theme_id = %s",
                (theme,),
            ).fetchone()
        assert total == (500,)
    finally:
        drop_database(pg_server, dsn)
