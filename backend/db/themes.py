"""Themes: list with filters and keyset pages, get one with its available versions, create, update."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import DictRow

_COLUMNS = (
    "t.id, t.name, t.description, t.author_id, t.author, t.author_url, t.tags, t.version, t.css_url, "
    "t.published, t.review_required, t.created_at, t.updated_at"
)

_AVAILABLE = """COALESCE((SELECT array_agg(v.version ORDER BY v.created_at DESC, v.id DESC)
                 FROM theme_versions v WHERE v.theme_id = t.id AND v.yanked_at IS NULL), '{}')"""

# The original getThemeById: the theme and the versions one may still install (not yanked), newest first.
_GET_SQL = f"SELECT {_COLUMNS}, {_AVAILABLE} AS available_versions FROM themes t WHERE t.id = %s"

# The public JSON of a theme, built by Postgres (in C) for the hot read routes: no row decoding into Python
# objects and no re-encoding. Same keys, in the same order, as the ThemeSummary/ThemePublic models.
_JSON_FIELDS = ", ".join(f"'{name}', t.{name}" for name in (c.strip()[2:] for c in _COLUMNS.split(",")))
_SUMMARY_JSON = f"json_build_object({_JSON_FIELDS})::text"
_PUBLIC_JSON = f"json_build_object({_JSON_FIELDS}, 'available_versions', {_AVAILABLE})::text"
_GET_JSON_SQL = f"SELECT {_PUBLIC_JSON} AS json, t.published, t.author_id FROM themes t WHERE t.id = %s"


class ThemeExistsError(Exception):
    """A theme with the requested id already exists."""


async def get_theme(conn: AsyncConnection[DictRow], theme_id: UUID) -> dict[str, Any] | None:
    cur = await conn.execute(_GET_SQL, (theme_id,))
    return await cur.fetchone()


async def get_theme_json(conn: AsyncConnection[DictRow], theme_id: UUID) -> dict[str, Any] | None:
    """``{"json": <ThemePublic JSON text>, "published", "author_id"}`` of one theme, or None."""
    cur = await conn.execute(_GET_JSON_SQL, (theme_id,))
    return await cur.fetchone()


async def theme_owner(conn: AsyncConnection[DictRow], theme_id: UUID, *, lock: bool = False) -> UUID | None:
    """The author of a theme (None if no such theme); ``lock`` takes the row lock for a write transaction."""
    suffix = " FOR UPDATE" if lock else ""
    cur = await conn.execute("SELECT author_id FROM themes WHERE id = %s" + suffix, (theme_id,))
    row = await cur.fetchone()
    return None if row is None else row["author_id"]


async def list_themes(
    conn: AsyncConnection[DictRow],
    *,
    tag: str | None,
    q: str | None,
    author_id: UUID | None,
    published_only: bool,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """One page in the stable order (updated_at DESC, id DESC); ``after``: last row of the previous page.

    Rows are ``{"json": <ThemeSummary JSON text>, "updated_at", "id"}`` (the last two make the next cursor).
    """
    sql, params = list_query(
        tag=tag, q=q, author_id=author_id, published_only=published_only, after=after, limit=limit
    )
    cur = await conn.execute(sql, params)
    return await cur.fetchall()


def list_query(
    *,
    tag: str | None,
    q: str | None,
    author_id: UUID | None,
    published_only: bool,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of one :func:`list_themes` page (also what the benchmark EXPLAINs).

    A published listing by tag walks ``theme_tags_published_keyset`` (tag, updated_at DESC, theme_id DESC):
    the WHERE, the ORDER BY and the cursor are one index range, so LIMIT stops the scan after ``limit``
    entries whatever the tag's frequency (migration 0002). Other listings use the themes indexes.
    """
    where = []
    params: dict[str, Any] = {"limit": limit}
    by_tag = tag is not None and published_only
    # Order and keyset columns: the tag index's copies when walking it, so the planner can push both down.
    stamp, ident = ("g.updated_at", "g.theme_id") if by_tag else ("t.updated_at", "t.id")
    if by_tag:
        source = "theme_tags g JOIN themes t ON t.id = g.theme_id"
        where.append("g.tag = %(tag)s AND g.published")
        params["tag"] = tag
    else:
        source = "themes t"
        if published_only:
            where.append("t.published")
        if tag is not None:
            where.append("t.tags @> ARRAY[%(tag)s]::text[]")
            params["tag"] = tag
    if q:
        where.append(
            "to_tsvector('simple', t.name || ' ' || t.description) @@ plainto_tsquery('simple', %(q)s)"
        )
        params["q"] = q
    if author_id is not None:
        where.append("t.author_id = %(author_id)s")
        params["author_id"] = author_id
    if after is not None:
        where.append(f"({stamp}, {ident}) < (%(after_ts)s, %(after_id)s)")
        params["after_ts"], params["after_id"] = after
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    sql = (
        f"SELECT {_SUMMARY_JSON} AS json, {stamp} AS updated_at, {ident} AS id FROM {source} {clause} "
        f"ORDER BY {stamp} DESC, {ident} DESC LIMIT %(limit)s"
    )
    return sql, params


async def create_theme(
    conn: AsyncConnection[DictRow],
    *,
    theme_id: UUID | None,
    name: str,
    description: str,
    author_id: UUID,
    author: str,
    author_url: str | None,
    tags: list[str],
) -> UUID:
    """Insert a theme (and the author's ``created`` relation) in one transaction; returns its id."""
    try:
        async with conn.transaction():
            cur = await conn.execute(
                "INSERT INTO themes (id, name, description, author_id, author, author_url, tags) "
                "VALUES (COALESCE(%s, gen_random_uuid()), %s, %s, %s, %s, %s, %s) RETURNING id",
                (theme_id, name, description, author_id, author, author_url, tags),
            )
            row = await cur.fetchone()
            assert row is not None
            await conn.execute(
                "INSERT INTO user_themes (user_id, theme_id, relation) VALUES (%s, %s, 'created')",
                (author_id, row["id"]),
            )
    except psycopg.errors.UniqueViolation:
        raise ThemeExistsError from None
    return UUID(str(row["id"]))


async def update_theme(conn: AsyncConnection[DictRow], theme_id: UUID, changes: dict[str, Any]) -> bool:
    """Apply metadata changes (only known columns); bumps updated_at. False when the theme is gone.

    Unpublishing marks the theme ``withdrawn`` (registering a version does not publish it again);
    publishing clears it.
    """
    allowed = {"name", "description", "author_url", "tags", "published", "review_required"}
    fields = {k: v for k, v in changes.items() if k in allowed}
    if "published" in fields:
        fields["withdrawn"] = not fields["published"]
    assignments = ", ".join(f"{name} = %({name})s" for name in fields)
    sql = (
        "UPDATE themes SET "
        + (assignments + ", " if assignments else "")
        + "updated_at = now() WHERE id = %(id)s"
    )
    cur = await conn.execute(sql, {**fields, "id": theme_id})
    return cur.rowcount == 1
