"""Versions: list, register a verified release (immutable, increasing, safe retry), yank, move ``latest``."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from backend.api.constants import API_PREFIX
from backend.api.deps import AuthorPrincipal, ConnDep, OptionalPrincipal, ServicesDep
from backend.api.errors import ApiError, not_found
from backend.api.routes.common import ensure_owner, may_see_unpublished
from backend.api.schemas import (
    LatestAliasPublic,
    ReleasePublic,
    VerificationFailed,
    VersionCreate,
    VersionPublic,
    YankPublic,
)
from backend.db import themes as themes_db
from backend.db import versions as versions_db
from backend.db.rows import plain_row
from backend.latest_alias import AliasError, AliasOutcome, move_latest, repoint_after_yank
from backend.releases import ReleaseError, ReleaseRequest, register_release
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
    response_model=ReleasePublic,
    responses={
        200: {"description": "The same version with the same bytes was already registered (safe retry; it "
              "finishes a manifest write or latest move that was interrupted)."},
        409: {"description": "The version exists with different bytes, is not above the latest, or the "
              "theme's review policy is not met (review_required, draft_not_approved, draft_mismatch)."},
        422: {"model": VerificationFailed, "description": "verification_failed: the stored release was "
              "refused (findings: rule, message, line, key); nothing was registered. contrast_failed: "
              "text/background pairs fail WCAG 2 AA and no contrast_waiver was given (findings list them)."},
        503: {"description": "storage_unconfigured / storage_unavailable (nothing registered) or "
              "release_incomplete (registered; retry the same request to finish)."},
    },
)
async def register_version(
    theme_id: UUID, body: VersionCreate, conn: ConnDep, services: ServicesDep, principal: AuthorPrincipal
) -> JSONResponse:
    """Verify the uploaded release in the bucket, then register it, sign its manifest and move ``latest``.

    The client sends no URL: keys and URLs come from the server's layout. The stored ``theme.css`` must have
    the given sha256 and size and pass the studio's lint; every asset must be an allowed, safely served type;
    the version's total stays under the size cap. Only then, in one transaction, the version is inserted and
    the theme's current version and css_url updated (the theme is published unless its author withdrew it).
    """
    await ensure_owner(conn, theme_id, principal)
    storage = services.storage
    if storage is None:
        raise ApiError(
            503,
            "storage_unconfigured",
            "Object storage is not configured on this server (SPACES_*): releases cannot be verified.",
        )
    theme = await themes_db.get_theme(conn, theme_id)
    if theme is None:
        raise not_found()
    request = ReleaseRequest(
        theme,
        body.version,
        body.changes,
        body.sha256,
        body.size,
        body.draft_id,
        principal,
        body.contrast_waiver.reason if body.contrast_waiver is not None else None,
    )
    settings = services.settings
    try:
        done = await register_release(
            conn,
            storage,
            services.signer,
            request,
            max_bytes=settings.release_max_bytes,
            allowed_origins=tuple(settings.release_allowed_origins),
        )
    except ReleaseError as exc:
        if exc.findings is not None:
            return JSONResponse(
                {"error": exc.code, "message": exc.message, "findings": exc.findings}, status_code=exc.status
            )
        raise ApiError(exc.status, exc.code, exc.message) from None
    if done.created or done.latest.action == "moved":
        await services.cache.invalidate_theme(str(theme_id))
    record = plain_row(done.record) | {
        "manifest_url": (
            storage.public_url(done.record["manifest_key"]) if done.record["manifest_key"] else None
        ),
        "latest_alias": _alias_public(done.latest, storage).model_dump(),
    }
    return JSONResponse(record, status_code=201 if done.created else 200)


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
