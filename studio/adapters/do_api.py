"""The two DigitalOcean API calls the studio needs: create a per-bucket Spaces key, purge CDN paths.

Shapes follow the DigitalOcean API reference:
- ``POST /v2/spaces/keys`` with ``{"name", "grants": [{"bucket", "permission"}]}`` answers 201 with
  ``{"key": {"name", "access_key", "secret_key", "grants", "created_at"}}`` (the one time the secret shows).
- ``DELETE /v2/cdn/endpoints/{id}/cache`` with ``{"files": [...]}`` answers 204. DigitalOcean purges at most
  50 files per 20 seconds, so paths go in batches of 50 and a 429 is waited out (``Retry-After``, else
  ``ratelimit-reset``), within a bounded total wait.
- ``GET /v2/account`` answers ``{"account": {...}}``; used to check a token.

The token goes only into the ``Authorization`` header: it is scrubbed from every error message and never
appears in a repr.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.digitalocean.com"
BASE_URL_ENV = "THEMESTUDIO_DO_API_URL"  # points the studio at another API root (a test server)
PURGE_BATCH = 50  # files per purge request: DigitalOcean's documented 50 files per 20 s
MAX_RETRY_WAIT_S = 60.0  # total time we are willing to wait out rate limits in one call
MAX_SINGLE_WAIT_S = 25.0  # one 429 never makes us sleep longer than this
PERMISSIONS = ("read", "readwrite", "fullaccess")


class DOApiError(Exception):
    """A DigitalOcean API call failed; ``str()`` is a user-facing sentence without the token.

    Attributes:
        status: the HTTP status, or None when no answer came.
        error_id: DigitalOcean's error id (``unauthorized``, ``not_found``, ...), when it sent one.
    """

    def __init__(self, message: str, *, status: int | None = None, error_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id


@dataclass(frozen=True)
class SpacesKey:
    """A newly created Spaces access key (the secret is only ever shown at creation)."""

    access_key: str
    secret_key: str = field(repr=False)
    name: str
    created_at: datetime
    grants: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Account:
    """What ``GET /v2/account`` says about the token's owner."""

    email: str
    status: str
    uuid: str


def api_base_url() -> str:
    """The API root: ``THEMESTUDIO_DO_API_URL`` when set, else DigitalOcean's."""
    return os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


def _parse_time(value: object) -> datetime:
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _retry_delay(response: httpx.Response, attempt: int, now: float) -> float:
    """Seconds to wait after a 429: ``Retry-After``, else ``ratelimit-reset`` (epoch), else exponential."""
    retry_after = response.headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass  # an HTTP date: rare enough to fall through to the other hints
    reset = response.headers.get("ratelimit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            pass
    return float(min(2**attempt, 16))


class DigitalOceanClient:
    """A small httpx client for the DigitalOcean API with error mapping and rate-limit handling.

    Args:
        token: the DigitalOcean API token (scopes: ``spaces_key:create_credentials`` to create keys,
            ``cdn:delete`` to purge, ``account:read`` for the check).
        base_url: the API root; tests point it at a local server.
        timeout: per-request timeout in seconds.
        max_retry_wait_s: total seconds one call may spend waiting out 429 answers.
        sleep: how to wait (``time.sleep``); a GUI caller can pass one that checks for cancel.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        timeout: float = 15.0,
        max_retry_wait_s: float = MAX_RETRY_WAIT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token:
            raise DOApiError("no DigitalOcean API token given")
        self._token = token
        self.base_url = (base_url or api_base_url()).rstrip("/")
        self.max_retry_wait_s = max_retry_wait_s
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"DigitalOceanClient(base_url={self.base_url!r})"

    def __enter__(self) -> DigitalOceanClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _request(self, method: str, path: str, what: str, json: Any = None) -> httpx.Response:
        """Send one request, waiting out 429s within the budget; map failures to DOApiError."""
        waited = 0.0
        attempt = 0
        while True:
            try:
                response = self._http.request(method, path, json=json)
            except httpx.TimeoutException:
                raise DOApiError(
                    f"{what}: DigitalOcean API at {self.base_url} did not answer in time"
                ) from None
            except httpx.HTTPError as exc:
                reason = self._scrub(str(exc)) or type(exc).__name__
                raise DOApiError(
                    f"{what}: cannot reach the DigitalOcean API at {self.base_url} ({reason})"
                ) from None
            if response.status_code != 429:
                if response.is_error:
                    raise self._error(response, what)
                return response
            delay = min(_retry_delay(response, attempt, time.time()), MAX_SINGLE_WAIT_S)
            if waited + delay > self.max_retry_wait_s:
                raise DOApiError(
                    f"{what}: DigitalOcean kept answering 429 Too Many Requests; gave up after waiting "
                    f"{waited:.0f} s (limit {self.max_retry_wait_s:.0f} s). Try again in a minute.",
                    status=429,
                    error_id="too_many_requests",
                )
            log.info("%s: rate limited by DigitalOcean, waiting %.1f s", what, delay)
            self._sleep(delay)
            waited += delay
            attempt += 1

    def _error(self, response: httpx.Response, what: str) -> DOApiError:
        error_id: str | None = None
        detail = ""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            error_id = body.get("id") if isinstance(body.get("id"), str) else None
            detail = str(body.get("message") or "")
        detail = self._scrub(detail)
        status = response.status_code
        if status == 401:
            message = f"{what}: the DigitalOcean token was refused (401): it is wrong, expired or revoked"
        elif status == 403:
            message = (
                f"{what}: the DigitalOcean token is not allowed to do this (403): give it the needed scope"
            )
        elif status == 404:
            message = f"{what}: not found (404)"
        elif status >= 500:
            message = f"{what}: DigitalOcean API error {status}; try again later"
        else:
            message = f"{what}: DigitalOcean refused the request ({status})"
        if detail:
            message += f": {detail}"
        return DOApiError(message, status=status, error_id=error_id)

    def create_spaces_key(self, name: str, bucket: str, permission: str = "readwrite") -> SpacesKey:
        """Create a Spaces access key granted ``permission`` on ``bucket`` only.

        Raises:
            DOApiError: the token is refused, lacks the scope, or the answer is malformed.
        """
        if permission not in PERMISSIONS:
            raise ValueError(f"permission must be one of {', '.join(PERMISSIONS)}, not {permission!r}")
        what = f"creating Spaces key {name!r} for bucket {bucket!r}"
        body = {"name": name, "grants": [{"bucket": bucket, "permission": permission}]}
        response = self._request("POST", "/v2/spaces/keys", what, json=body)
        try:
            key = response.json()["key"]
            access, secret = str(key["access_key"]), str(key["secret_key"])
        except (ValueError, KeyError, TypeError):
            raise DOApiError(
                f"{what}: unexpected answer from DigitalOcean", status=response.status_code
            ) from None
        grants = tuple(
            (str(g.get("bucket", "")), str(g.get("permission", "")))
            for g in key.get("grants") or []
            if isinstance(g, dict)
        )
        log.info("created Spaces key %s (%s) for bucket %s", name, access, bucket)
        return SpacesKey(
            access_key=access,
            secret_key=secret,
            name=str(key.get("name") or name),
            created_at=_parse_time(key.get("created_at")),
            grants=grants,
        )

    def purge_cdn(
        self,
        endpoint_id: str,
        files: Iterable[str],
        *,
        on_batch: Callable[[int, int], None] | None = None,
    ) -> int:
        """Purge ``files`` (paths in the bucket, wildcards allowed) from the CDN, 50 per request.

        Args:
            endpoint_id: the CDN endpoint id.
            files: paths such as ``themes-published/<id>/latest/theme.css``; duplicates are sent once.
            on_batch: called with (files purged so far, total) after each batch.

        Returns:
            The number of requests sent.

        Raises:
            DOApiError: refused token, unknown endpoint, or rate limited past the wait budget.
        """
        paths = list(dict.fromkeys(p.lstrip("/") for p in files if p.strip("/")))
        batches = [paths[i : i + PURGE_BATCH] for i in range(0, len(paths), PURGE_BATCH)]
        for index, batch in enumerate(batches):
            what = f"purging {len(batch)} path(s) from CDN endpoint {endpoint_id}"
            try:
                self._request("DELETE", f"/v2/cdn/endpoints/{endpoint_id}/cache", what, json={"files": batch})
            except DOApiError as exc:
                if exc.status == 404:
                    raise DOApiError(
                        f"CDN endpoint {endpoint_id!r} does not exist for this DigitalOcean account (404); "
                        "check the profile's CDN endpoint id",
                        status=404,
                        error_id=exc.error_id,
                    ) from None
                raise
            if on_batch is not None:
                on_batch(min((index + 1) * PURGE_BATCH, len(paths)), len(paths))
        return len(batches)

    def account(self) -> Account:
        """Who the token belongs to (proves the token works)."""
        response = self._request("GET", "/v2/account", "checking the DigitalOcean token")
        try:
            acc = response.json()["account"]
        except (ValueError, KeyError, TypeError):
            raise DOApiError("checking the DigitalOcean token: unexpected answer from DigitalOcean") from None
        return Account(
            email=str(acc.get("email", "")), status=str(acc.get("status", "")), uuid=str(acc.get("uuid", ""))
        )


def create_spaces_key(
    token: str,
    name: str,
    bucket: str,
    permission: str = "readwrite",
    *,
    base_url: str | None = None,
) -> SpacesKey:
    """Create a per-bucket Spaces key with a one-off client (see ``DigitalOceanClient.create_spaces_key``)."""
    with DigitalOceanClient(token, base_url=base_url) as client:
        return client.create_spaces_key(name, bucket, permission)


def purge_cdn(
    token: str,
    endpoint_id: str,
    files: Sequence[str],
    *,
    base_url: str | None = None,
    max_retry_wait_s: float = MAX_RETRY_WAIT_S,
) -> int:
    """Purge CDN paths with a one-off client (see ``DigitalOceanClient.purge_cdn``); returns requests sent."""
    with DigitalOceanClient(token, base_url=base_url, max_retry_wait_s=max_retry_wait_s) as client:
        return client.purge_cdn(endpoint_id, files)
