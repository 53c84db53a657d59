"""A local HTTP server that implements the DigitalOcean API calls the studio uses, as documented.

The real API cannot be reached from the test machine. This server follows the API reference:
- ``POST /v2/spaces/keys`` ``{"name", "grants": [{"bucket", "permission"}]}`` -> 201
  ``{"key": {"name", "access_key", "secret_key", "grants", "created_at"}}``; 400 on a malformed body;
- ``DELETE /v2/cdn/endpoints/{id}/cache`` ``{"files": [...]}`` -> 204; 404 for an unknown endpoint; at most
  ``purge_limit`` files per ``purge_window_s`` (DigitalOcean: 50 per 20 s), beyond that 429 with
  ``Retry-After`` and ``ratelimit-*`` headers;
- ``GET /v2/account`` -> ``{"account": {...}}``.
Every call needs ``Authorization: Bearer <token>``; anything else is 401 ``{"id": "unauthorized", ...}``.
The window is shorter than DigitalOcean's in tests, so a rate-limited purge waits about a second, not 20.
"""

from __future__ import annotations

import contextlib
import json
import math
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

PERMISSIONS = {"read", "readwrite", "fullaccess", ""}


@dataclass
class FakeDigitalOcean:
    """State of the fake API: what was created and purged, and its limits (all public for assertions)."""

    token: str = field(default_factory=lambda: "dop_v1_" + secrets.token_hex(32), repr=False)
    cdn_endpoints: set[str] = field(default_factory=lambda: {"19f06b6a-3ace-4315-b086-499a0e521b76"})
    purge_limit: int = 50
    purge_window_s: float = 1.0
    send_retry_after: bool = True
    created_keys: list[dict[str, Any]] = field(default_factory=list)
    purges: list[tuple[str, list[str]]] = field(default_factory=list)
    rejected_429: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)
    _purged_at: list[tuple[float, int]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def reset(self) -> None:
        """Forget what happened (between tests sharing one server)."""
        with self._lock:
            self.created_keys.clear()
            self.purges.clear()
            self._purged_at.clear()
            self.requests.clear()
            self.rejected_429 = 0
            self.purge_limit = 50
            self.purge_window_s = 1.0
            self.send_retry_after = True

    def _purge_budget(self, now: float, count: int) -> float:
        """0 when ``count`` more files fit in the window, else seconds until they would."""
        self._purged_at[:] = [(t, n) for t, n in self._purged_at if now - t < self.purge_window_s]
        used = sum(n for _, n in self._purged_at)
        if used + count <= self.purge_limit:
            self._purged_at.append((now, count))
            return 0.0
        oldest = min(t for t, _ in self._purged_at)
        return oldest + self.purge_window_s - now


def _handler(state: FakeDigitalOcean) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

        def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ratelimit-limit", "5000")
            self.send_header("ratelimit-remaining", "4999")
            self.send_header("ratelimit-reset", str(int(time.time()) + 60))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _error(
            self, status: int, error_id: str, message: str, headers: dict[str, str] | None = None
        ) -> None:
            self._send(
                status, {"id": error_id, "message": message, "request_id": secrets.token_hex(8)}, headers
            )

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return json.loads(raw) if raw else None
            except ValueError:
                return None

        def _authorized(self) -> bool:
            if self.headers.get("Authorization") == f"Bearer {state.token}":
                return True
            self._error(401, "unauthorized", "Unable to authenticate you")
            return False

        def do_GET(self) -> None:
            with state._lock:
                state.requests.append(("GET", self.path))
            if not self._authorized():
                return
            if self.path == "/v2/account":
                self._send(
                    200,
                    {
                        "account": {
                            "droplet_limit": 25,
                            "floating_ip_limit": 5,
                            "email": "author@example.com",
                            "uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
                            "email_verified": True,
                            "status": "active",
                            "status_message": "",
                        }
                    },
                )
                return
            self._error(404, "not_found", "The resource you were accessing could not be found.")

        def do_POST(self) -> None:
            body = self._body()
            with state._lock:
                state.requests.append(("POST", self.path))
            if not self._authorized():
                return
            if self.path != "/v2/spaces/keys":
                self._error(404, "not_found", "The resource you were accessing could not be found.")
                return
            grants = body.get("grants", []) if isinstance(body, dict) else None
            if (
                not isinstance(body, dict)
                or not isinstance(body.get("name", ""), str)
                or not isinstance(grants, list)
                or not all(
                    isinstance(g, dict)
                    and isinstance(g.get("bucket"), str)
                    and g.get("permission") in PERMISSIONS
                    for g in grants
                )
            ):
                self._error(400, "bad_request", "invalid request body")
                return
            key = {
                "name": body.get("name", ""),
                "access_key": "DO" + secrets.token_hex(9).upper(),
                "secret_key": secrets.token_urlsafe(32),
                "grants": [{"bucket": g["bucket"], "permission": g["permission"]} for g in grants],
                "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            with state._lock:
                state.created_keys.append(dict(key))
            self._send(201, {"key": key})

        def do_DELETE(self) -> None:
            body = self._body()
            with state._lock:
                state.requests.append(("DELETE", self.path))
            if not self._authorized():
                return
            parts = self.path.strip("/").split("/")
            if len(parts) != 5 or parts[:3] != ["v2", "cdn", "endpoints"] or parts[4] != "cache":
                self._error(404, "not_found", "The resource you were accessing could not be found.")
                return
            endpoint = parts[3]
            if endpoint not in state.cdn_endpoints:
                self._error(404, "not_found", "The resource you were accessing could not be found.")
                return
            files = body.get("files") if isinstance(body, dict) else None
            if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
                self._error(422, "unprocessable_entity", "files must be a non-empty list of paths")
                return
            with state._lock:
                wait = state._purge_budget(time.monotonic(), len(files))
                if wait > 0:
                    state.rejected_429 += 1
                    headers = {"ratelimit-reset": str(math.ceil(time.time() + wait))}
                    if state.send_retry_after:
                        headers["Retry-After"] = str(max(1, math.ceil(wait)))
                    self._error(429, "too_many_requests", "API Rate limit exceeded.", headers)
                    return
                state.purges.append((endpoint, list(files)))
            self._send(204)

    return Handler


@contextlib.contextmanager
def run_fake_do_api(state: FakeDigitalOcean | None = None) -> Iterator[FakeDigitalOcean]:
    """Serve the fake API on a free loopback port; ``state.url`` is its base URL while the block runs."""
    state = state or FakeDigitalOcean()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-do-api", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def _fake_do_server() -> Iterator[FakeDigitalOcean]:
    with run_fake_do_api() as state:
        yield state


@pytest.fixture
def fake_do(_fake_do_server: FakeDigitalOcean) -> FakeDigitalOcean:
    """The fake DigitalOcean API, its history cleared for this test."""
    _fake_do_server.reset()
    return _fake_do_server
