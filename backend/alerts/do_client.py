"""The DigitalOcean App Platform calls that manage an app's alert policies.

Request and response shapes follow DigitalOcean's published OpenAPI specification
(github.com/digitalocean/openapi, ``specification/resources/apps``):

- ``GET /v2/apps/{id}`` answers ``{"app": {"id", "spec", ...}}``;
- ``PUT /v2/apps/{id}`` takes ``{"spec": AppSpec}`` (``apps_update_app_request``), answers ``{"app": ...}``;
- ``GET /v2/apps/{app_id}/alerts`` answers ``{"alerts": [{"id", "component_name", "spec", "emails",
  "slack_webhooks", ...}]}``;
- ``POST /v2/apps/{app_id}/alerts/{alert_id}/destinations`` takes ``{"emails", "slack_webhooks"}`` and answers
  ``{"alert": ...}``.

429 and 5xx answers are retried within a bounded wait, honouring ``Retry-After`` (else ``ratelimit-reset``).
Retrying the writes is safe: both replace state (the whole spec, the whole destination list) rather than add.
The token goes only into the ``Authorization`` header and is scrubbed from every message.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.digitalocean.com"
BASE_URL_ENV = "DIGITALOCEAN_API_URL"  # another API root (a test server)
TOKEN_ENVS = ("DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_TOKEN")  # doctl's name first, then the studio's
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 5
MAX_RETRY_WAIT_S = 60.0  # total time one call may spend waiting before it gives up
MAX_SINGLE_WAIT_S = 30.0  # one answer never makes us sleep longer than this


class DOApiError(Exception):
    """A DigitalOcean API call failed; ``str()`` is a sentence for the operator, without the token.

    Attributes:
        status: the HTTP status, or None when no answer came.
        error_id: DigitalOcean's error id (``unauthorized``, ``not_found``...), when it sent one.
    """

    def __init__(self, message: str, *, status: int | None = None, error_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id


def token_from_env(environ: dict[str, str] | None = None) -> str | None:
    """The DigitalOcean token from ``DIGITALOCEAN_ACCESS_TOKEN`` (else ``DIGITALOCEAN_TOKEN``), if set."""
    env = os.environ if environ is None else environ
    for name in TOKEN_ENVS:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def retry_delay(response: httpx.Response, attempt: int, now: float) -> float:
    """Seconds before a retry: ``Retry-After``, else ``ratelimit-reset`` (epoch), else exponential."""
    retry_after = response.headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass  # an HTTP date: rare; the other hints follow
    reset = response.headers.get("ratelimit-reset")
    if reset and response.status_code == 429:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            pass
    return float(min(2**attempt, 16))


class AppPlatformClient:
    """A small httpx client for the App Platform endpoints the alert policies need.

    Args:
        token: a DigitalOcean API token with the ``app:read`` and ``app:update`` scopes.
        base_url: the API root (``DIGITALOCEAN_API_URL`` or DigitalOcean's when None).
        timeout: per-request timeout in seconds.
        max_retry_wait_s: total seconds one call may wait out 429/5xx answers.
        sleep: how to wait (tests pass one that records).
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        timeout: float = 20.0,
        max_retry_wait_s: float = MAX_RETRY_WAIT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token:
            raise DOApiError("no DigitalOcean API token given")
        self._token = token
        self.base_url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        self.max_retry_wait_s = max_retry_wait_s
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"AppPlatformClient(base_url={self.base_url!r})"

    def __enter__(self) -> AppPlatformClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***")

    def _request(self, method: str, path: str, what: str, json: Any = None) -> Any:
        """Send one request, retrying 429/5xx within the budget; the decoded JSON body, or DOApiError."""
        waited = 0.0
        for attempt in range(MAX_ATTEMPTS):
            try:
                response = self._http.request(method, path, json=json)
            except httpx.TimeoutException:
                raise DOApiError(
                    f"{what}: the DigitalOcean API at {self.base_url} did not answer in time"
                ) from None
            except httpx.HTTPError as exc:
                reason = self._scrub(str(exc)) or type(exc).__name__
                raise DOApiError(
                    f"{what}: cannot reach the DigitalOcean API at {self.base_url} ({reason})"
                ) from None
            if response.status_code not in RETRY_STATUSES:
                if response.is_error:
                    raise self._error(response, what)
                try:
                    return response.json()
                except ValueError:
                    raise DOApiError(
                        f"{what}: DigitalOcean answered {response.status_code} without JSON",
                        status=response.status_code,
                    ) from None
            delay = min(retry_delay(response, attempt, time.time()), MAX_SINGLE_WAIT_S)
            if attempt + 1 == MAX_ATTEMPTS or waited + delay > self.max_retry_wait_s:
                raise self._gave_up(response, what, waited, attempt + 1)
            log.info("%s: DigitalOcean answered %s, retrying in %.1f s", what, response.status_code, delay)
            self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _gave_up(self, response: httpx.Response, what: str, waited: float, attempts: int) -> DOApiError:
        status = response.status_code
        if status == 429:
            reason = "kept answering 429 Too Many Requests"
            hint = "Try again in a minute."
        else:
            reason = f"kept failing with {status}"
            hint = "DigitalOcean may be having trouble; try again later."
        error = self._error(response, what)
        return DOApiError(
            f"{what}: DigitalOcean {reason}; gave up after {attempts} attempt(s) and {waited:.0f} s "
            f"of waiting (limit {self.max_retry_wait_s:.0f} s). {hint}",
            status=status,
            error_id=error.error_id,
        )

    def _error(self, response: httpx.Response, what: str) -> DOApiError:
        error_id: str | None = None
        detail = ""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            error_id = body.get("id") if isinstance(body.get("id"), str) else None
            detail = self._scrub(str(body.get("message") or ""))[:300]
        status = response.status_code
        if status == 401:
            message = f"{what}: the DigitalOcean token was refused (401): it is wrong, expired or revoked"
        elif status == 403:
            message = (
                f"{what}: the DigitalOcean token may not do this (403): it needs the app:read and "
                "app:update scopes"
            )
        elif status == 404:
            message = f"{what}: not found (404)"
        elif status >= 500:
            message = f"{what}: DigitalOcean API error {status}"
        else:
            message = f"{what}: DigitalOcean refused the request ({status})"
        if detail:
            message += f": {detail}"
        return DOApiError(message, status=status, error_id=error_id)

    def get_app_spec(self, app_id: str) -> dict[str, Any]:
        """The app's current spec (``app.spec``)."""
        what = f"reading app {app_id}"
        try:
            body = self._request("GET", f"/v2/apps/{app_id}", what)
        except DOApiError as exc:
            if exc.status == 404:
                raise DOApiError(
                    f"{what}: no app with this id in the token's account (404); check --app-id",
                    status=404,
                    error_id=exc.error_id,
                ) from None
            raise
        spec = body.get("app", {}).get("spec") if isinstance(body, dict) else None
        if not isinstance(spec, dict):
            raise DOApiError(f"{what}: the answer has no app.spec")
        return spec

    def update_app_spec(self, app_id: str, spec: dict[str, Any]) -> None:
        """Replace the app's spec (``PUT /v2/apps/{id}``); App Platform may start a deployment for it."""
        self._request("PUT", f"/v2/apps/{app_id}", f"updating the spec of app {app_id}", json={"spec": spec})

    def list_alerts(self, app_id: str) -> list[dict[str, Any]]:
        """The app's alerts with their ids and destinations."""
        what = f"listing the alerts of app {app_id}"
        body = self._request("GET", f"/v2/apps/{app_id}/alerts", what)
        alerts = body.get("alerts") if isinstance(body, dict) else None
        if alerts is None:
            return []
        if not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts):
            raise DOApiError(f"{what}: the answer's alerts is not a list of objects")
        return alerts

    def set_destinations(
        self, app_id: str, alert_id: str, emails: list[str], slack_webhooks: list[dict[str, str]]
    ) -> None:
        """Set an alert's email and Slack destinations."""
        self._request(
            "POST",
            f"/v2/apps/{app_id}/alerts/{alert_id}/destinations",
            f"setting the destinations of alert {alert_id}",
            json={"emails": emails, "slack_webhooks": slack_webhooks},
        )
