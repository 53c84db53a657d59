"""Versions: list, register a release (immutable, strictly increasing, safe retry), yank, move ``latest``."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from backend.api.constants import API_PREFIX
from backend.api.deps import AuthorPrincipal, ConnDep, OptionalPrincipal, ServicesDep
from backend.api.errors import ApiError, conflict, not_found
from backend.api.routes.common import ensure_owner, may_see_unpublished
from backend.api.schemas import LatestAliasPublic, VersionCreate, VersionPublic, YankPublic
from backend.db import themes as themes_db
from backend.db import versions as versions_db
from backend.db.rows import plain_row
from backend.latest_alias import AliasError, AliasOutcome, move_latest, repoint_after_yank
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


@router.post("/themes/{theme_id}/versions/{version}/yank", response_model=YankPublic)
async def yank_version(
    theme_id: UUID, version: VersionText, conn: ConnDep, services: ServicesDep, principal: AuthorPrincipal
) -> YankPublic:
    """Hide a version from ``available_versions`` (its bytes stay: consumers pinned to it keep working).

    When ``latest`` serves it, the alias moves back to the newest release not yanked, or is removed when none
    is left (``latest_alias`` says which). The yank stands even when the store fails; yanking again retries.
    """
    await ensure_owner(conn, theme_id, principal)
    record = await versions_db.yank(conn, theme_id, version)
    if record is None:
        raise not_found("version")
    await services.cache.invalidate_theme(str(theme_id))
    alias = None
    if services.storage is not None:
        outcome = await repoint_after_yank(conn, services.storage, theme_id, str(record["version"]))
        alias = _alias_public(outcome, services.storage)
    return YankPublic.model_validate(record | {"latest_alias": alias})


@router.post(
    "/themes/{theme_id}/versions/{version}/latest",
    response_model=LatestAliasPublic,
    responses={
        409: {"description": "Not registered, yanked, not the newest, or the stored object differs."},
        422: {"description": "Not a semantic version."},
        503: {"description": "Object storage is not configured or failed; nothing changed."},
    },
)
async def move_latest_alias(
    theme_id: UUID, version: VersionText, conn: ConnDep, services: ServicesDep, principal: AuthorPrincipal
) -> LatestAliasPublic:
    """Point ``themes-published/<id>/latest/theme.css`` at this release (a server-side copy, bucket key).

    For publishers without the bucket key. Only the newest registered, non-yanked version, and only when its
    stored ``theme.css`` carries the registered sha256; repeating the call is harmless (``unchanged``).
    """
    await ensure_owner(conn, theme_id, principal)
    storage = services.storage
    if storage is None:
        raise ApiError(
            503, "storage_unconfigured", "Object storage is not configured on this server (SPACES_*)."
        )
    try:
        Version(version)
    except ValueError:
        raise ApiError(422, "invalid_version", "The version must be MAJOR.MINOR.PATCH semver.") from None
    try:
        outcome = await move_latest(conn, storage, theme_id, version)
    except AliasError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    return _alias_public(outcome, storage)


def _alias_public(outcome: AliasOutcome, storage: Any) -> LatestAliasPublic:
    return LatestAliasPublic(
        action=outcome.action,
        version=outcome.version,
        key=outcome.key,
        url=storage.public_url(outcome.key),
        message=outcome.message,
    )
