"""Analytics test data: a published theme with several releases and events spread over days and releases,
and the database's own per-day counts to compare every layer with (written independently of the backend's
query). Also a live backend (``themesystem-api serve`` on a fresh database, no object storage) for the
studio's analytics tests.
"""

from __future__ import annotations

import contextlib
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import psycopg

from tests.backend.conftest import pg_redis_url
from tests.backend.helpers import (
    Actor,
    create_database,
    drop_database,
    make_actor,
    publish_in_db,
    server_info,
)
from tests.backend.servers import api_server

RELEASES = ("1.0.0", "1.1.0", "1.2.0")
KINDS = ("view", "download", "install")


@dataclass(frozen=True)
class AnalyticsBackend:
    url: str
    dsn: str
    author: Actor
    other_author: Actor
    admin: Actor


@contextlib.contextmanager
def analytics_backend() -> Iterator[AnalyticsBackend]:
    """The API on a fresh migrated database (Redis keys under a per-run prefix), with its users."""
    server = server_info()
    dsn = create_database(server, "ts_analytics")
    try:
        from backend.migrations import upgrade

        upgrade(dsn)
        env = {
            "DATABASE_URL": dsn,
            "REDIS_URL": pg_redis_url(),
            "REDIS_PREFIX": f"tsanalytics:{secrets.token_hex(4)}:",
            "AUTH_FAIL_LIMIT": "10000",
        }
        with api_server(env) as url:
            yield AnalyticsBackend(
                url, dsn, make_actor(dsn, "author"), make_actor(dsn, "author"), make_actor(dsn, "admin")
            )
    finally:
        drop_database(server, dsn)


def create_released_theme(dsn: str, author: Actor, name: str, releases: tuple[str, ...] = RELEASES) -> str:
    """A published theme of ``author`` with ``releases`` registered (straight in PostgreSQL)."""
    theme_id = str(UUID(bytes=secrets.token_bytes(16), version=4))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO themes (id, name, author_id, author) VALUES (%s, %s, %s, %s)",
            (theme_id, name, author.user_id, author.email),
        )
    for version in releases:
        publish_in_db(dsn, theme_id, version)
    return theme_id


def seed_events(dsn: str, theme_id: str, *, days: int = 100, seed: int = 3) -> int:
    """Anonymous events over the last ``days`` UTC days (today included), over every release and none:
    a few per (day, type, release), some days with none. Returns how many were stored."""
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    rows = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        if rng.random() < 0.15:
            continue  # days without any event must show as zeros
        for kind in KINDS:
            for version in (*RELEASES, None):
                for _ in range(rng.randrange(0, 6 if kind == "view" else 3)):
                    stamp = datetime(
                        day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), tzinfo=UTC
                    )
                    rows.append((theme_id, kind, version, stamp, day))
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY theme_analytics (theme_id, event_type, version, occurred_at, day) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
    return len(rows)


def db_counts(
    dsn: str, theme_id: str, first: date, last: date, version: str | None = None
) -> dict[date, tuple[int, int, int]]:
    """(views, downloads, installs) per UTC day in first..last, every day listed, from a plain SQL count."""
    counts = {first + timedelta(days=n): [0, 0, 0] for n in range((last - first).days + 1)}
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT day, event_type, count(*) FROM theme_analytics "
            "WHERE theme_id = %s AND day BETWEEN %s AND %s "
            "AND (%s::text IS NULL OR version = %s) GROUP BY 1, 2",
            (theme_id, first, last, version, version),
        ).fetchall()
    for day, kind, count in rows:
        counts[day][KINDS.index(kind)] = int(count)
    return {day: (v[0], v[1], v[2]) for day, v in counts.items()}


def last_days(days: int) -> tuple[date, date]:
    today = datetime.now(UTC).date()
    return today - timedelta(days=days - 1), today
