"""Drafts for review, Qt-free: what a submission is, where it is stored, and how a reviewer compares it.

A draft is one revision of a theme's stylesheet that an author submits for review. The backend numbers the
revisions; the bytes go to ``themes-drafts/<id>/<user_id>/<revision>/theme.css`` (private, ``no-store``) with
the same ``theme-id`` / ``version`` / ``sha256`` metadata as a release. The sha256 taken here is what the
reviewer approves, and what a later publish of that draft must match byte for byte.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from studio.core.css.lint import LintOptions, lint_bytes
from studio.core.css.tokens import TokenChange, custom_property_diff
from studio.core.diagnostics import Diagnostic, Severity
from studio.core.limits import InputLimitError, read_limited
from studio.core.publish_plan import PlanError, check_identifier
from studio.core.textdiff import unified_diff
from studio.core.theme import Theme

DRAFTS_PREFIX = "themes-drafts"
#: Drafts are private and change on every revision: nothing may cache them.
DRAFT_CACHE = "no-store"
#: The backend's draft grants accept exactly this type (no parameters).
DRAFT_CONTENT_TYPE = "text/css"
#: The backend's limit for one stylesheet (draft or release).
MAX_DRAFT_BYTES = 5 * 1_048_576


class DraftError(Exception):
    """A draft cannot be submitted, or its bytes are not the ones approved."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


def draft_key(theme_id: str, user_id: str, revision: int) -> str:
    """``themes-drafts/<id>/<user_id>/<revision>/theme.css`` (DESIGN section 2).

    Raises:
        DraftError: an id that cannot be part of an object key, or a revision below 1.
    """
    try:
        check_identifier(theme_id, "theme id")
        check_identifier(user_id, "user id")
    except PlanError as exc:
        raise DraftError(str(exc)) from None
    if revision < 1:
        raise DraftError(f"A draft revision starts at 1, not {revision}.")
    return f"{DRAFTS_PREFIX}/{theme_id}/{user_id}/{revision}/theme.css"


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class DraftSubmission:
    """The exact bytes an author submits, and their digest.

    Attributes:
        theme_id: the manifest id.
        css: the stylesheet bytes as they are on disk (no re-encoding: the digest must match the file).
        sha256: hex digest of ``css``.
        warnings: lint warnings (they do not block a submission).
        source: which revision this is, for the user (``theme.css`` or ``draft 3``).
    """

    theme_id: str
    css: bytes = field(repr=False)
    sha256: str
    warnings: tuple[Diagnostic, ...] = ()
    source: str = "theme.css"

    @property
    def size(self) -> int:
        return len(self.css)

    def object_key(self, user_id: str, revision: int) -> str:
        """Where this submission is stored once the backend gave it ``revision``."""
        return draft_key(self.theme_id, user_id, revision)

    def headers(self, revision: int) -> dict[str, str]:
        """The PUT headers for an upload with our own key (a backend grant brings its own)."""
        return {
            "Content-Type": DRAFT_CONTENT_TYPE,
            "Cache-Control": DRAFT_CACHE,
            "x-amz-meta-sha256": self.sha256,
            "x-amz-meta-theme-id": self.theme_id,
            "x-amz-meta-version": f"draft-{revision}",
        }


def prepare_submission(
    theme: Theme, css: bytes | None = None, *, source: str = "theme.css"
) -> DraftSubmission:
    """Lint and digest the stylesheet to submit: the theme's ``theme.css``, or ``css`` (a saved revision).

    The same lint errors that block a release block a submission: a reviewer never has to read a sheet that
    could not ship.

    Raises:
        DraftError: unreadable file, too large, lint errors (attached as ``diagnostics``), bad theme id.
    """
    theme_id = theme.manifest.id
    try:
        check_identifier(theme_id, "theme id")
    except PlanError as exc:
        raise DraftError(str(exc)) from None
    if css is None:
        try:
            css = read_limited(theme.css_path, MAX_DRAFT_BYTES, "a draft stylesheet")
        except InputLimitError as exc:
            raise DraftError(str(exc)) from None
        except OSError as exc:
            raise DraftError(f"Could not read {theme.css_path}: {exc.strerror or exc}") from None
    if len(css) > MAX_DRAFT_BYTES:
        raise DraftError(f"The stylesheet is {len(css)} bytes; a draft may be at most {MAX_DRAFT_BYTES}.")
    options = LintOptions(allowed_origins=tuple(theme.manifest.allowed_origins), asset_root=theme.root)
    result = lint_bytes(css, options)
    errors = tuple(d for d in result.diagnostics if d.severity is Severity.ERROR)
    if errors:
        first = errors[0]
        raise DraftError(
            f"{len(errors)} lint error(s) block the submission; first at line {first.line}: {first.message}",
            errors,
        )
    warnings = tuple(d for d in result.diagnostics if d.severity is not Severity.ERROR)
    return DraftSubmission(theme_id, css, sha256_hex(css), warnings, source)


def check_approved_bytes(approved_sha256: str, data: bytes, what: str = "the stylesheet") -> None:
    """Refuse bytes that are not the approved ones.

    Raises:
        DraftError: the digest differs (the file changed after approval, or the download was corrupted).
    """
    actual = sha256_hex(data)
    if actual != approved_sha256.lower():
        raise DraftError(
            f"{what} is not the approved draft: its sha256 is {actual[:12]}…, the approved one "
            f"{approved_sha256[:12]}…. Submit the changed file for review again."
        )


@dataclass(frozen=True)
class DraftReview:
    """What a reviewer sees: the draft's text and how it differs from the last release.

    Attributes:
        css: the draft's stylesheet text.
        release_version: the release compared against, or None when the theme has none yet.
        token_changes: custom properties added, removed or changed since that release.
        css_diff: unified diff of the stylesheet (``""`` when equal or no release).
    """

    css: str
    release_version: str | None
    token_changes: tuple[TokenChange, ...]
    css_diff: str

    def describe(self) -> str:
        """A plain-text summary: token changes first, then the text diff."""
        if self.release_version is None:
            return "No release yet: the whole stylesheet is new.\n"
        count = len(self.token_changes)
        lines = [f"Against release {self.release_version}: {count} custom properties changed"]
        for change in self.token_changes:
            lines.append(f"  {change.kind:8} {change.scope} {change.name}: {change.old} -> {change.new}")
        lines.append(self.css_diff or "  (stylesheet unchanged)")
        return "\n".join(lines) + "\n"


def review_diff(
    draft_css: bytes, release_css: str | None, release_version: str | None, revision: int | None = None
) -> DraftReview:
    """Compare a draft with the last release (custom properties and text).

    Raises:
        DraftError: the draft is not UTF-8.
    """
    try:
        text = draft_css.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DraftError("The draft is not UTF-8 text.") from None
    if release_css is None or release_version is None:
        return DraftReview(text, None, (), "")
    label = f"draft-{revision}" if revision is not None else "draft"
    changes = tuple(custom_property_diff(release_css, text))
    diff = unified_diff(release_css, text, f"{release_version}/theme.css", f"{label}/theme.css")
    return DraftReview(text, release_version, changes, diff)
