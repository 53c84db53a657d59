"""``profiles test`` checks against real services: SeaweedFS (SigV4, per-identity actions), gnome-keyring,
the fake DigitalOcean API over HTTP, and a small HTTP server standing in for the backend's two endpoints."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from studio.adapters.profile_check import (
    PROBE_PREFIX,
    CheckResult,
    all_passed,
    check_profile,
    uses_path_style,
)
from studio.adapters.sandbox import free_ports
from studio.adapters.secrets import SecretName, SecretStore
from studio.core.profiles import Profile, make_profile
from tests.adapters.fake_do_api import FakeDigitalOcean
from tests.adapters.keyring_service import SecretServiceSession
from tests.backend.seaweed import SeaweedS3

BACKEND_TOKEN = "tsk_" + "b" * 43


@pytest.fixture(scope="module")
def backend_url() -> Iterator[str]:
    """``/healthz`` and an authenticated ``/v1/themes`` as the backend serves them (the backend's routes are
    still being written; this answers the same way: 200 JSON, 401 without the right bearer token)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            if self.path == "/healthz":
                status, body = 200, {"status": "ok"}
            elif self.path.startswith("/v1/themes"):
                if self.headers.get("Authorization") == f"Bearer {BACKEND_TOKEN}":
                    status, body = 200, {"items": [], "total": 0}
                else:
                    status, body = 401, {"detail": "invalid token"}
            else:
                status, body = 404, {"detail": "not found"}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _profile(seaweed: SeaweedS3, name: str, access_key: str | None, **extra: Any) -> Profile:
    return make_profile(
        name,
        seaweed.endpoint,
        region=seaweed.region,
        bucket=seaweed.bucket,
        access_key_id=access_key,
        **extra,
    )


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results}


def test_path_style_for_ip_and_localhost() -> None:
    assert uses_path_style("http://127.0.0.1:8333")
    assert uses_path_style("http://localhost:9000")
    assert uses_path_style("http://[::1]:9000")
    assert not uses_path_style("https://fra1.digitaloceanspaces.com")


def test_right_key_passes_every_check_and_leaves_no_probe(
    seaweed: SeaweedS3, secret_service: SecretServiceSession
) -> None:
    store = SecretStore()
    store.set("good", SecretName.SPACES_SECRET, seaweed.secret_key)
    results = check_profile(_profile(seaweed, "good", seaweed.access_key), store)
    assert all_passed(results), [r.line() for r in results]
    assert [r.name for r in results] == ["keyring", "endpoint", "spaces key read", "spaces key write"]
    assert "can write and delete" in by_name(results)["spaces key write"].message
    listed = seaweed.client().list_objects_v2(Bucket=seaweed.bucket, Prefix=PROBE_PREFIX)
    assert listed.get("KeyCount", 0) == 0
    store.delete_all("good")


def test_wrong_secret_says_so(seaweed: SeaweedS3, secret_service: SecretServiceSession) -> None:
    store = SecretStore()
    wrong = "wrong-" + seaweed.secret_key[6:]
    store.set("wrong", SecretName.SPACES_SECRET, wrong)
    results = check_profile(_profile(seaweed, "wrong", seaweed.access_key), store)
    read = by_name(results)["spaces key read"]
    assert not read.ok
    assert read.message.startswith("SignatureDoesNotMatch: the secret is wrong")
    assert not all_passed(results)
    assert all(wrong not in r.line() for r in results)
    store.delete_all("wrong")


def test_read_only_key_cannot_write(seaweed: SeaweedS3, secret_service: SecretServiceSession) -> None:
    store = SecretStore()
    store.set("ro", SecretName.SPACES_SECRET, seaweed.readonly_secret_key)
    results = by_name(check_profile(_profile(seaweed, "ro", seaweed.readonly_access_key), store))
    assert results["spaces key read"].ok
    assert not results["spaces key write"].ok
    assert results["spaces key write"].message == (
        f"AccessDenied: the key cannot write to bucket {seaweed.bucket}"
    )
    store.delete_all("ro")


def test_unknown_key_and_missing_secret(seaweed: SeaweedS3, secret_service: SecretServiceSession) -> None:
    store = SecretStore()
    store.set("unknown", SecretName.SPACES_SECRET, "whatever-secret")
    results = by_name(check_profile(_profile(seaweed, "unknown", "NOSUCHKEY0000"), store))
    assert results["spaces key read"].message.startswith("InvalidAccessKeyId")
    store.delete_all("unknown")
    missing = by_name(check_profile(_profile(seaweed, "missing", seaweed.access_key), store))
    assert not missing["spaces key"].ok
    assert "no secret" in missing["spaces key"].message


def test_unreachable_endpoint_names_the_url(secret_service: SecretServiceSession) -> None:
    url = f"http://127.0.0.1:{free_ports(1)[0]}"
    store = SecretStore()
    store.set("down", SecretName.SPACES_SECRET, "s")
    profile = make_profile("down", url, region="us-east-1", access_key_id="AK")
    results = by_name(check_profile(profile, store, timeout=2))
    assert not results["endpoint"].ok
    assert results["endpoint"].message.startswith(f"cannot reach {url}")
    assert "spaces key read" not in results  # no point signing requests to nobody
    store.delete_all("down")


def test_do_token_and_backend_token(
    seaweed: SeaweedS3, secret_service: SecretServiceSession, fake_do: FakeDigitalOcean, backend_url: str
) -> None:
    store = SecretStore()
    store.set("full", SecretName.SPACES_SECRET, seaweed.secret_key)
    store.set("full", SecretName.DO_TOKEN, fake_do.token)
    store.set("full", SecretName.BACKEND_TOKEN, BACKEND_TOKEN)
    profile = _profile(seaweed, "full", seaweed.access_key, backend_url=backend_url, cdn_endpoint_id="cdn-1")
    results = check_profile(profile, store, do_api_url=fake_do.url)
    assert all_passed(results), [r.line() for r in results]
    assert by_name(results)["DO token"].message.startswith("accepted (account author@example.com")
    assert ("GET", "/v2/account") in fake_do.requests

    store.set("full", SecretName.DO_TOKEN, "dop_v1_wrong")
    store.set("full", SecretName.BACKEND_TOKEN, "tsk_wrong")
    bad = by_name(check_profile(profile, store, do_api_url=fake_do.url))
    assert not bad["DO token"].ok
    assert "token was refused (401)" in bad["DO token"].message
    assert not bad["backend token"].ok
    assert "refused the token (401)" in bad["backend token"].message
    assert bad["backend"].ok
    store.delete_all("full")


def test_cdn_without_do_token_and_backend_grants_without_token(
    seaweed: SeaweedS3, secret_service: SecretServiceSession, backend_url: str
) -> None:
    store = SecretStore()
    profile = _profile(
        seaweed,
        "grants",
        None,
        credential_mode="backend-grants",
        backend_url=backend_url,
        cdn_endpoint_id="x",
    )
    results = by_name(check_profile(profile, store))
    assert "spaces key read" not in results  # no bucket key on the desktop in this mode
    assert not results["DO token"].ok
    assert "cannot purge the CDN" in results["DO token"].message
    assert not results["backend token"].ok


def test_backend_unreachable(secret_service: SecretServiceSession, seaweed: SeaweedS3) -> None:
    url = f"http://127.0.0.1:{free_ports(1)[0]}"
    profile = _profile(seaweed, "nobackend", None, credential_mode="backend-grants", backend_url=url)
    results = by_name(check_profile(profile, SecretStore(), timeout=2))
    assert results["backend"].message.startswith(f"cannot reach {url}")
