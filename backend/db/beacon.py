"""Anonymous ``view`` events from the consumer loader: stored once per (theme, visitor, UTC day).

The visitor is ``sha256(salt_of_the_day || address)`` computed inside PostgreSQL, with a random salt per
UTC day that is deleted once the day is over (migration 0010 says why); the address itself is a query
parameter, never a stored value.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import DictRow


@dataclass(frozen=True)
class View:
    theme_id: UUID
    version: str  # "latest" or a semantic version


async def unknown_views(conn: AsyncConnection[DictRow], views: list[View]) -> list[View]:
    """The views naming a theme that is not published, or a version that theme never registered."""
    cur = await conn.execute(
        "SELECT e.theme_id, e.version FROM unnest(%s::uuid[], %s::text[]) AS e(theme_id, version) "
        "LEFT JOIN themes t ON t.id = e.theme_id AND t.published "
        "WHERE t.id IS NULL OR (e.version <> 'latest' AND NOT EXISTS ("
        "  SELECT 1 FROM theme_versions v WHERE v.theme_id = e.theme_id AND v.version = e.version))",
        ([v.theme_id for v in views], [v.version for v in views]),
    )
    return [View(row["theme_id"], row["version"]) for row in await cur.fetchall()]


async def ingest_views(conn: AsyncConnection[DictRow], address: str, views: list[View]) -> int:
    """Store the views not already counted today for this address; returns how many were stored.

    ``latest`` is recorded as the version the theme's ``latest`` serves now (``themes.version``).
    """
    # Its own statement: a salt another instance made a moment ago is visible to the next one (a fresh
    # snapshot), and the day is fixed here so a batch straddling midnight hashes and counts on one day.
    cur = await conn.execute(
        "WITH today AS (SELECT (now() AT TIME ZONE 'UTC')::date AS day), "
        "old AS (DELETE FROM analytics_salts WHERE day < (SELECT day FROM today)), "
        "made AS (INSERT INTO analytics_salts (day, salt) SELECT day, %s FROM today ON CONFLICT DO NOTHING) "
        "SELECT day FROM today",
        (secrets.token_bytes(32),),
    )
    row = await cur.fetchone()
    assert row is not None
    cur = await conn.execute(
        "INSERT INTO theme_analytics (theme_id, event_type, client_info, version, visitor, day) "
        "SELECT e.theme_id, 'view', jsonb_build_object('source', 'beacon'), "
        "       CASE WHEN e.version = 'latest' THEN t.version ELSE e.version END, "
        "       sha256(s.salt || convert_to(%(address)s, 'UTF8')), s.day "
        "FROM unnest(%(themes)s::uuid[], %(versions)s::text[]) AS e(theme_id, version) "
        "JOIN themes t ON t.id = e.theme_id AND t.published "
        "JOIN analytics_salts s ON s.day = %(day)s "
        "ON CONFLICT (theme_id, event_type, visitor, day) WHERE visitor IS NOT NULL DO NOTHING "
        "RETURNING theme_id",
        {
            "address": address,
            "day": row["day"],
            "themes": [v.theme_id for v in views],
            "versions": [v.version for v in views],
        },
    )
    return len(await cur.fetchall())


def describe(views: list[View]) -> str:
    """A short, safe rendering of refused views for an error message."""
    return json.dumps([f"{v.theme_id}@{v.version[:64]}" for v in views[:5]])
