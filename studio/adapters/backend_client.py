"""HTTP client for the ThemeSystem backend's release routes (``/v1``): version registration, upload grants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from studio.adapters.object_store import PutRequest
from studio.adapters.publisher import Registration


class BackendError(Exception):
    """The backend refused or failed; ``code`` is its error code (``version_exists``) or HTTP status."""

    def __init__(self, message: str, code: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class GrantedFile:
    """One file to ask an upload grant for."""

    path: str
    content_type: str
    size: int
    sha256: str


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

    def register_version(self, registration: Registration) -> dict[str, Any]:
        """Register a release; a retry with the same bytes (HTTP 200) is success too.

        Raises:
            BackendError: 409 ``version_exists`` / ``version_not_greater``, auth failures, unreachable.
        """
        body = {
            "version": registration.version,
            "changes": registration.changes,
            "sha256": registration.sha256,
            "size": registration.size,
            "css_url": registration.css_url,
        }
        data = self._post(f"/themes/{registration.theme_id}/versions", body, "registering the version")
        return data if isinstance(data, dict) else {}

    def release_grants(self, theme_id: str, version: str, files: list[GrantedFile]) -> dict[str, PutRequest]:
        """Ask for presigned uploads of exactly these release files; returns key → ready-to-send request."""
        body = {
            "version": version,
            "files": [
                {"path": f.path, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}
                for f in files
            ],
        }
        data = self._post(f"/themes/{theme_id}/grants/release", body, "asking for upload grants")
        grants: dict[str, PutRequest] = {}
        for grant in data.get("grants", []) if isinstance(data, dict) else []:
            if grant.get("method") != "PUT":
                raise BackendError("the backend granted a POST form upload; this client sends presigned PUTs")
            grants[str(grant["key"])] = PutRequest("PUT", str(grant["url"]), dict(grant.get("headers", {})))
        return grants

    def _post(self, path: str, body: dict[str, Any], what: str) -> Any:
        try:
            response = self._client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise BackendError(f"{what} failed: the backend is unreachable ({type(exc).__name__})") from None
        if response.status_code in (200, 201):
            return response.json()
        code, message = str(response.status_code), response.reason_phrase
        try:
            detail = response.json()
            error = detail.get("error", detail.get("detail", {}))
            if isinstance(error, dict):
                code, message = str(error.get("code", code)), str(error.get("message", message))
        except ValueError:
            pass
        raise BackendError(f"{what} failed: {message} ({code})", code, response.status_code)
