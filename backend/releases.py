"""Registering a release: review pin → verification → one transaction → signed manifest → ``latest``.

Nothing exists before the bytes are verified (:mod:`backend.release_verify`): a refused release registers
nothing, its unusable objects are removed so the same version can be uploaded again, and ``latest`` is not
touched. After the transaction commits, the manifest (kept in the version row) is written and ``latest`` moves
(:mod:`backend.latest_alias`, under the theme's row lock). A retry of the same version with the same bytes
finishes whichever of those two a crash or a store outage interrupted, and writes the same manifest bytes.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import anyio.to_thread
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from backend.db import drafts as drafts_db
from backend.db import versions as versions_db
from backend.db.users import Principal
from backend.latest_alias import AliasError, AliasOutcome, latest_css_key, move_latest, release_css_key
from backend.release_manifest import (
    CACHE_CONTROL,
    CONTENT_TYPE,
    ReviewRecord,
    build_payload,
    signed_manifest,
)
from backend.release_verify import VerificationFailedError, manifest_key, verify_release
from backend.semver import Version
from backend.signing import Signer
from backend.storage import ObjectStorage, StorageError
from studio.core.review.contrast_gate import WAIVER_HEADING, ContrastFailure, waiver_note

log = logging.getLogger(__name__)


class ReleaseError(Exception):
    """A refusal with the API's status and code; ``findings`` for ``verification_failed``."""

    def __init__(
        self, status: int, code: str, message: str, findings: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.findings = findings


@dataclass(frozen=True)
class ReleaseRequest:
    theme: dict[str, Any]
    version: str
    changes: str
    sha256: str
    size: int
    draft_id: UUID | None
    publisher: Principal
    contrast_waiver_reason: str | None = None


@dataclass(frozen=True)
class RegisteredRelease:
    record: dict[str, Any]
    created: bool
    latest: AliasOutcome


async def register_release(
    conn: AsyncConnection[DictRow],
    storage: ObjectStorage,
    signer: Signer,
    request: ReleaseRequest,
    *,
    max_bytes: int,
    allowed_origins: tuple[str, ...],
) -> RegisteredRelease:
    """Verify, register, sign, move ``latest``; see the module docstring.

    Raises:
        ReleaseError: 409 exists with other bytes / not above the latest / review pin missing or wrong;
            422 ``verification_failed``; 503 the store failed (before: nothing registered; after: the
            release is registered and a retry finishes it).
    """
    theme_id: UUID = request.theme["id"]
    version = Version(request.version)
    existing = await versions_db.find_version(conn, theme_id, version.text)
    if existing is not None:
        return await _retry(conn, storage, existing, request)
    latest = await versions_db.latest_version(conn, theme_id)
    if latest is not None and version <= latest:
        raise ReleaseError(
            409, "version_not_greater", f"Version {version.text} is not above the latest ({latest})."
        )
    review = await _review(conn, request)
    try:
        verified = await anyio.to_thread.run_sync(
            lambda: verify_release(
                storage,
                theme_id,
                version.text,
                sha256=request.sha256,
                size=request.size,
                max_bytes=max_bytes,
                allowed_origins=allowed_origins,
            )
        )
    except VerificationFailedError as exc:
        await anyio.to_thread.run_sync(_remove, storage, exc.removable)
        raise ReleaseError(
            422,
            "verification_failed",
            f"The uploaded release was refused ({len(exc.findings)} finding(s)); nothing was registered. "
            "Fix the findings and publish again; refused files were removed, so the same version can be "
            "uploaded again.",
            [f.to_json() for f in exc.findings],
        ) from None
    except StorageError as exc:
        raise _store_down(exc, registered=False) from None
    waiver = _contrast_waiver(verified.contrast_failures, request)
    changes = request.changes
    if waiver is not None and WAIVER_HEADING not in changes:
        note = waiver_note(waiver["reason"], waiver["failures"])
        changes = f"{changes.rstrip()}\n\n{note}" if changes.strip() else note
    payload = build_payload(
        theme_id=theme_id,
        version=version.text,
        created_at=datetime.now(UTC),
        publisher_id=request.publisher.user_id,
        publisher_name=request.publisher.name,
        review=review,
        verified=verified,
    )
    manifest = signed_manifest(signer, payload)
    result = await versions_db.register(
        conn,
        theme_id,
        version=version,
        changes=changes,
        sha256=verified.css_sha256,
        size=verified.css_size,
        css_url=storage.public_url(release_css_key(theme_id, version.text)),
        published_by=request.publisher.user_id,
        sri=verified.sri,
        manifest_key=manifest_key(theme_id, version.text),
        manifest=manifest.decode("utf-8"),
        draft_id=review.draft_id if review is not None else None,
        verified_keys=frozenset(o.key for o in verified.objects),
        contrast_waiver=waiver,
    )
    if result.outcome is versions_db.Outcome.GRANTS_OUTSTANDING:
        files = ", ".join(key.split(f"/{version.text}/", 1)[-1] for key in result.pending[:5])
        raise ReleaseError(
            409,
            "grants_outstanding",
            f"Files were granted for {version.text} but are not uploaded ({files}): upload them and register "
            "again, or register once their upload grants have expired. Nothing was registered.",
        )
    if result.outcome is versions_db.Outcome.NO_THEME:
        raise ReleaseError(404, "not_found", "No such theme.")
    if result.outcome is versions_db.Outcome.NOT_GREATER:
        raise ReleaseError(
            409, "version_not_greater", f"Version {version.text} is not above the latest ({result.latest})."
        )
    if result.outcome is versions_db.Outcome.CONFLICT or result.record is None:
        raise _exists(version.text)
    if result.outcome is versions_db.Outcome.EXISTS:  # a concurrent registration of the same bytes won
        return await _retry(conn, storage, result.record, request)
    return RegisteredRelease(result.record, True, await _finish(conn, storage, result.record, manifest))


async def _retry(
    conn: AsyncConnection[DictRow], storage: ObjectStorage, record: dict[str, Any], request: ReleaseRequest
) -> RegisteredRelease:
    """The same version again: same bytes → finish manifest and ``latest`` (200); other bytes → 409."""
    if record["sha256"] != request.sha256 or record["size"] != request.size:
        raise _exists(str(record["version"]))
    text = await versions_db.stored_manifest(conn, record["id"])
    manifest = text.encode("utf-8") if text is not None else None
    return RegisteredRelease(record, False, await _finish(conn, storage, record, manifest))


async def _finish(
    conn: AsyncConnection[DictRow], storage: ObjectStorage, record: dict[str, Any], manifest: bytes | None
) -> AliasOutcome:
    """Write the manifest (unless the bucket holds exactly it) and point ``latest`` at the release."""
    theme_id, version = record["theme_id"], str(record["version"])
    try:
        if manifest is not None and record["manifest_key"]:
            await anyio.to_thread.run_sync(_write_manifest, storage, str(record["manifest_key"]), manifest)
        return await move_latest(conn, storage, theme_id, version)
    except StorageError as exc:
        raise _store_down(exc, registered=True) from None
    except AliasError as exc:
        if exc.code in ("version_not_newest", "version_yanked"):
            return AliasOutcome("kept", None, latest_css_key(theme_id), exc.message)
        if exc.status == 503:
            raise _store_down(exc, registered=True) from None
        raise ReleaseError(exc.status, exc.code, exc.message) from None


def _write_manifest(storage: ObjectStorage, key: str, manifest: bytes) -> None:
    current = storage.get_object(key, max_bytes=len(manifest))
    if current is not None and current[1] == manifest and current[0].content_type == CONTENT_TYPE:
        return
    storage.put_object(key, manifest, content_type=CONTENT_TYPE, cache_control=CACHE_CONTROL, metadata={})


def _remove(storage: ObjectStorage, keys: list[str]) -> None:
    """Delete refused objects (best effort: a failure leaves them unregistered, never served as a release)."""
    for key in keys:
        with contextlib.suppress(StorageError, ValueError):
            storage.delete_object(key)


async def _review(conn: AsyncConnection[DictRow], request: ReleaseRequest) -> ReviewRecord | None:
    """The approved draft the release is pinned to; required when the theme's policy says so."""
    if request.draft_id is None:
        if request.theme["review_required"]:
            raise ReleaseError(
                409,
                "review_required",
                "This theme requires review: publish a draft that a reviewer approved, with draft_id set "
                "to it (its theme.css must be the released one).",
            )
        return None
    draft = await drafts_db.get_review(conn, request.draft_id)
    if draft is None or draft["theme_id"] != request.theme["id"]:
        raise ReleaseError(422, "draft_invalid", "draft_id is not a draft of this theme.")
    if draft["status"] != "approved":
        raise ReleaseError(
            409,
            "draft_not_approved",
            f"The draft is {draft['status']!r}; only an approved draft can be released.",
        )
    if draft["sha256"] != request.sha256:
        raise ReleaseError(
            409,
            "draft_mismatch",
            "The release's theme.css is not the approved draft's (sha256 differs): release exactly the "
            "approved stylesheet, or submit this one for review.",
        )
    return ReviewRecord(draft["id"], draft["reviewer_id"], draft["reviewer"], draft["reviewed_at"])


def _contrast_waiver(failures: tuple[ContrastFailure, ...], request: ReleaseRequest) -> dict[str, Any] | None:
    """The waiver record to keep, None when every pair passes; refuses failures without a reason.

    Nothing is removed on refusal: the stored bytes are a valid release, and registering them again with a
    waiver (or uploading fixed colours under the same version) is the way on.
    """
    if not failures:
        return None
    reason = (request.contrast_waiver_reason or "").strip()
    if not reason:
        raise ReleaseError(
            422,
            "contrast_failed",
            f"{len(failures)} text/background token pair(s) fail WCAG 2 AA contrast (4.5:1): fix the "
            "colours, or register with contrast_waiver.reason to publish anyway (the reason and the pairs "
            "are recorded with the release). Nothing was registered.",
            [
                {"rule": "contrast/wcag-aa", "message": f.describe(), "line": None, "key": None}
                for f in failures
            ],
        )
    return {
        "reason": reason,
        "failures": [f.to_json() for f in failures],
        "accepted_by": str(request.publisher.user_id),
    }


def _exists(version: str) -> ReleaseError:
    return ReleaseError(
        409, "version_exists", f"Version {version} is already registered with different bytes."
    )


def _store_down(exc: Exception, *, registered: bool) -> ReleaseError:
    log.warning("object storage failed during registration: %s", exc)
    if registered:
        return ReleaseError(
            503,
            "release_incomplete",
            "The release is verified and registered, but object storage failed while writing its manifest "
            "or moving latest; register the same version again to finish.",
        )
    return ReleaseError(
        503,
        "storage_unavailable",
        "Object storage failed while verifying the release; nothing was registered. Try again later.",
    )
