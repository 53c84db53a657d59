"""Themes: list/search, get one (cached in Redis), create, update metadata."""

from __future__ import annotations

import json
from typing import Annotated
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Query
from fastapi.responses import Response

from backend.api.constants import API_PREFIX
from backend.api.deps import AuthorPrincipal, ConnDep, OptionalPrincipal, RequestDbDep, ServicesDep
from backend.api.errors import ApiError, forbidden, not_found
from backend.api.routes.common import (
    decode_sort_cursor,
    encode_sort_cursor,
    ensure_owner,
    may_see_unpublished,
)
from backend.api.schemas import ThemeCreate, ThemePage, ThemePublic, ThemeUpdate
from backend.db import themes as themes_db
from backend.db.themes import SortOrder
from backend.storage import ObjectStorage, StorageError

router = APIRouter(prefix=API_PREFIX, tags=["themes"])
JSON = "application/json"


@router.get("/themes", response_model=ThemePage)
async def list_themes(
    conn: ConnDep,
    services: ServicesDep,
    principal: OptionalPrincipal,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    author_id: UUID | None = None,
    include_unpublished: bool = False,
    sort: SortOrder = "updated",
    favourites: bool = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Published themes in ``sort`` order; filter by tag, text and the caller's favourites; page by cursor.

    ``sort``: ``updated`` (newest change first, the default), ``new`` (newest theme first), ``popular``
    (downloads + installs) or ``installs``; ties go by id, and ``next_cursor`` is only valid for the same
    order. ``favourites=true`` lists the caller's favourites (needs a token). Each item carries its latest
    version, the preview's public URL (null when the release has none) and its counts. Unpublished themes are
    listed only for an admin, or for an author listing their own (``author_id``).
    """
    if include_unpublished and not (
        principal is not None and (principal.role == "admin" or principal.user_id == author_id)
    ):
        raise forbidden("Only admins, or authors for their own themes, may list unpublished themes.")
    if favourites and principal is None:
        raise ApiError(
            401, "unauthorized", "favourites=true lists the caller's favourites: it needs a bearer token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    cdn = services.settings.cdn_base_url
    rows = await themes_db.list_themes(
        conn,
        tag=tag,
        q=q.strip() if q else None,
        author_id=author_id,
        published_only=not include_unpublished,
        after=decode_sort_cursor(cursor, sort) if cursor else None,
        limit=limit + 1,
        sort=sort,
        favourites_of=principal.user_id if favourites and principal is not None else None,
        cdn_base=cdn.rstrip("/") + "/" if cdn else None,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_sort_cursor(sort, rows[-1]["sort_key"], rows[-1]["id"]) if more else None
    # Items come as JSON text from Postgres (the response model documents the shape; re-encoding costs).
    items = ",".join(row["json"] for row in rows)
    body = '{"items":[' + items + '],"next_cursor":' + json.dumps(next_cursor) + "}"
    return Response(body.encode(), media_type=JSON)


@router.get("/themes/{theme_id}", response_model=ThemePublic)
async def get_theme(
    theme_id: UUID, services: ServicesDep, db: RequestDbDep, principal: OptionalPrincipal
) -> Response:
    """One theme with ``available_versions`` (not yanked, newest first); served from Redis when cached.

    A hit takes no database connection (unless the caller authenticates); a miss uses the request's one.
    """
    key = str(theme_id)
    lookup = await services.cache.get_theme(key)
    payload = lookup.payload
    if payload is None:
        row = await themes_db.get_theme_json(await db.connection(), theme_id)
        if row is None:
            raise not_found()
        payload = row["json"].encode()
        await services.cache.set_theme(key, payload, lookup.seen)
        published, author_id = row["published"], str(row["author_id"])
    else:
        cached = json.loads(payload)
        published, author_id = cached["published"], cached["author_id"]
    if not published and not may_see_unpublished({"author_id": author_id}, principal):
        raise not_found()
    return Response(payload, media_type=JSON)


# Every storage prefix a theme id owns (DESIGN section 2). A grant for a theme writes under these, so an
# id whose prefixes hold objects belongs to someone already, registered or not (e.g. published with a
# bucket key).
THEME_PREFIXES = ("themes-published", "themes-previews", "themes-drafts", "themes-documentation")


def _occupied_prefix(storage: ObjectStorage, theme_id: UUID) -> str | None:
    """The first of the id's storage prefixes that already holds an object, or None. Blocking (boto3).

    Raises:
        ApiError: 503 when the store does not answer: an id that cannot be checked is not handed out.
    """
    try:
        for top in THEME_PREFIXES:
            if storage.has_objects(f"{top}/{theme_id}/"):
                return f"{top}/{theme_id}/"
    except StorageError:
        raise ApiError(
            503, "storage_unavailable", "Object storage did not answer; the theme id could not be checked."
        ) from None
    return None


@router.post("/themes", status_code=201, response_model=ThemePublic)
async def create_theme(
    body: ThemeCreate, conn: ConnDep, services: ServicesDep, principal: AuthorPrincipal
) -> Response:
    """Create a theme owned by the caller. Without ``id`` the server generates one (preferred).

    A client-chosen id is refused with 409 ``theme_id_taken`` when any of its storage prefixes already holds
    objects: a registry row was missing, not the owner, and grants would hand over another author's prefix.
    """
    if body.id is not None and services.storage is not None:
        if await themes_db.theme_owner(conn, body.id) is not None:
            raise ApiError(409, "theme_exists", "A theme with this id already exists.")
        occupied = await anyio.to_thread.run_sync(_occupied_prefix, services.storage, body.id)
        if occupied is not None:
            raise ApiError(
                409,
                "theme_id_taken",
                f"Objects already exist under {occupied}: this theme id is in use. Create the theme without "
                "an id to get a new one, and put that id in theme.toml.",
            )
    try:
        theme_id = await themes_db.create_theme(
            conn,
            theme_id=body.id,
            name=body.name,
            description=body.description,
            author_id=principal.user_id,
            author=principal.name,
            author_url=body.author_url,
            tags=sorted(set(body.tags)),
        )
    except themes_db.ThemeExistsError:
        raise ApiError(409, "theme_exists", "A theme with this id already exists.") from None
    row = await themes_db.get_theme_json(conn, theme_id)
    assert row is not None
    return Response(row["json"].encode(), status_code=201, media_type=JSON)


@router.patch("/themes/{theme_id}", response_model=ThemePublic)
async def update_theme(
    theme_id: UUID, body: ThemeUpdate, conn: ConnDep, services: ServicesDep, principal: AuthorPrincipal
) -> Response:
    """Change metadata; only the theme's author or an admin. Publishing needs a registered version.

    ``published=false`` sticks: registering a version never publishes the theme again, only
    ``published=true`` does. ``review_required=true`` makes every release carry an approved draft.
    """
    await ensure_owner(conn, theme_id, principal)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("tags") is not None:
        changes["tags"] = sorted(set(changes["tags"]))
    not_null = ("name", "description", "tags", "published", "review_required")
    if any(changes.get(k) is None for k in not_null if k in changes):
        raise ApiError(
            422, "validation_error", "name, description, tags, published and review_required cannot be null."
        )
    current = await themes_db.get_theme(conn, theme_id)
    if changes.get("published") and (current is None or current["version"] is None):
        raise ApiError(409, "no_version", "Register a version before publishing the theme.")
    await themes_db.update_theme(conn, theme_id, changes)
    await services.cache.invalidate_theme(str(theme_id))
    row = await themes_db.get_theme_json(conn, theme_id)
    if row is None:
        raise not_found()
    return Response(row["json"].encode(), media_type=JSON)
