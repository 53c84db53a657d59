"""Versions: list, register a release (immutable, strictly increasing, safe retry), yank."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from backend.api.constants import API_PREFIX
from backend.api.deps import AuthorPrincipal, ConnDep, OptionalPrincipal, ServicesDep
from backend.api.errors import conflict, not_found
from backend.api.routes.common import ensure_owner, may_see_unpublished
from backend.api.schemas import VersionCreate, VersionPublic
from backend.db import themes as themes_db
from backend.db import versions as versions_db
from backend.db.rows import plain_row
from backend.semver import Version

router = APIRouter(prefix=API_PREFIX, tags=["versions"])
VersionText = Annotated[str, Path(max_length=64)]


@router.get("/themes/{theme_id}/versions", response_model=list[VersionPublic])
async def list_versions(theme_id: UUID, conn: ConnDep, principal: OptionalPrincipal) -> list[VersionPublic]:
    """Every version, yanked ones included (with ``yanked_at``), newest first."""
    theme = await themes_db.get_theme(conn, theme_id)
    if theme is None or (not theme["published"] and not may_see_unpublished(theme, principal)):
        raise not_found()
    return [VersionPublic.model_validate(row) for row in await versions_db.list_versions(conn, theme_id)]


@router.post(
    "/themes/{theme_id}/versions",
    status_code=201,
    response_model=VersionPublic,
    responses={
        200: {"description": "The same version with the same bytes was already registered (safe retry)."},
        409: {"description": "The version exists with different bytes, or is not above the latest."},
    },
)
async def register_version(
    theme_id: UUID, body: VersionCreate, conn: ConnDep, services: ServicesDep, principal: AuthorPrincipal
) -> JSONResponse:
    """Register a release; updates the theme's current version, css_url and published flag atomically."""
    await ensure_owner(conn, theme_id, principal)
    result = await versions_db.register(
        conn,
        theme_id,
        version=Version(body.version),
        changes=body.changes,
        sha256=body.sha256,
        size=body.size,
        css_url=body.css_url,
        published_by=principal.user_id,
    )
    outcome = result.outcome
    if outcome is versions_db.Outcome.NO_THEME:
        raise not_found()
    if outcome is versions_db.Outcome.CONFLICT:
        raise conflict(
            "version_exists", f"Version {body.version} is already registered with different bytes."
        )
    if outcome is versions_db.Outcome.NOT_GREATER:
        raise conflict(
            "version_not_greater", f"Version {body.version} is not above the latest ({result.latest})."
        )
    assert result.record is not None
    if outcome is versions_db.Outcome.CREATED:
        await services.cache.invalidate_theme(str(theme_id))
    return JSONResponse(
        plain_row(result.record), status_code=201 if outcome is versions_db.Outcome.CREATED else 200
    )


@router.post("/themes/{theme_id}/versions/{version}/yank", response_model=VersionPublic)
async def yank_version(
    theme_id: UUID, version: VersionText, conn: ConnDep, services: ServicesDep, principal: AuthorPrincipal
) -> VersionPublic:
    """Hide a version from ``available_versions`` (its bytes stay: consumers pinned to it keep working)."""
    await ensure_owner(conn, theme_id, principal)
    record = await versions_db.yank(conn, theme_id, version)
    if record is None:
        raise not_found("version")
    await services.cache.invalidate_theme(str(theme_id))
    return VersionPublic.model_validate(record)
