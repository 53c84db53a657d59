"""Favourites/installs (user_themes) and analytics events: batched ingest, daily rollups, popularity."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow


async def add_relation(conn: AsyncConnection[DictRow], user_id: UUID, theme_id: UUID, relation: str) -> bool:
    """Record a favourite/install; False when the theme does not exist. Idempotent."""
    try:
        await conn.execute(
            "INSERT INTO user_themes (user_id, theme_id, relation) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            (user_id, theme_id, relation),
        )
    except psycopg.errors.ForeignKeyViolation:
        return False
    return True


async def remove_relation(
    conn: AsyncConnection[DictRow], user_id: UUID, theme_id: UUID, relation: str
) -> bool:
    cur = await conn.execute(
        "DELETE FROM user_themes WHERE user_id = %s AND theme_id = %s AND relation = %s",
        (user_id, theme_id, relation),
    )
    return cur.rowcount == 1


async def list_relations(
    conn: AsyncConnection[DictRow], user_id: UUID, relation: str | None
) -> list[dict[str, Any]]:
    cur = await conn.execute(
        "SELECT ut.theme_id, ut.relation, ut.created_at, t.name, t.version FROM user_themes ut "
        "JOIN themes t ON t.id = ut.theme_id "
        "WHERE ut.user_id = %s AND (%s::text IS NULL OR ut.relation = %s) "
        "ORDER BY ut.created_at DESC",
        (user_id, relation, relation),
    )
    return await cur.fetchall()


async def ingest_events(
    conn: AsyncConnection[DictRow], events: list[tuple[UUID, str, dict[str, Any]]]
) -> list[tuple[UUID, str]]:
    """Insert a batch in one statement (unnest of three arrays); events for unknown themes are dropped.

    Returns (theme_id, event_type) of the stored rows, for the popularity counters.
    """
    cur = await conn.execute(
        "INSERT INTO theme_analytics (theme_id, event_type, client_info) "
        "SELECT e.theme_id, e.event_type, e.client_info "
        "FROM unnest(%s::uuid[], %s::text[], %s::jsonb[]) AS e(theme_id, event_type, client_info) "
        "JOIN themes t ON t.id = e.theme_id RETURNING theme_id, event_type",
        (
            [e[0] for e in events],
            [e[1] for e in events],
            [json.dumps(e[2], separators=(",", ":")) for e in events],
        ),
    )
    return [(row["theme_id"], row["event_type"]) for row in await cur.fetchall()]


async def daily_rollup(conn: AsyncConnection[DictRow], theme_id: UUID, days: int) -> list[dict[str, Any]]:
    """Per-day counts of each event type over the last ``days`` days (UTC days), oldest first."""
    cur = await conn.execute(
        "SELECT date_trunc('day', occurred_at AT TIME ZONE 'UTC')::date AS day, "
        "count(*) FILTER (WHERE event_type = 'view') AS views, "
        "count(*) FILTER (WHERE event_type = 'download') AS downloads, "
        "count(*) FILTER (WHERE event_type = 'install') AS installs "
        "FROM theme_analytics WHERE theme_id = %s AND occurred_at >= now() - make_interval(days => %s) "
        "GROUP BY 1 ORDER BY 1",
        (theme_id, days),
    )
    return await cur.fetchall()


async def popular_from_db(conn: AsyncConnection[DictRow], limit: int) -> list[tuple[str, float]]:
    """The Redis-less answer: download + install counts per theme (slower; used when Redis is down)."""
    cur = await conn.execute(
        "SELECT theme_id, count(*) AS score FROM theme_analytics WHERE event_type IN ('download', 'install') "
        "GROUP BY theme_id ORDER BY score DESC, theme_id LIMIT %s",
        (limit,),
    )
    return [(str(row["theme_id"]), float(row["score"])) for row in await cur.fetchall()]


async def theme_names(conn: AsyncConnection[DictRow], ids: list[str]) -> dict[str, dict[str, Any]]:
    cur = await conn.execute(
        "SELECT id, name, version, published FROM themes WHERE id = ANY(%s::uuid[])", (ids,)
    )
    return {str(row["id"]): row for row in await cur.fetchall()}
