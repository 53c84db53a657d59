"""Drafts for review against the backend and the bucket: submit, list, fetch, diff, decide, publish approved.

- **Submit**: the backend registers a new revision (sha256 + size), then the bytes go to
  ``themes-drafts/<id>/<user_id>/<revision>/theme.css`` (private, ``Cache-Control: no-store``) with our bucket
  key, or with the backend's presigned grant when this machine has none (the store then enforces the exact
  size, type and sha256), and only then is the draft moved to ``in_review``.
- **Review**: reviewers list drafts in review, fetch one through a short-lived presigned GET (the body must
  hash to the registered sha256), see its custom-property and text diff against the last release, and
  approve or request changes with a comment.
- **Publish approved**: the release is planned from the local theme and refused unless its ``theme.css`` is
  byte for byte the approved draft; the upload then carries that sha256, so the store refuses any other bytes
  even if the file changes between the check and the upload.

The presigned URLs are fetched with a client that carries no backend token, and never appear in errors.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from studio.adapters.backend_client import BackendClient, DraftRecord
from studio.adapters.object_store import ObjectStore
from studio.adapters.publisher import Publisher, PublishProgress, PublishResult
from studio.core.drafts import (
    DraftError,
    DraftReview,
    DraftSubmission,
    check_approved_bytes,
    prepare_submission,
    review_diff,
)
from studio.core.publish_plan import plan_release, version_prefix
from studio.core.review.contrast_gate import gate
from studio.core.theme import Theme


@dataclass(frozen=True)
class FetchedDraft:
    """A draft's record and its exact bytes (checked against the registered sha256)."""

    record: DraftRecord
    css: bytes = field(repr=False)


class ReviewService:
    """Drafts and reviews for one profile: a backend client and the bucket (with or without our key)."""

    def __init__(self, backend: BackendClient, store: ObjectStore) -> None:
        self.backend = backend
        self.store = store
        # Presigned URLs are bearer credentials themselves: fetched without the backend's token.
        self._http = httpx.Client(timeout=httpx.Timeout(15.0, connect=5.0), follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ author
    def ensure_theme(self, theme: Theme) -> None:
        """Create the theme on the backend (with the manifest's id) when it does not exist yet."""
        self.backend.ensure_theme(theme.manifest)

    def submit(self, theme: Theme, submission: DraftSubmission | None = None) -> DraftRecord:
        """Register, upload and submit a draft revision; returns the draft in ``in_review``.

        Args:
            theme: the theme folder.
            submission: the exact bytes (default: the theme's ``theme.css``, linted).

        Raises:
            DraftError: lint errors or an unreadable file (nothing was registered).
            BackendError: the backend refused (not the theme's author, unknown theme...).
            ObjectStoreError: the upload was refused (a revision stays in state ``draft``; submit again).
        """
        submission = submission or prepare_submission(theme)
        self.ensure_theme(theme)
        record = self.backend.create_draft(submission.theme_id, submission.sha256, submission.size)
        if self.store.has_credentials:
            key = submission.object_key(record.author_id, record.revision)
            if key != record.object_key:
                raise DraftError(f"The backend stores this draft at {record.object_key}, not at {key}.")
            self.store.put(key, submission.css, submission.headers(record.revision), sha256=submission.sha256)
        else:
            grant = self.backend.draft_upload_grant(record.id)
            self.store.put(record.object_key, submission.css, {}, sha256=submission.sha256, grant=grant)
        return self.backend.submit_draft(record.id)

    # ------------------------------------------------------------------ reviewer
    def awaiting(self, limit: int = 50) -> list[DraftRecord]:
        """Drafts in review, oldest submission first."""
        return self.backend.awaiting_review(limit)

    def fetch(self, draft_id: str) -> FetchedDraft:
        """Download a draft through a presigned GET and check it is exactly the registered bytes.

        Raises:
            DraftError: the storage answered with an error or with other bytes.
            BackendError: not a reviewer, unknown draft.
        """
        record = self.backend.get_draft(draft_id)
        url = self.backend.draft_download_url(draft_id)
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            raise DraftError(
                f"Downloading draft {draft_id} failed: the storage is unreachable ({type(exc).__name__})"
            ) from None
        if response.status_code != 200:
            raise DraftError(
                f"Downloading draft {draft_id} failed: the storage answered HTTP {response.status_code}"
            )
        check_approved_bytes(record.sha256, response.content, f"The downloaded draft {draft_id}")
        return FetchedDraft(record, response.content)

    def last_release(self, theme_id: str) -> tuple[str | None, str | None]:
        """(version, stylesheet) of the newest non-yanked release, read from its public URL; Nones if none."""
        theme = self.backend.get_theme(theme_id)
        versions = [str(v) for v in (theme or {}).get("available_versions", [])]
        if not versions:
            return None, None
        version = versions[0]
        status, body, _headers = self.store.get_public(version_prefix(theme_id, version) + "theme.css")
        if status != 200:
            return version, None
        return version, body.decode("utf-8-sig", errors="replace")

    def open_for_review(self, draft_id: str) -> tuple[FetchedDraft, DraftReview]:
        """The draft's bytes and its diff against the last release."""
        fetched = self.fetch(draft_id)
        version, css = self.last_release(fetched.record.theme_id)
        return fetched, review_diff(fetched.css, css, version, fetched.record.revision)

    def approve(self, draft_id: str, comment: str = "") -> DraftRecord:
        return self.backend.approve(draft_id, comment)

    def request_changes(self, draft_id: str, comment: str) -> DraftRecord:
        return self.backend.request_changes(draft_id, comment)

    # ------------------------------------------------------------------ publish
    def publish_approved(
        self,
        draft_id: str,
        theme: Theme,
        publisher: Publisher,
        version: str,
        *,
        changes: str = "",
        progress: Callable[[PublishProgress], None] | None = None,
        cancel: threading.Event | None = None,
        accept_contrast: str = "",
    ) -> PublishResult:
        """Publish release ``version`` whose ``theme.css`` must be exactly the approved draft's bytes.

        ``accept_contrast`` is the waiver reason when pairs fail WCAG 2 AA (the contrast gate).

        Raises:
            DraftError: the draft is not approved, belongs to another theme, or the local file differs.
            ContrastBlockedError: pairs fail AA and ``accept_contrast`` is empty.
            PlanError / PublishError / BackendError: as for any publish.
        """
        record = self.backend.get_draft(draft_id)
        if record.status != "approved":
            raise DraftError(f"Draft {draft_id} is {record.status.replace('_', ' ')}, not approved.")
        if record.theme_id != theme.manifest.id:
            raise DraftError(f"Draft {draft_id} belongs to theme {record.theme_id}, not {theme.manifest.id}.")
        previous = publisher.previous_release(theme.manifest.id, version)
        previous_css = publisher.read_public_css(theme.manifest.id, previous) if previous else None
        plan = plan_release(theme, version, previous_css=previous_css, previous_version=previous)
        # The plan digested the file; the upload is bound to that digest, so this check cannot be raced.
        if plan.css_object.sha256 != record.sha256:
            raise DraftError(
                f"The local theme.css is not the approved draft (sha256 {plan.css_object.sha256[:12]}…, "
                f"approved {record.sha256[:12]}…). Submit the changed file for review again."
            )
        # The backend checks the pin too (themes that require review refuse a release without it).
        waiver = gate(plan.contrast_failures, accept_contrast)
        return publisher.publish(
            plan,
            changes=changes,
            theme_root=theme.root,
            progress=progress,
            cancel=cancel,
            draft_id=draft_id,
            contrast_waiver=waiver,
        )
