"""Favourites/installs (user_themes) and analytics events: batched ingest, daily rollups, popularity."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
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


class IngestEvent(NamedTuple):
    """One event to store: which theme, what happened, free-form client details, and which release.

    ``version`` is the release the event is about (``"1.2.0"``), or None when the client does not know it;
    when given it must be a registered version of that theme (check with :func:`unknown_releases` first: the
    database refuses an unregistered one with a foreign-key error, failing the whole batch).
    """

    theme_id: UUID
    event_type: str
    client_info: dict[str, Any]
    version: str | None = None


async def unknown_releases(
    conn: AsyncConnection[DictRow], events: Sequence[IngestEvent]
) -> list[tuple[UUID, str]]:
    """The (theme, version) pairs named by ``events`` that are not registered releases of that theme."""
    named = sorted({(e.theme_id, e.version) for e in events if e.version is not None}, key=str)
    if not named:
        return []
    cur = await conn.execute(
        "SELECT v.theme_id, v.version FROM theme_versions v "
        "JOIN unnest(%s::uuid[], %s::text[]) AS n(theme_id, version) "
        "ON v.theme_id = n.theme_id AND v.version = n.version",
        ([t for t, _ in named], [v for _, v in named]),
    )
    registered = {(row["theme_id"], row["version"]) for row in await cur.fetchall()}
    return [(t, v) for t, v in named if (t, v) not in registered]


async def ingest_events(
    conn: AsyncConnection[DictRow], user_id: UUID | None, events: Sequence[IngestEvent]
) -> list[tuple[UUID, str]]:
    """Insert a batch in one statement (unnest of four arrays), each event at most once per
    (theme, event type, user, UTC day, release); events for themes not published are never stored.

    Args:
        user_id: who sent the events; None for anonymous events (never deduplicated: NULLs are distinct).
        events: :class:`IngestEvent` values, or plain ``(theme_id, event_type, client_info, version)``
            tuples; every ``version`` that is not None must be a registered release of its theme
            (:func:`unknown_releases`), else the database refuses the batch (ForeignKeyViolation).

    Returns:
        (theme_id, event_type) of the rows stored now (not the duplicates), for the popularity counters.
    """
    cur = await conn.execute(
        "INSERT INTO theme_analytics (theme_id, event_type, client_info, version, user_id, day) "
        "SELECT e.theme_id, e.event_type, e.client_info, e.version, %s, (now() AT TIME ZONE 'UTC')::date "
        "FROM unnest(%s::uuid[], %s::text[], %s::jsonb[], %s::text[]) "
        "AS e(theme_id, event_type, client_info, version) "
        "JOIN themes t ON t.id = e.theme_id AND t.published "
        "ON CONFLICT (theme_id, event_type, user_id, day, (COALESCE(version, ''))) DO NOTHING "
        "RETURNING theme_id, event_type",
        (
            user_id,
            [e[0] for e in events],
            [e[1] for e in events],
            [json.dumps(e[2], separators=(",", ":")) for e in events],
            [e[3] for e in events],
        ),
    )
    return [(row["theme_id"], row["event_type"]) for row in await cur.fetchall()]


async def daily_rollup(
    conn: AsyncConnection[DictRow], theme_id: UUID, days: int, version: str | None = None
) -> list[dict[str, Any]]:
    """Per-day counts of each event type over the last ``days`` days (UTC days), oldest first; days without
    events are left out. ``version`` keeps only the events about that release."""
    today = datetime.now(UTC).date()
    return await daily_series(conn, theme_id, today - timedelta(days=days), today, version)


async def daily_series(
    conn: AsyncConnection[DictRow], theme_id: UUID, first: date, last: date, version: str | None = None
) -> list[dict[str, Any]]:
    """Views, downloads and installs per UTC day from ``first`` to ``last`` (both included), oldest first.

    Only days with events are returned (the caller fills the gaps). Read from ``theme_analytics_daily``, the
    per-(theme, day, release) rollup the database keeps equal to the events (migration 0009): at most one
    row per day and release, whatever the number of events.
    """
    sql, params = series_query(theme_id, first, last, version)
    cur = await conn.execute(sql, params)
    return await cur.fetchall()


def series_query(theme_id: UUID, first: date, last: date, version: str | None) -> tuple[str, dict[str, Any]]:
    """The SQL behind :func:`daily_series` and its parameters (the benchmark EXPLAINs exactly this)."""
    release = " AND release = %(version)s" if version is not None else ""
    sql = (
        "SELECT day, sum(views)::bigint AS views, sum(downloads)::bigint AS downloads, "
        "sum(installs)::bigint AS installs FROM theme_analytics_daily "
        f"WHERE theme_id = %(theme)s AND day BETWEEN %(first)s AND %(last)s{release} "
        "GROUP BY day HAVING sum(views) + sum(downloads) + sum(installs) > 0 ORDER BY day"
    )
    return sql, {"theme": theme_id, "first": first, "last": last, "version": version}


async def theme_releases(conn: AsyncConnection[DictRow], theme_id: UUID) -> list[str]:
    """Every registered version of the theme (yanked ones too: pinned consumers still use them), oldest
    registration first."""
    cur = await conn.execute(
        "SELECT version FROM theme_versions WHERE theme_id = %s ORDER BY created_at, version", (theme_id,)
    )
    return [str(row["version"]) for row in await cur.fetchall()]


async def popularity_rank_from_db(conn: AsyncConnection[DictRow], theme_id: UUID) -> dict[str, Any]:
    """The theme's place in the ranking computed as Redis's rebuild would (every theme's download + install
    count): ``position`` (1 + themes with a higher score; None when it has none), ``score``, ``ranked``."""
    cur = await conn.execute(
        "WITH s AS (SELECT theme_id, count(*) AS score FROM theme_analytics "
        "WHERE event_type IN ('download', 'install') GROUP BY theme_id), "
        "mine AS (SELECT score FROM s WHERE theme_id = %s) "
        "SELECT (SELECT score FROM mine) AS score, "
        "(SELECT count(*) FROM s WHERE s.score > (SELECT score FROM mine)) AS above, "
        "(SELECT count(*) FROM s) AS ranked",
        (theme_id,),
    )
    row = await cur.fetchone()
    assert row is not None  # an aggregate always answers one row
    if row["score"] is None:
        return {"position": None, "score": 0.0, "ranked": int(row["ranked"])}
    return {"position": int(row["above"]) + 1, "score": float(row["score"]), "ranked": int(row["ranked"])}


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
