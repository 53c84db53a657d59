"""Favourites/installs (user_themes) and analytics events: batched ingest, daily rollups, popularity."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow

# Who may see a theme that is not published: its author, reviewers and admins (routes.common agrees).
_VISIBLE = "(t.published OR t.author_id = %(user)s OR %(role)s IN ('admin', 'reviewer'))"


async def add_relation(
    conn: AsyncConnection[DictRow], user_id: UUID, role: str, theme_id: UUID, relation: str
) -> bool:
    """Record a favourite/install of a theme the caller may see; False otherwise (as if it did not exist,
    so the answer says nothing about unpublished themes). Idempotent."""
    try:
        cur = await conn.execute(
            "INSERT INTO user_themes (user_id, theme_id, relation) "
            f"SELECT %(user)s, t.id, %(relation)s FROM themes t WHERE t.id = %(theme)s AND {_VISIBLE} "
            "ON CONFLICT DO NOTHING RETURNING 1",
            {"user": user_id, "role": role, "theme": theme_id, "relation": relation},
        )
    except psycopg.errors.ForeignKeyViolation:  # the theme was deleted meanwhile
        return False
    if cur.rowcount == 1:
        return True
    cur = await conn.execute(  # already recorded (idempotent), or not a theme the caller may see
        "SELECT 1 FROM user_themes WHERE user_id = %s AND theme_id = %s AND relation = %s",
        (user_id, theme_id, relation),
    )
    return await cur.fetchone() is not None


async def remove_relation(
    conn: AsyncConnection[DictRow], user_id: UUID, theme_id: UUID, relation: str
) -> bool:
    cur = await conn.execute(
        "DELETE FROM user_themes WHERE user_id = %s AND theme_id = %s AND relation = %s",
        (user_id, theme_id, relation),
    )
    return cur.rowcount == 1


async def list_relations(
    conn: AsyncConnection[DictRow], user_id: UUID, role: str, relation: str | None
) -> list[dict[str, Any]]:
    """The caller's relations to themes it may still see (a favourite unpublished since is left out)."""
    cur = await conn.execute(
        "SELECT ut.theme_id, ut.relation, ut.created_at, t.name, t.version FROM user_themes ut "
        "JOIN themes t ON t.id = ut.theme_id "
        "WHERE ut.user_id = %(user)s AND (%(relation)s::text IS NULL OR ut.relation = %(relation)s) "
        f"AND {_VISIBLE} ORDER BY ut.created_at DESC",
        {"user": user_id, "role": role, "relation": relation},
    )
    return await cur.fetchall()


async def unpublished_or_unknown(conn: AsyncConnection[DictRow], theme_ids: list[UUID]) -> list[UUID]:
    """The ids among ``theme_ids`` that are not published themes (unknown and unpublished alike)."""
    cur = await conn.execute("SELECT id FROM themes WHERE id = ANY(%s) AND published", (theme_ids,))
    published = {row["id"] for row in await cur.fetchall()}
    return sorted({tid for tid in theme_ids if tid not in published}, key=str)


async def ingest_events(
    conn: AsyncConnection[DictRow], user_id: UUID, events: list[tuple[UUID, str, dict[str, Any]]]
) -> list[tuple[UUID, str]]:
    """Insert a batch in one statement (unnest of three arrays), each event at most once per
    (theme, event type, user, UTC day); events for themes not published are never stored.

    Returns (theme_id, event_type) of the rows stored now (not the duplicates), for the popularity counters.
    """
    cur = await conn.execute(
        "INSERT INTO theme_analytics (theme_id, event_type, client_info, user_id, day) "
        "SELECT e.theme_id, e.event_type, e.client_info, %s, (now() AT TIME ZONE 'UTC')::date "
        "FROM unnest(%s::uuid[], %s::text[], %s::jsonb[]) AS e(theme_id, event_type, client_info) "
        "JOIN themes t ON t.id = e.theme_id AND t.published "
        "ON CONFLICT (theme_id, event_type, user_id, day) DO NOTHING RETURNING theme_id, event_type",
        (
            user_id,
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
    """The Redis-less answer: download + install counts of published themes (slower)."""
    cur = await conn.execute(
        "SELECT a.theme_id, count(*) AS score FROM theme_analytics a JOIN themes t ON t.id = a.theme_id "
        "WHERE a.event_type IN ('download', 'install') AND t.published "
        "GROUP BY a.theme_id ORDER BY score DESC, a.theme_id LIMIT %s",
        (limit,),
    )
    return [(str(row["theme_id"]), float(row["score"])) for row in await cur.fetchall()]


async def popularity_scores(conn: AsyncConnection[DictRow]) -> list[tuple[str, float]]:
    """Every theme's download + install count: the whole ranking, to rebuild Redis's copy of it."""
    cur = await conn.execute(
        "SELECT theme_id, count(*) AS score FROM theme_analytics "
        "WHERE event_type IN ('download', 'install') GROUP BY theme_id"
    )
    return [(str(row["theme_id"]), float(row["score"])) for row in await cur.fetchall()]


async def published_names(conn: AsyncConnection[DictRow], ids: list[str]) -> dict[str, dict[str, Any]]:
    """Name and version of the published themes among ``ids`` (the others are left out)."""
    cur = await conn.execute(
        "SELECT id, name, version FROM themes WHERE id = ANY(%s::uuid[]) AND published", (ids,)
    )
    return {str(row["id"]): row for row in await cur.fetchall()}
