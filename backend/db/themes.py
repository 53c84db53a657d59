"""Themes: list with filters and keyset pages, get one with its available versions, create, update."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
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


SortOrder = Literal["updated", "new", "popular", "installs"]
SORT_ORDERS: tuple[SortOrder, ...] = ("updated", "new", "popular", "installs")


@dataclass(frozen=True)
class _SortKeys:
    """Where one sort order's keyset columns live: on themes, on the tag rows, on the counters."""

    themes: str  # column of ``themes t`` (any listing)
    tags: str  # column of ``theme_tags g`` (published listing by tag)
    stats: str | None  # column of ``theme_stats s`` when the untagged published listing walks its index


_SORT_KEYS: dict[SortOrder, _SortKeys] = {
    "updated": _SortKeys("t.updated_at", "g.updated_at", None),
    "new": _SortKeys("t.created_at", "g.created_at", None),
    "popular": _SortKeys("s.popularity", "g.popularity", "s.popularity"),
    "installs": _SortKeys("s.installs", "g.installs", "s.installs"),
}

# Browse's item: the summary plus the latest version, the preview's public URL (only when the release's signed
# manifest lists it) and the counters migration 0006 keeps current.
_COUNTS_JSON = (
    "json_build_object('views', COALESCE(s.views, 0), 'downloads', COALESCE(s.downloads, 0), "
    "'installs', COALESCE(s.installs, 0), 'favourites', COALESCE(s.favourites, 0))"
)
_PREVIEW_URL = (
    "CASE WHEN s.has_preview "
    "THEN %(cdn)s::text || 'themes-previews/' || t.id || '/' || t.version || '.png' END"
)
_ITEM_JSON = (
    f"json_build_object({_JSON_FIELDS}, 'latest_version', t.version, 'preview_url', {_PREVIEW_URL}, "
    f"'counts', {_COUNTS_JSON})::text"
)


async def list_themes(
    conn: AsyncConnection[DictRow],
    *,
    tag: str | None,
    q: str | None,
    author_id: UUID | None,
    published_only: bool,
    after: tuple[Any, UUID] | None,
    limit: int,
    sort: SortOrder = "updated",
    favourites_of: UUID | None = None,
    cdn_base: str | None = None,
) -> list[dict[str, Any]]:
    """One page in the sort order's stable keyset order; ``after``: (key, id) of the previous page's last row.

    Rows are ``{"json": <ThemeListItem JSON text>, "sort_key", "id"}`` (the last two make the next cursor).
    """
    sql, params = list_query(
        tag=tag,
        q=q,
        author_id=author_id,
        published_only=published_only,
        after=after,
        limit=limit,
        sort=sort,
        favourites_of=favourites_of,
        cdn_base=cdn_base,
    )
    cur = await conn.execute(sql, params)
    return await cur.fetchall()


def list_query(
    *,
    tag: str | None,
    q: str | None,
    author_id: UUID | None,
    published_only: bool,
    after: tuple[Any, UUID] | None,
    limit: int,
    sort: SortOrder = "updated",
    favourites_of: UUID | None = None,
    cdn_base: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of one :func:`list_themes` page (also what the benchmarks EXPLAIN).

    Order: the sort key DESC, then the id DESC (ties broken, so pages never overlap or skip). A published
    listing by tag walks the ``theme_tags`` index of the sort order (``(tag, key DESC, theme_id DESC)
    WHERE published``, migrations 0002/0006): WHERE, ORDER BY and cursor are one index range, so LIMIT stops
    the scan after ``limit`` entries whatever the tag's frequency. An untagged published listing by
    ``popular`` or ``installs`` walks ``theme_stats``'s partial index the same way; ``updated``/``new``
    walk the themes indexes. A favourites listing starts from the caller's few ``user_themes`` rows.
    """
    keys = _SORT_KEYS[sort]
    where = []
    params: dict[str, Any] = {"limit": limit, "cdn": cdn_base}
    by_tag = tag is not None and published_only and favourites_of is None
    by_stats = not by_tag and published_only and favourites_of is None and keys.stats is not None
    stats_join = "LEFT JOIN theme_stats s ON s.theme_id = t.id"
    if by_tag:
        stamp, ident = keys.tags, "g.theme_id"
        source = f"theme_tags g JOIN themes t ON t.id = g.theme_id {stats_join}"
        where.append("g.tag = %(tag)s AND g.published")
        params["tag"] = tag
    elif by_stats:
        stamp, ident = keys.stats or "", "s.theme_id"
        source = "theme_stats s JOIN themes t ON t.id = s.theme_id"
        where.append("s.published AND t.published")
    else:
        stamp, ident = keys.themes, "t.id"
        source = f"themes t {stats_join}"
        if favourites_of is not None:
            source = f"user_themes f JOIN themes t ON t.id = f.theme_id {stats_join}"
            where.append("f.user_id = %(fav)s AND f.relation = 'favorite'")
            params["fav"] = favourites_of
        if published_only:
            where.append("t.published")
        if tag is not None:
            where.append("t.tags @> ARRAY[%(tag)s]::text[]")
            params["tag"] = tag
    # Through a LEFT JOIN, a theme without a counters row (none is: a trigger makes them) sorts as zero.
    order_key = stamp if by_stats or not stamp.startswith("s.") else f"COALESCE({stamp}, 0)"
    if q:
        where.append(
            "to_tsvector('simple', t.name || ' ' || t.description) @@ plainto_tsquery('simple', %(q)s)"
        )
        params["q"] = q
    if author_id is not None:
        where.append("t.author_id = %(author_id)s")
        params["author_id"] = author_id
    if after is not None:
        where.append(f"({order_key}, {ident}) < (%(after_key)s, %(after_id)s)")
        params["after_key"], params["after_id"] = after
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    sql = (
        f"SELECT {_ITEM_JSON} AS json, {order_key} AS sort_key, {ident} AS id FROM {source} "
        f"{clause} ORDER BY {order_key} DESC, {ident} DESC LIMIT %(limit)s"
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
