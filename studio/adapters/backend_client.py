"""HTTP client for the ThemeSystem backend (``/v1``): themes, versions, upload grants, drafts and reviews.

One pooled ``httpx.Client`` per backend. The bearer token goes only to the backend: presigned storage URLs the
backend hands out are fetched by the callers with a client that carries no token. Errors become
:class:`BackendError` with the backend's error code, and never carry the token or a signed URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

import httpx

from studio.adapters.object_store import PutRequest
from studio.adapters.publisher import GrantedFile, Registration
from studio.core.analytics import AnalyticsQuery, AnalyticsReport
from studio.core.manifest import Manifest

__all__ = [
    "BackendClient",
    "BackendError",
    "DraftRecord",
    "Finding",
    "GrantedFile",
    "RegisteredVersion",
    "VerificationFailedError",
    "error_from_response",
]

DraftStatus = Literal["draft", "in_review", "approved", "changes_requested"]


class BackendError(Exception):
    """The backend refused or failed; ``code`` is its error code (``version_exists``) or HTTP status."""

    def __init__(self, message: str, code: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.findings: list[Finding] = []


@dataclass(frozen=True)
class Finding:
    """One reason the backend refused a release: rule id, sentence, line of theme.css, object key."""

    rule: str
    message: str
    line: int | None = None
    key: str | None = None

    def describe(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        name = f"{self.key.rsplit('/', 1)[-1]} " if self.key else ""
        return f"{name}{where}{self.rule}: {self.message}".strip()


class VerificationFailedError(BackendError):
    """The backend verified the uploaded release and refused it; nothing was registered.

    ``findings`` say what and where; ``str()`` lists them with what to do.
    """

    def __init__(self, version: str, findings: list[Finding]) -> None:
        lines = [f"  - {f.describe()}" for f in findings[:20]]
        if len(findings) > 20:
            lines.append(f"  … and {len(findings) - 20} more")
        super().__init__(
            f"The backend verified release {version} and refused it; nothing was registered and latest was "
            "not moved. Fix these in the theme, then publish the same version again (the backend removed "
            "the refused files):\n" + "\n".join(lines),
            "verification_failed",
            422,
        )
        self.findings = findings


@dataclass(frozen=True)
class RegisteredVersion:
    """A registration the backend accepted: ``created`` is False for a safe retry (same bytes, HTTP 200).

    The backend verified the stored release, signed its manifest and moved ``latest`` (``latest_alias``).
    """

    record: dict[str, Any]
    created: bool

    @property
    def latest_moved(self) -> bool:
        """True when ``latest`` serves this release now (moved by this call, or already)."""
        alias = self.record.get("latest_alias")
        return isinstance(alias, dict) and alias.get("action") in ("moved", "unchanged")

    @property
    def latest_message(self) -> str:
        """What the backend said about ``latest`` when it did not move (a newer release holds it)."""
        alias = self.record.get("latest_alias")
        if self.latest_moved or not isinstance(alias, dict):
            return ""
        return str(alias.get("message", ""))


@dataclass(frozen=True)
class DraftRecord:
    """One draft revision as the backend knows it."""

    id: str
    theme_id: str
    author_id: str
    revision: int
    object_key: str
    sha256: str
    size: int
    status: DraftStatus
    reviewer_id: str | None = None
    comment: str | None = None
    submitted_at: str | None = None
    reviewed_at: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> DraftRecord:
        """Parse the backend's ``DraftPublic``.

        Raises:
            BackendError: the answer is not a draft.
        """
        try:
            return cls(
                id=str(data["id"]),
                theme_id=str(data["theme_id"]),
                author_id=str(data["author_id"]),
                revision=int(data["revision"]),
                object_key=str(data["object_key"]),
                sha256=str(data["sha256"]).lower(),
                size=int(data["size"]),
                status=data["status"],
                reviewer_id=None if data.get("reviewer_id") is None else str(data["reviewer_id"]),
                comment=data.get("comment"),
                submitted_at=data.get("submitted_at"),
                reviewed_at=data.get("reviewed_at"),
            )
        except (KeyError, TypeError, ValueError):
            raise BackendError("the backend answered with something that is not a draft") from None


class BackendClient:
    """One pooled ``httpx.Client`` per backend; the bearer token never appears in errors."""

    def __init__(self, base_url: str, token: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(10.0, connect=5.0),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------ themes
    def get_theme(self, theme_id: str) -> dict[str, Any] | None:
        """The theme with ``available_versions`` (not yanked, newest first), or None when unknown to us."""
        try:
            data = self._request("GET", f"/themes/{theme_id}", None, "reading the theme")
        except BackendError as exc:
            if exc.status == 404:
                return None
            raise
        return data if isinstance(data, dict) else None

    def ensure_theme(self, manifest: Manifest) -> None:
        """Create the theme (with the manifest's id) unless the backend has it already; idempotent."""
        if self.get_theme(manifest.id) is not None:
            return
        try:
            self.create_theme(
                manifest.id, manifest.name, description=manifest.description, tags=list(manifest.tags)
            )
        except BackendError as exc:
            if exc.code != "theme_exists":  # created meanwhile, or exists but is not visible to us
                raise

    def create_theme(
        self, theme_id: str, name: str, *, description: str = "", tags: list[str] | None = None
    ) -> dict[str, Any]:
        """Create the theme (with the manifest's id) so its drafts and versions can be registered.

        Raises:
            BackendError: ``theme_exists`` (409), validation errors, auth failures.
        """
        body = {"id": theme_id, "name": name, "description": description, "tags": tags or []}
        data = self._request("POST", "/themes", body, "creating the theme")
        return data if isinstance(data, dict) else {}

    def available_versions(self, theme_id: str) -> list[str]:
        """Released versions that are not yanked (``[]`` for a theme the backend does not know)."""
        theme = self.get_theme(theme_id)
        return [str(v) for v in (theme or {}).get("available_versions", [])]

    def list_versions(self, theme_id: str) -> list[dict[str, Any]]:
        """Every version, yanked ones included (``yanked_at``), newest first."""
        data = self._request("GET", f"/themes/{theme_id}/versions", None, "listing versions")
        return list(data) if isinstance(data, list) else []

    def theme_analytics(self, query: AnalyticsQuery) -> AnalyticsReport:
        """Views, downloads and installs per day, totals and popularity rank (the theme's author or an admin).

        Raises:
            BackendError: 403 (not the author), 404 (no such theme), 422 ``unknown_version``, unreachable.
            AnalyticsError: the answer is not a report.
        """
        path = f"/themes/{query.theme_id}/analytics?{urlencode(query.params())}"
        return AnalyticsReport.from_json(self._request("GET", path, None, "reading the analytics"))

    # ------------------------------------------------------------------ versions
    def register_version(self, registration: Registration) -> dict[str, Any]:
        """Register a release; a retry with the same bytes (HTTP 200) is success too.

        Raises:
            BackendError: 409 ``version_exists`` / ``version_not_greater``, auth failures, unreachable.
        """
        return self.register_release(registration).record

    def register_release(self, registration: Registration) -> RegisteredVersion:
        """Register a release and say whether it is new (201) or was already registered (200, same bytes).

        The backend reads the stored release itself (no URL is sent): it checks theme.css's size and sha256,
        lints it, checks every asset, then registers, signs the manifest and moves ``latest``.

        Raises:
            VerificationFailedError: the backend refused the stored release (findings attached).
            BackendError: 409 with a message that says what to do, auth failures, unreachable.
        """
        body: dict[str, Any] = {
            "version": registration.version,
            "changes": registration.changes,
            "sha256": registration.sha256,
            "size": registration.size,
        }
        if registration.draft_id:
            body["draft_id"] = registration.draft_id
        if registration.contrast_waiver:
            body["contrast_waiver"] = {"reason": registration.contrast_waiver}
        try:
            response = self._send("POST", f"/themes/{registration.theme_id}/versions", body, "registering")
        except BackendError as exc:
            if exc.code == "verification_failed":
                raise VerificationFailedError(registration.version, exc.findings) from None
            if exc.code == "contrast_failed":
                pairs = "\n".join(f"  - {f.message}" for f in exc.findings[:20])
                failure = BackendError(
                    f"The backend checked release {registration.version}'s contrast and refused it: text/"
                    "background token pairs fail WCAG 2 AA and no waiver was given; nothing was registered. "
                    "Fix the colours, or publish with a waiver reason (--accept-contrast \"REASON\"):\n"
                    + pairs,
                    exc.code,
                    exc.status,
                )
                failure.findings = exc.findings
                raise failure from None
            hint = _REGISTER_HINTS.get(exc.code)
            if hint is not None:
                raise BackendError(f"{exc} {hint}", exc.code, exc.status) from None
            if exc.code == "version_exists":
                raise BackendError(
                    f"Version {registration.version} is already registered with other bytes; published "
                    "versions never change: publish a new version.",
                    exc.code,
                    exc.status,
                ) from None
            if exc.code == "version_not_greater":
                raise BackendError(
                    f"Version {registration.version} is not above the theme's latest registered version; "
                    "choose a higher version.",
                    exc.code,
                    exc.status,
                ) from None
            raise
        data = response.json()
        return RegisteredVersion(data if isinstance(data, dict) else {}, response.status_code == 201)

    def yank(self, theme_id: str, version: str) -> dict[str, Any]:
        """Hide ``version`` from ``available_versions`` (its bytes stay for consumers pinned to it).

        The answer's ``latest_alias`` (when the backend has object storage) says what happened to ``latest``:
        ``kept``, ``moved`` back to the newest live release, ``removed``, or ``failed`` (yank again to retry).
        """
        data = self._request("POST", f"/themes/{theme_id}/versions/{version}/yank", {}, f"yanking {version}")
        return data if isinstance(data, dict) else {}

    def move_latest(self, theme_id: str, version: str) -> bool:
        """Ask the backend (which holds the bucket key) to point ``latest`` at this registered release.

        The backend checks the version is registered, not yanked and the newest such, and that the stored
        ``theme.css`` carries the registered sha256, then copies it server-side. Safe to repeat.

        Returns:
            True when ``latest`` now serves ``version``; False when a newer release holds it (it never moves
            backwards).

        Raises:
            BackendError: not registered / yanked / object missing or other bytes (409), storage not
                configured or failing (503), auth failures, unreachable.
        """
        try:
            self._send("POST", f"/themes/{theme_id}/versions/{version}/latest", {}, "moving latest")
        except BackendError as exc:
            if exc.code == "version_not_newest":
                return False
            raise
        return True

    def release_grants(self, theme_id: str, version: str, files: list[GrantedFile]) -> dict[str, PutRequest]:
        """Ask for presigned uploads of exactly these release files; returns key → ready-to-send request."""
        body = {
            "version": version,
            "files": [
                {"path": f.path, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}
                for f in files
            ],
        }
        data = self._request("POST", f"/themes/{theme_id}/grants/release", body, "asking for upload grants")
        return _put_grants(data)

    # ------------------------------------------------------------------ drafts
    def create_draft(self, theme_id: str, sha256: str, size: int) -> DraftRecord:
        """A new draft revision (state ``draft``) for these bytes; the backend picks the revision number."""
        body = {"sha256": sha256, "size": size}
        data = self._request("POST", f"/themes/{theme_id}/drafts", body, "creating the draft")
        return DraftRecord.from_json(data)

    def draft_upload_grant(self, draft_id: str) -> PutRequest:
        """A presigned PUT of the draft's stylesheet (its author, before submitting)."""
        data = self._request("POST", f"/drafts/{draft_id}/grant", {}, "asking for the draft upload grant")
        grants = _put_grants(data)
        if len(grants) != 1:
            raise BackendError("the backend did not grant exactly one draft upload")
        return next(iter(grants.values()))

    def submit_draft(self, draft_id: str) -> DraftRecord:
        """draft → in_review."""
        return DraftRecord.from_json(
            self._request("POST", f"/drafts/{draft_id}/submit", {}, "submitting the draft")
        )

    def get_draft(self, draft_id: str) -> DraftRecord:
        return DraftRecord.from_json(self._request("GET", f"/drafts/{draft_id}", None, "reading the draft"))

    def theme_drafts(self, theme_id: str) -> list[DraftRecord]:
        """Every draft of a theme, newest revision first (its author, reviewers, admins)."""
        data = self._request("GET", f"/themes/{theme_id}/drafts", None, "listing the theme's drafts")
        return [DraftRecord.from_json(item) for item in (data if isinstance(data, list) else [])]

    def awaiting_review(self, limit: int = 50) -> list[DraftRecord]:
        """Drafts in review, oldest submission first (reviewers)."""
        data = self._request("GET", f"/drafts?limit={int(limit)}", None, "listing drafts awaiting review")
        return [DraftRecord.from_json(item) for item in (data if isinstance(data, list) else [])]

    def draft_download_url(self, draft_id: str) -> str:
        """A short-lived presigned GET URL of the draft's stylesheet (reviewers). Never log it."""
        data = self._request("GET", f"/drafts/{draft_id}/grant", None, "asking for the draft download")
        if not isinstance(data, dict) or not isinstance(data.get("url"), str):
            raise BackendError("the backend did not answer with a download URL")
        return str(data["url"])

    def review(
        self, draft_id: str, decision: Literal["approve", "request_changes"], comment: str = ""
    ) -> DraftRecord:
        """in_review → approved / changes_requested, with a comment."""
        body = {"decision": decision, "comment": comment}
        return DraftRecord.from_json(self._request("POST", f"/drafts/{draft_id}/review", body, "reviewing"))

    def approve(self, draft_id: str, comment: str = "") -> DraftRecord:
        return self.review(draft_id, "approve", comment)

    def request_changes(self, draft_id: str, comment: str) -> DraftRecord:
        return self.review(draft_id, "request_changes", comment)

    # ------------------------------------------------------------------ plumbing
    def _request(self, method: str, path: str, body: dict[str, Any] | None, what: str) -> Any:
        return self._send(method, path, body, what).json()

    def _send(self, method: str, path: str, body: dict[str, Any] | None, what: str) -> httpx.Response:
        """Send one request; a non-2xx answer becomes :class:`BackendError` (with ``findings`` if any)."""
        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise BackendError(
                f"{what} failed: the backend is unreachable ({type(exc).__name__})", "unreachable"
            ) from None
        if response.status_code in (200, 201):
            return response
        raise error_from_response(response, what)


def error_from_response(response: httpx.Response, what: str) -> BackendError:
    """The :class:`BackendError` for a refused request: the API's error code and message, and findings."""
    code, message = str(response.status_code), response.reason_phrase
    try:
        detail = response.json()
    except ValueError:
        detail = None
    findings: list[Finding] = []
    if isinstance(detail, dict):
        # The API's one error shape is {"error": <code>, "message": <text>} (+ "findings" when verifying).
        error = detail.get("error")
        if isinstance(error, str):
            code, message = error, str(detail.get("message", message))
        elif isinstance(error, dict):
            code, message = str(error.get("code", code)), str(error.get("message", message))
        findings = _findings(detail.get("findings"))
    failure = BackendError(f"{what} failed: {message} ({code})", code, response.status_code)
    failure.findings = findings
    return failure


_REGISTER_HINTS = {
    "review_required": "Submit the theme for review (`themestudio drafts submit`), and publish the approved "
    "draft (`themestudio drafts publish`).",
    "draft_not_approved": "Wait for a reviewer to approve the draft.",
    "draft_mismatch": "Publish exactly the approved theme.css, or submit the changed one for review.",
    "storage_unavailable": "Nothing was registered; publish again later.",
    "release_incomplete": "Publish the same version again to finish.",
}


def _findings(data: Any) -> list[Finding]:
    found = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict):
            line = item.get("line")
            key = item.get("key")
            found.append(
                Finding(
                    str(item.get("rule", "")),
                    str(item.get("message", "")),
                    line if isinstance(line, int) else None,
                    key if isinstance(key, str) else None,
                )
            )
    return found


def _put_grants(data: Any) -> dict[str, PutRequest]:
    grants: dict[str, PutRequest] = {}
    for grant in data.get("grants", []) if isinstance(data, dict) else []:
        if grant.get("method") != "PUT":
            raise BackendError("the backend granted a POST form upload; this client sends presigned PUTs")
        grants[str(grant["key"])] = PutRequest("PUT", str(grant["url"]), dict(grant.get("headers", {})))
    return grants
