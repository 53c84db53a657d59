"""Upload grants: presigned uploads scoped to the keys of one release or one draft; reviewer downloads.

Only the backend holds the bucket key; a grant lets a client write one object, with one content type and an
exact size (and sha256 checksum), for a few minutes. Release grants also sign ``If-None-Match: *``: published
keys are immutable, so a grant can create one but never overwrite it (the store answers 412).

Content types may carry a ``charset`` (``text/css; charset=utf-8``, what key-mode publishes write); the grant
signs the normalised form, which is exactly what the client must send.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter

from backend.api.constants import API_PREFIX
from backend.api.deps import AuthorPrincipal, ConnDep, CurrentPrincipal, ReviewerPrincipal, ServicesDep
from backend.api.errors import ApiError, conflict, forbidden, not_found
from backend.api.schemas import (
    DownloadGrant,
    DraftGrantRequest,
    GrantFile,
    GrantList,
    ReleaseGrantRequest,
    UploadGrantPublic,
)
from backend.config import Settings
from backend.db import drafts as drafts_db
from backend.db import themes as themes_db
from backend.db import versions as versions_db
from backend.semver import Version
from studio.core.release_assets import (
    ASSET_CONTENT_TYPES,
    ASSET_DISPOSITION,
    asset_content_type,
    safe_asset_path,
)
from studio.core.release_docs import (
    DOCS_DIR,
    README_NAME,
    doc_content_type,
    doc_disposition,
    doc_size_cap,
    docs_prefix,
    refusal,
)

router = APIRouter(prefix=API_PREFIX, tags=["grants"])

CSS_MAX_BYTES = 5 * 1_048_576
IMMUTABLE = "public, max-age=31536000, immutable"
NO_STORE = "no-store"
DOWNLOAD_EXPIRES_S = 300
#: How long after its expiry a grant is still treated as usable (the store's clock may run behind ours).
GRANT_CLOCK_SKEW_S = 120


def _storage(services: Any) -> Any:
    if services.storage is None:
        raise ApiError(
            503, "storage_unconfigured", "Object storage is not configured on this server (SPACES_*)."
        )
    return services.storage


def normalized_content_type(value: str) -> str:
    """``Text/CSS;Charset="UTF-8"`` → ``text/css; charset=utf-8``: the one spelling a grant signs.

    Only a ``charset`` parameter is allowed (422 otherwise); for ``text/css`` it must be utf-8.
    """
    media, *params = (part.strip() for part in value.split(";"))
    media = media.lower()
    normal = [media]
    for param in params:
        name, _, raw = param.partition("=")
        name, raw = name.strip().lower(), raw.strip().strip('"').lower()
        if name != "charset" or not raw or len(params) > 1:
            raise ApiError(422, "bad_content_type", "The only Content-Type parameter allowed is one charset.")
        if media == "text/css" and raw != "utf-8":
            raise ApiError(422, "bad_content_type", "Stylesheets are uploaded as UTF-8 (charset=utf-8).")
        normal.append(f"{name}={raw}")
    return "; ".join(normal)


def _release_key(theme_id: UUID, version: str, file: GrantFile, settings: Settings) -> tuple[str, int]:
    """The object key and size cap for one file of a release; 422 for paths outside the release layout and
    for assets that are not fonts or images of the one Content-Type their extension allows.

    ``file.content_type`` must already be normalised.
    """
    prefix = f"themes-published/{theme_id}/{version}"
    if file.path == "theme.css":
        if file.content_type.split(";")[0] != "text/css":
            raise ApiError(422, "bad_content_type", "theme.css must be uploaded as text/css.")
        return f"{prefix}/theme.css", CSS_MAX_BYTES
    if file.path == "preview.png":
        if file.content_type != "image/png":
            raise ApiError(422, "bad_content_type", "preview.png must be uploaded as image/png.")
        return f"themes-previews/{theme_id}/{version}.png", settings.asset_max_bytes
    if file.path == README_NAME or file.path.startswith(DOCS_DIR + "/"):
        return _doc_key(theme_id, version, file)
    if not file.path.startswith("assets/"):
        raise ApiError(
            422,
            "bad_path",
            "Release files are theme.css, preview.png, assets/<name>, README.md or docs/<name>.",
        )
    if not safe_asset_path(file.path):
        raise ApiError(422, "bad_path", f"Path not allowed: {file.path[:100]!r}.")
    allowed = asset_content_type(file.path)
    if allowed is None:
        raise ApiError(
            422,
            "asset_type_not_allowed",
            f"{file.path[:100]} may not be published: assets are fonts and images "
            f"({', '.join(sorted(ASSET_CONTENT_TYPES))}).",
        )
    if file.content_type != allowed:
        raise ApiError(422, "bad_content_type", f"{file.path[:100]} must be uploaded as {allowed}.")
    return f"{prefix}/{file.path}", settings.asset_max_bytes


def _doc_key(theme_id: UUID, version: str, file: GrantFile) -> tuple[str, int]:
    """README.md and docs/: Markdown or images, under ``themes-documentation/<id>/<version>/``."""
    allowed = doc_content_type(file.path)
    if allowed is None:
        raise ApiError(422, "doc_type_not_allowed", refusal(file.path))
    if file.content_type != allowed:
        raise ApiError(422, "bad_content_type", f"{file.path[:100]} must be uploaded as {allowed}.")
    return docs_prefix(str(theme_id), version) + file.path, doc_size_cap(allowed)


@router.post("/themes/{theme_id}/grants/release", response_model=GrantList)
async def grant_release(
    theme_id: UUID,
    body: ReleaseGrantRequest,
    conn: ConnDep,
    services: ServicesDep,
    principal: AuthorPrincipal,
) -> GrantList:
    """Presigned uploads for the files of a new release (the theme's author only, not even an admin)."""
    owner = await themes_db.theme_owner(conn, theme_id)
    if owner is None:
        raise not_found()
    if owner != principal.user_id:
        raise forbidden("Only the theme's author may upload a release.")
    storage = _storage(services)
    version = Version(body.version)
    if await versions_db.find_version(conn, theme_id, body.version) is not None:
        raise conflict(
            "version_exists", f"Version {body.version} is already published; published bytes never change."
        )
    latest = await versions_db.latest_version(conn, theme_id)
    if latest is not None and version <= latest:
        raise conflict("version_not_greater", f"Version {body.version} is not above the latest ({latest}).")
    files = [
        f.model_copy(update={"content_type": normalized_content_type(f.content_type)}) for f in body.files
    ]
    keys = [_release_key(theme_id, body.version, f, services.settings) for f in files]
    if len({key for key, _ in keys}) != len(keys):
        raise ApiError(422, "duplicate_path", "Each file may appear once.")
    total, cap = sum(f.size for f in files), services.settings.release_max_bytes
    if total > cap:
        raise ApiError(
            422,
            "release_too_large",
            f"The release files add up to {total} bytes; a version holds at most {cap}.",
        )
    grants = []
    for file, (key, cap) in zip(files, keys, strict=True):
        if file.size > cap:
            raise ApiError(422, "file_too_large", f"{file.path[:100]} is larger than {cap} bytes.")
        grant = storage.grant_upload(
            key,
            content_type=file.content_type,
            max_bytes=cap,
            metadata={"theme-id": str(theme_id), "version": body.version},
            cache_control=IMMUTABLE,
            expires_in=services.settings.grant_expires_s,
            size=file.size,
            sha256=file.sha256,
            if_none_match=True,
            content_disposition=_disposition(file),
        )
        grants.append(UploadGrantPublic.model_validate(grant, from_attributes=True))
    # A presigned upload cannot be revoked: registration waits for every granted key (see record_grants).
    usable_for = services.settings.grant_expires_s + GRANT_CLOCK_SKEW_S
    usable_until = datetime.now(UTC) + timedelta(seconds=usable_for)
    async with conn.transaction():
        recorded = await versions_db.record_grants(
            conn, theme_id, body.version, [key for key, _ in keys], usable_until
        )
    if not recorded:
        raise conflict(
            "version_exists", f"Version {body.version} is already published; published bytes never change."
        )
    return GrantList(grants=grants)


def _disposition(file: GrantFile) -> str:
    """A navigation to an asset (or a docs image) downloads it instead of rendering it (stylesheets' and
    readers' loads ignore this)."""
    if file.path.startswith("assets/"):
        return ASSET_DISPOSITION
    if file.path.startswith(DOCS_DIR + "/"):
        return doc_disposition(file.content_type)
    return ""


@router.post("/drafts/{draft_id}/grant", response_model=GrantList)
async def grant_draft_upload(
    draft_id: UUID,
    conn: ConnDep,
    services: ServicesDep,
    principal: CurrentPrincipal,
    body: DraftGrantRequest | None = None,
) -> GrantList:
    """A presigned upload of the draft's stylesheet (its author, while the draft is still a ``draft``).

    ``content_type`` is ``text/css`` unless the body asks for ``text/css; charset=utf-8``.
    """
    draft = await drafts_db.get_draft(conn, draft_id)
    if draft is None:
        raise not_found("draft")
    if draft["author_id"] != principal.user_id or principal.role not in ("author", "admin"):
        raise forbidden("Only the draft's author may upload it.")
    if draft["status"] != "draft":
        raise conflict("illegal_transition", "Only a draft not yet submitted can be uploaded.")
    content_type = normalized_content_type(body.content_type if body is not None else "text/css")
    if content_type.split(";")[0] != "text/css":
        raise ApiError(422, "bad_content_type", "A draft stylesheet is uploaded as text/css.")
    storage = _storage(services)
    grant = storage.grant_upload(
        draft["object_key"],
        content_type=content_type,
        max_bytes=CSS_MAX_BYTES,
        metadata={"theme-id": str(draft["theme_id"]), "version": f"draft-{draft['revision']}"},
        cache_control=NO_STORE,
        expires_in=services.settings.grant_expires_s,
        size=draft["size"],
        sha256=draft["sha256"],
    )
    return GrantList(grants=[UploadGrantPublic.model_validate(grant, from_attributes=True)])


@router.get("/drafts/{draft_id}/grant", response_model=DownloadGrant)
async def grant_draft_download(
    draft_id: UUID, conn: ConnDep, services: ServicesDep, _: ReviewerPrincipal
) -> DownloadGrant:
    """A short-lived presigned GET of a submitted draft (reviewers).

    A draft still in ``draft`` is its author's work in progress: 409 ``draft_not_submitted``. Once
    submitted (``in_review``) and after a decision (``approved``, ``changes_requested``) reviewers may read
    it: the bytes are frozen from submission on (no upload grant after ``draft``), and a decided draft stays
    readable so a reviewer can compare a new revision with the one they judged.
    """
    draft = await drafts_db.get_draft(conn, draft_id)
    if draft is None:
        raise not_found("draft")
    if draft["status"] == "draft":
        raise conflict("draft_not_submitted", "This draft has not been submitted for review yet.")
    url = _storage(services).grant_download(draft["object_key"], expires_in=DOWNLOAD_EXPIRES_S)
    expires = datetime.now(UTC) + timedelta(seconds=DOWNLOAD_EXPIRES_S)
    return DownloadGrant(key=draft["object_key"], url=url, expires_at=expires)
