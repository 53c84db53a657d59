"""Verify a release in the bucket before it is registered: the service checks the bytes itself.

With the bucket key (only the backend holds it), :func:`verify_release` lists the version's prefix, GETs every
object and checks, for ``theme.css``: size and sha256 against what the client registers, the studio's own lint
(``studio.core.css.lint``; one implementation) with no error, and the contrast of its text/background token
pairs (``studio.core.review.contrast_gate``, which the registration enforces); for each asset: an allowed
extension, the one Content-Type that goes with it, ``Content-Disposition: attachment``, bytes that look like
that type (SVG: the studio's SVG safety check); for every object: the immutable Cache-Control, no
Content-Encoding, ``sha256`` metadata equal to the real digest; nothing else under the prefix; the total
within the per-version cap.

Nothing is trusted from the client except the version and the sha256/size it claims, which must match.
Blocking (boto3): run it in a worker thread.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from backend.storage import ObjectStorage, StoredObject
from studio.core.css.lint import MAX_STYLESHEET_BYTES, LintOptions, lint_bytes
from studio.core.css.safety import REMOTE_IMPORT, REMOTE_URL
from studio.core.diagnostics import Severity
from studio.core.release_assets import (
    ASSET_DISPOSITION,
    SVG_TYPE,
    asset_content_type,
    safe_asset_path,
    sniff_matches,
    svg_problems,
)
from studio.core.release_manifest import ManifestObject
from studio.core.review.contrast_gate import ContrastFailure, contrast_failures

IMMUTABLE = "public, max-age=31536000, immutable"
# theme.toml's allowed_origins is the author's word; the service trusts only its operator's list.
_REMOTE_NOTE = (
    " The service does not read allowed_origins from theme.toml: it accepts only the origins its operator "
    "lists in RELEASE_ALLOWED_ORIGINS."
)
CSS_TYPES = frozenset({"text/css", "text/css; charset=utf-8"})
MANIFEST_NAME = "manifest.json"
_WORKERS = 8
_MAX_FINDINGS = 200
_MAX_OBJECTS = 10_000
_SNIFF_BYTES = 64  # enough for every signature sniff_matches knows


def release_prefix(theme_id: UUID | str, version: str) -> str:
    return f"themes-published/{theme_id}/{version}/"


def preview_key(theme_id: UUID | str, version: str) -> str:
    return f"themes-previews/{theme_id}/{version}.png"


def manifest_key(theme_id: UUID | str, version: str) -> str:
    return release_prefix(theme_id, version) + MANIFEST_NAME


@dataclass(frozen=True)
class Finding:
    """Why a release is refused: a rule id, a sentence, the line (theme.css lint) and the object.

    ``remove``: the object can never be part of a release as stored (unsafe or mislabelled), so the service
    deletes it and the same version can be uploaded again, fixed.
    """

    rule: str
    message: str
    line: int | None = None
    key: str | None = None
    remove: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "line": self.line, "key": self.key}


class VerificationFailedError(Exception):
    """The release in the bucket is not what may be registered; ``findings`` says what and where."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"{len(findings)} finding(s)")
        self.findings = findings[:_MAX_FINDINGS]
        self.removable = sorted({f.key for f in findings if f.remove and f.key})


@dataclass(frozen=True)
class VerifiedRelease:
    """What verification read: the objects (sorted by key), theme.css's digests and the lint warnings."""

    objects: list[ManifestObject]
    css_sha256: str
    css_size: int
    sri: str
    warnings: int
    contrast_failures: tuple[ContrastFailure, ...] = ()


@dataclass(frozen=True)
class _Item:
    """One object of the release as listed: its key and size."""

    key: str
    size: int


@dataclass
class _Check:
    """One object's verdict."""

    findings: list[Finding] = field(default_factory=list)
    entry: ManifestObject | None = None
    css: bytes | None = None
    warnings: int = 0
    contrast_failures: tuple[ContrastFailure, ...] = ()


def verify_release(
    storage: ObjectStorage,
    theme_id: UUID,
    version: str,
    *,
    sha256: str,
    size: int,
    max_bytes: int,
    allowed_origins: tuple[str, ...] = (),
) -> VerifiedRelease:
    """Check everything stored for ``version``; return what a manifest lists.

    Raises:
        VerificationFailedError: anything is missing, unexpected, unsafe, too large or not the claimed bytes.
        StorageError: the store failed (nothing can be concluded: retry later).
    """
    prefix = release_prefix(theme_id, version)
    css_key = prefix + "theme.css"
    listed = [
        _Item(item.key, item.size)
        for item in itertools.islice(storage.list_objects(prefix), _MAX_OBJECTS)
        if item.key != prefix + MANIFEST_NAME
    ]
    preview = storage.head_object(preview_key(theme_id, version))
    if preview is not None:
        listed.append(_Item(preview.key, preview.size))
    findings: list[Finding] = []
    if not any(item.key == css_key for item in listed):
        findings.append(
            Finding(
                "release/missing-object",
                f"{css_key} is not in the bucket: upload the release, then register it.",
            )
        )
    total = sum(item.size for item in listed)
    if total > max_bytes:
        findings.append(
            Finding(
                "release/too-large",
                f"The release holds {total} bytes; a version may hold at most {max_bytes} bytes.",
            )
        )
    if findings:
        raise VerificationFailedError(findings)

    def job(item: _Item) -> Callable[[], _Check]:
        relative = item.key[len(prefix) :] if item.key.startswith(prefix) else ""
        if item.key == css_key:
            return lambda: _check_css(storage, item, sha256, size, allowed_origins)
        if relative and not item.key.startswith(prefix + "assets/"):
            return lambda: _Check(
                [
                    Finding(
                        "release/unexpected-object",
                        f"{relative} is not a release file (theme.css, assets/...); it was removed.",
                        key=item.key,
                        remove=True,
                    )
                ]
            )
        return lambda: _check_binary(storage, item, relative, max_bytes)

    with ThreadPoolExecutor(max_workers=min(_WORKERS, len(listed))) as pool:
        checks = list(pool.map(lambda run: run(), [job(item) for item in listed]))
    findings = [f for check in checks for f in check.findings]
    if findings:
        raise VerificationFailedError(findings)
    css = next(check for check in checks if check.css is not None)
    assert css.css is not None
    assert css.entry is not None
    return VerifiedRelease(
        objects=sorted((check.entry for check in checks if check.entry is not None), key=lambda o: o.key),
        css_sha256=css.entry.sha256,
        css_size=css.entry.size,
        sri="sha384-" + base64.b64encode(hashlib.sha384(css.css).digest()).decode("ascii"),
        warnings=css.warnings,
        contrast_failures=css.contrast_failures,
    )


def _common(stored: StoredObject, digest: str, name: str) -> list[Finding]:
    """Checks every versioned object gets: caching, encoding, the sha256 metadata."""
    problems = []
    if stored.cache_control != IMMUTABLE:
        problems.append(
            (
                "release/cache-control",
                f"{name} is stored with Cache-Control {stored.cache_control[:60]!r}, not {IMMUTABLE!r}.",
            )
        )
    if stored.content_encoding:
        problems.append(
            (
                "release/content-encoding",
                f"{name} is stored with a Content-Encoding "
                f"({stored.content_encoding[:30]!r}); publish the plain bytes.",
            )
        )
    if stored.metadata.get("sha256", "").lower() != digest:
        problems.append(("release/metadata", f"{name}'s sha256 metadata is not the digest of its bytes."))
    return [
        Finding(rule, message + " It was removed.", key=stored.key, remove=True) for rule, message in problems
    ]


def _vouched_by_store(storage: ObjectStorage, key: str) -> tuple[StoredObject, bytes] | None:
    """(headers, first bytes) of an object whose store-kept SHA-256 equals its sha256 metadata, else None.

    Only a fonts/images object takes this path (an SVG is parsed, theme.css is linted: both are read whole).
    A store that keeps no checksum (or one of the parts of a multipart upload) means a full read instead.
    """
    stored = storage.head_object(key, checksum=True)
    if stored is None or not stored.checksum_sha256:
        return None
    claimed = stored.metadata.get("sha256", "").lower()
    try:
        kept = base64.b64decode(stored.checksum_sha256, validate=True).hex()
    except ValueError:
        return None
    if len(claimed) != 64 or kept != claimed:
        return None
    first = storage.get_head_bytes(key, _SNIFF_BYTES)
    return None if first is None else (stored, first)


def _check_css(
    storage: ObjectStorage, item: _Item, sha256: str, size: int, allowed_origins: tuple[str, ...]
) -> _Check:
    got = storage.get_object(item.key, max_bytes=MAX_STYLESHEET_BYTES)
    if got is None:
        return _Check([Finding("release/missing-object", "theme.css disappeared during verification.")])
    stored, data = got
    digest = hashlib.sha256(data).hexdigest()
    if stored.size != size or len(data) != size or digest != sha256.lower():
        return _Check(
            [
                Finding(
                    "release/bytes-mismatch",
                    f"The stored theme.css ({stored.size} bytes, sha256 {digest[:12]}…) is not the one being "
                    f"registered ({size} bytes, sha256 {sha256[:12]}…); upload it again or register "
                    "its digest.",
                    key=item.key,
                )
            ]
        )
    findings = _common(stored, digest, "theme.css")
    if stored.content_type.lower() not in CSS_TYPES:
        findings.append(
            Finding(
                "release/content-type",
                f"theme.css is stored as {stored.content_type[:60]!r}; it must be text/css; charset=utf-8.",
                key=item.key,
                remove=True,
            )
        )
    result = lint_bytes(data, LintOptions(allowed_origins=allowed_origins))
    for d in result.diagnostics:
        if d.severity is Severity.ERROR:
            message = d.message
            if d.rule in (REMOTE_IMPORT, REMOTE_URL):
                message += _REMOTE_NOTE
            findings.append(Finding(d.rule, message, line=d.line, key=item.key, remove=True))
    entry = ManifestObject(item.key, len(data), digest, stored.content_type)
    warnings = sum(1 for d in result.diagnostics if d.severity is Severity.WARNING)
    # The contrast gate, again on the bytes that will be served (the client's check is a convenience).
    contrast = () if findings else tuple(contrast_failures(data.decode("utf-8-sig", errors="replace")))
    return _Check(findings, entry, data, warnings, contrast)


def _check_binary(storage: ObjectStorage, item: _Item, relative: str, max_bytes: int) -> _Check:
    """An asset (``relative`` = ``assets/...``) or the preview PNG (``relative`` = ``""``)."""
    name = relative or "preview.png"
    expected = "image/png" if not relative else asset_content_type(relative)
    if relative and (expected is None or not safe_asset_path(relative)):
        return _Check(
            [
                Finding(
                    "release/asset-type",
                    f"{relative[:100]} may not be published: assets are fonts and images (woff2, woff, ttf, "
                    "otf, eot, png, jpg, gif, webp, avif, ico, svg) with plain names; it was removed.",
                    key=item.key,
                    remove=True,
                )
            ]
        )
    assert expected is not None
    vouched = None if expected == SVG_TYPE else _vouched_by_store(storage, item.key)
    if vouched is not None:
        # The store computed this object's SHA-256 when it accepted the upload (the PUT carried it, the store
        # validated it): equal to the sha256 metadata, so the bytes are known without reading them again.
        stored, data = vouched
        digest = stored.metadata.get("sha256", "").lower()
        size = stored.size
    else:
        got = storage.get_object(item.key, max_bytes=max_bytes)
        if got is None:
            return _Check([Finding("release/missing-object", f"{name} disappeared during verification.")])
        stored, data = got
        digest = hashlib.sha256(data).hexdigest()
        size = len(data)
    findings = _common(stored, digest, name)

    def refuse(rule: str, message: str) -> None:
        findings.append(Finding(rule, f"{name} {message}; it was removed.", key=item.key, remove=True))

    if stored.content_type.lower() != expected:
        refuse("release/content-type", f"is stored as {stored.content_type[:60]!r}, not {expected}")
    if relative and stored.content_disposition.split(";")[0].strip().lower() != ASSET_DISPOSITION:
        refuse("release/content-disposition", "is not stored with Content-Disposition: attachment")
    if expected == SVG_TYPE:
        for problem in svg_problems(data):
            refuse("release/unsafe-svg", f"is unsafe: {problem}")
    elif not sniff_matches(expected, data[:_SNIFF_BYTES]):
        refuse("release/content-mismatch", f"does not hold {expected} data (its first bytes say otherwise)")
    return _Check(findings, ManifestObject(item.key, size, digest, stored.content_type))
