"""What a release publish will write: object keys, bytes, headers and metadata (DESIGN section 2).

A plan is computed from the theme folder alone (no network), so the publish dialog and ``--dry-run`` can show
exactly what will move, and the upload engine only ever sends what the plan says. Lint errors refuse the plan:
nothing unsafe or broken is ever published.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from studio.core.css.lint import LintOptions, lint_path
from studio.core.css.tokens import TokenChange, custom_property_diff
from studio.core.diagnostics import Diagnostic, Severity
from studio.core.limits import MAX_CSS_BYTES, read_limited
from studio.core.release_assets import (
    ASSET_CONTENT_TYPES,
    ASSET_DISPOSITION,
    SVG_TYPE,
    asset_content_type,
    safe_asset_path,
    svg_problems,
)
from studio.core.review.contrast_gate import ContrastFailure, contrast_failures, declared_pairs
from studio.core.semver import Version
from studio.core.textdiff import unified_diff
from studio.core.theme import CSS_NAME, Theme
from studio.core.theme_files import open_regular_no_follow, scan_theme_files

PUBLISHED_PREFIX = "themes-published"
PREVIEWS_PREFIX = "themes-previews"
LATEST = "latest"
#: The backend's signed release manifest beside a release's files (never uploaded by the studio).
MANIFEST_NAME = "manifest.json"
#: Versioned keys are never overwritten, so caches may keep them forever.
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
#: The ``latest`` alias moves; CDN edges and browsers re-check it within a minute.
LATEST_CACHE = "public, max-age=60"

_CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    **ASSET_CONTENT_TYPES,  # the service's list: an asset is stored with exactly the type it verifies
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}
_FALLBACK_TYPE = "application/octet-stream"
# UUIDs and semver strings are what theme ids and versions are; anything else could escape its prefix.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_HASH_CHUNK = 1 << 20


class PlanError(Exception):
    """The theme cannot be published as it is; ``diagnostics`` holds the lint errors when lint refused it."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class PlannedObject:
    """One object of a release.

    Attributes:
        key: the object key in the bucket.
        path: the local file whose bytes are uploaded.
        size: byte size.
        sha256: hex digest of the bytes (stored as ``sha256`` metadata and checked after upload).
        content_type: the ``Content-Type`` header.
        cache_control: the ``Cache-Control`` header.
        metadata: ``x-amz-meta-*`` values: ``theme-id``, ``version``, ``sha256``.
        md5: hex MD5 of the bytes; a single-part object's ETag, used to find unchanged assets by listing.
        content_disposition: ``attachment`` for assets (a navigation to one downloads it, never renders it).
    """

    key: str
    path: Path
    size: int
    sha256: str
    content_type: str
    cache_control: str
    metadata: dict[str, str]
    md5: str
    content_disposition: str = ""

    def headers(self) -> dict[str, str]:
        """The HTTP headers a PUT of this object carries (metadata as ``x-amz-meta-*``)."""
        headers = {"Content-Type": self.content_type, "Cache-Control": self.cache_control}
        if self.content_disposition:
            headers["Content-Disposition"] = self.content_disposition
        headers.update({f"x-amz-meta-{name}": value for name, value in sorted(self.metadata.items())})
        return headers


@dataclass(frozen=True)
class PublishPlan:
    """Everything one release publish writes, in upload order (assets first, ``theme.css`` last).

    Attributes:
        theme_id: the manifest id.
        version: the release version.
        objects: the versioned objects (without the preview, which is rendered later).
        css: the published stylesheet text.
        token_changes: custom properties added, removed or changed since ``previous_version``.
        css_diff: unified diff of the stylesheet against ``previous_version`` (``""`` when none).
        previous_version: the release compared against, or None for a first release.
        warnings: lint warnings (they do not block).
        contrast_failures: text/background token pairs below WCAG 2 AA in some scheme; they block publishing
            unless the author records a waiver (:func:`studio.core.review.contrast_gate.gate`).
    """

    theme_id: str
    version: str
    objects: tuple[PlannedObject, ...]
    css: str
    token_changes: tuple[TokenChange, ...] = ()
    css_diff: str = ""
    previous_version: str | None = None
    warnings: tuple[Diagnostic, ...] = field(default=())
    contrast_failures: tuple[ContrastFailure, ...] = ()

    @property
    def css_object(self) -> PlannedObject:
        """The release's ``theme.css`` (always the last object)."""
        return self.objects[-1]

    @property
    def total_bytes(self) -> int:
        return sum(obj.size for obj in self.objects)

    @property
    def latest_key(self) -> str:
        return latest_css_key(self.theme_id)

    @property
    def preview_key(self) -> str:
        return preview_key(self.theme_id, self.version)

    def describe(self) -> str:
        """A human-readable listing: keys, sizes, headers, then the token and CSS diff."""
        lines = [
            f"Release {self.version} of theme {self.theme_id}: {len(self.objects)} objects, "
            f"{self.total_bytes} bytes"
        ]
        for obj in self.objects:
            lines.append(
                f"  {obj.key}  {obj.size} B  {obj.content_type}  {obj.cache_control}  "
                f"sha256={obj.sha256[:12]}…"
            )
        lines.append(
            f"  {self.preview_key}  (preview PNG, rendered at publish)  image/png  {IMMUTABLE_CACHE}"
        )
        lines.append(f"  {self.latest_key}  (alias, copied after verification)  {LATEST_CACHE}")
        if self.contrast_failures:
            lines.append(f"Contrast: {len(self.contrast_failures)} pair(s) below WCAG 2 AA:")
            lines.extend(f"  {failure.describe()}" for failure in self.contrast_failures)
        else:
            lines.append("Contrast: every text/background token pair meets WCAG 2 AA.")
        if self.previous_version is None:
            lines.append("First release: nothing to compare against.")
        else:
            lines.append(
                f"Changes against {self.previous_version}: {len(self.token_changes)} custom properties"
            )
            for change in self.token_changes:
                lines.append(f"  {change.kind:8} {change.scope} {change.name}: {change.old} -> {change.new}")
            lines.append(self.css_diff or "  (stylesheet unchanged)")
        return "\n".join(lines)


def content_type_for(path: str) -> str:
    """The ``Content-Type`` for a file name, by extension (``application/octet-stream`` when unknown)."""
    return _CONTENT_TYPES.get(PurePosixPath(path).suffix.lower(), _FALLBACK_TYPE)


def version_prefix(theme_id: str, version: str) -> str:
    """``themes-published/<id>/<version>/``."""
    return f"{PUBLISHED_PREFIX}/{theme_id}/{version}/"


def latest_css_key(theme_id: str) -> str:
    """``themes-published/<id>/latest/theme.css``."""
    return f"{PUBLISHED_PREFIX}/{theme_id}/{LATEST}/{CSS_NAME}"


def preview_key(theme_id: str, version: str) -> str:
    """``themes-previews/<id>/<version>.png``."""
    return f"{PREVIEWS_PREFIX}/{theme_id}/{version}.png"


def file_digests(path: Path) -> tuple[str, str, int]:
    """Return (sha256 hex, md5 hex, size) of a file, read once in 1 MiB chunks."""
    sha = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    size = 0
    # Never through a link: a file swapped for one after the folder was checked is refused, not followed.
    with os.fdopen(open_regular_no_follow(path), "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            sha.update(chunk)
            md5.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), md5.hexdigest(), size


def publishable_files(root: Path) -> list[str]:
    """Relative POSIX paths that a release carries: everything under ``assets/``, then ``theme.css``.

    Dot-files and dot-folders (``.studio/`` history, editor leftovers) are never published. Links, special
    files and unsafe names are not listed here; :func:`plan_release` refuses a folder that has any (see
    :mod:`studio.core.theme_files`).
    """
    return list(scan_theme_files(root).files)


def check_identifier(value: str, what: str) -> None:
    """Refuse a theme id or version that is not safe inside an object key.

    Raises:
        PlanError: the value has characters other than letters, digits, ``.``, ``_`` and ``-``.
    """
    if not _SAFE_ID.match(value) or ".." in value:
        raise PlanError(f"The {what} {value!r} cannot be used in an object key.")


def plan_release(
    theme: Theme,
    version: str,
    *,
    previous_css: str | None = None,
    previous_version: str | None = None,
) -> PublishPlan:
    """Lint the theme and list the objects of release ``version``.

    Args:
        theme: the open theme folder; its ``theme.css`` on disk is what gets published.
        version: the release version (SemVer).
        previous_css: the last release's stylesheet, for the diff; None for a first release.
        previous_version: that release's version, shown in the diff.

    Returns:
        The plan; assets come first and ``theme.css`` last, so a present ``theme.css`` marks a full upload.

    Raises:
        PlanError: lint errors (attached as ``diagnostics``), a bad version or theme id, or unreadable files.
    """
    try:
        Version.parse(version)
    except ValueError as exc:
        raise PlanError(f"{version!r} is not a semantic version (like 1.4.0).") from exc
    theme_id = theme.manifest.id
    check_identifier(theme_id, "theme id")
    check_identifier(version, "version")
    folder = scan_theme_files(theme.root)
    if folder.problems:
        raise PlanError(
            f"{len(folder.problems)} problem(s) with the theme's files block publishing; first: "
            f"{folder.problems[0].message}",
            folder.diagnostics(),
        )
    options = LintOptions(allowed_origins=tuple(theme.manifest.allowed_origins), asset_root=theme.root)
    try:
        result = lint_path(theme.css_path, options)
    except OSError as exc:
        raise PlanError(f"Could not read {theme.css_path}: {exc.strerror or exc}") from exc
    errors = tuple(d for d in result.diagnostics if d.severity is Severity.ERROR)
    if errors:
        first = errors[0]
        raise PlanError(
            f"{len(errors)} lint error(s) block publishing; first at line {first.line}: {first.message}",
            errors,
        )
    warnings = tuple(d for d in result.diagnostics if d.severity is not Severity.ERROR)
    prefix = version_prefix(theme_id, version)
    try:
        refused = _refused_assets(theme.root, list(folder.files))
    except OSError as exc:
        raise PlanError(f"Could not read the theme's files: {exc}") from exc
    if refused:
        raise PlanError(
            f"{len(refused)} asset(s) cannot be published; first: {refused[0].message}", tuple(refused)
        )
    objects: list[PlannedObject] = []
    try:
        for relative in folder.files:
            path = theme.root / relative
            sha, md5, size = file_digests(path)
            is_asset = relative != CSS_NAME
            content_type = (asset_content_type(relative) or "") if is_asset else content_type_for(relative)
            objects.append(
                PlannedObject(
                    key=prefix + relative,
                    path=path,
                    size=size,
                    sha256=sha,
                    content_type=content_type,
                    cache_control=IMMUTABLE_CACHE,
                    metadata={"theme-id": theme_id, "version": version, "sha256": sha},
                    md5=md5,
                    content_disposition=ASSET_DISPOSITION if is_asset else "",
                )
            )
        css = read_limited(theme.css_path, MAX_CSS_BYTES, "a stylesheet").decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"Could not read the theme's files: {exc}") from exc
    token_changes: tuple[TokenChange, ...] = ()
    css_diff = ""
    if previous_css is not None:
        token_changes = tuple(custom_property_diff(previous_css, css))
        label = previous_version or "previous"
        css_diff = unified_diff(previous_css, css, f"{label}/theme.css", f"{version}/theme.css")
    return PublishPlan(
        theme_id=theme_id,
        version=version,
        objects=tuple(objects),
        css=css,
        token_changes=token_changes,
        css_diff=css_diff,
        previous_version=previous_version,
        warnings=warnings,
        contrast_failures=tuple(contrast_failures(css, declared_pairs(theme.manifest.extra))),
    )


def _refused_assets(root: Path, files: list[str]) -> list[Diagnostic]:
    """Assets the service would refuse (the same policy it enforces): type, name, unsafe SVG content."""
    refused = []
    for relative in files:
        if relative == CSS_NAME:
            continue
        content_type = asset_content_type(relative)
        problem = None
        if content_type is None:
            problem = (
                "is not a font or an image; assets are "
                + ", ".join(sorted(ext.lstrip(".") for ext in ASSET_CONTENT_TYPES))
                + " files. Remove it from assets/"
            )
        elif not safe_asset_path(relative):
            problem = "has a name that cannot be an object key: use letters, digits, '.', '_' and '-'"
        elif content_type == SVG_TYPE:
            found = svg_problems((root / relative).read_bytes())
            if found:
                problem = "is an unsafe SVG: " + "; ".join(found)
        if problem is not None:
            refused.append(Diagnostic(1, 1, Severity.ERROR, "safety/asset", f"{relative} {problem}."))
    return refused


def preview_object(theme_id: str, version: str, png: Path) -> PlannedObject:
    """The planned preview image object for a rendered PNG."""
    sha, md5, size = file_digests(png)
    return PlannedObject(
        key=preview_key(theme_id, version),
        path=png,
        size=size,
        sha256=sha,
        content_type="image/png",
        cache_control=IMMUTABLE_CACHE,
        metadata={"theme-id": theme_id, "version": version, "sha256": sha},
        md5=md5,
    )
