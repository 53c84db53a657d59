"""``themestudio profiles test``: try each credential of a profile against its service and say what works.

Checks, in order: the keyring answers; the S3 endpoint is reachable; the Spaces key can list the bucket and
write + delete a tiny probe object under ``themes-drafts/.studio-probe/`` (a real write, because a read-only
key lists fine); the DigitalOcean token is accepted (``GET /v2/account``); the backend answers ``/healthz``
and accepts its token on an authenticated call. Each result is one sentence the user can act on; no result
ever contains a secret.
"""

from __future__ import annotations

import ipaddress
import secrets as pyrandom
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from studio.adapters.do_api import DigitalOceanClient, DOApiError
from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
from studio.core.profiles import Profile

PROBE_PREFIX = "themes-drafts/.studio-probe/"
BACKEND_AUTH_PATH = "/v1/themes?limit=1"  # any authenticated read proves the token


@dataclass(frozen=True)
class CheckResult:
    """One check: what was tried, whether it worked, and a sentence saying so."""

    name: str
    ok: bool
    message: str

    def line(self) -> str:
        """``✓ name: message`` / ``✗ name: message`` for a terminal or a list widget."""
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.message}"


def all_passed(results: Sequence[CheckResult]) -> bool:
    """Whether every check passed (``profiles test`` exits 0 only then)."""
    return bool(results) and all(r.ok for r in results)


def uses_path_style(endpoint: str) -> bool:
    """Path-style addressing for IP and localhost endpoints (no per-bucket DNS there); else virtual-host."""
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def s3_client(profile: Profile, access_key: str, secret_key: str, *, timeout: float = 10.0) -> Any:
    """A boto3 S3 client for ``profile`` that works with Spaces and other non-AWS stores.

    CRC32 checksums are only sent when an operation requires them (boto3 >= 1.36 sends them by default and
    many S3-compatible stores reject them); addressing is path-style for IP/localhost endpoints.
    """
    return boto3.client(
        "s3",
        endpoint_url=profile.endpoint,
        region_name=profile.region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if uses_path_style(profile.endpoint) else "virtual"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"mode": "standard", "max_attempts": 1},
        ),
    )


def _code(exc: ClientError) -> str:
    return str(
        exc.response.get("Error", {}).get("Code")
        or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    )


class _Checker:
    def __init__(self, profile: Profile, store: SecretStore, do_api_url: str | None, timeout: float) -> None:
        self.profile = profile
        self.store = store
        self.do_api_url = do_api_url
        self.timeout = timeout
        self.results: list[CheckResult] = []

    def add(self, name: str, ok: bool, message: str) -> bool:
        self.results.append(CheckResult(name, ok, message))
        return ok

    def secret(self, name: SecretName) -> str | None:
        return self.store.get(self.profile.name, name)

    def run(self) -> list[CheckResult]:
        keyring_ok = self.check_keyring()
        reachable = self.check_endpoint()
        if self.profile.credential_mode == "spaces-key" and keyring_ok and reachable:
            self.check_spaces_key()
        if keyring_ok:
            self.check_do_token()
        if self.profile.backend_url:
            self.check_backend(keyring_ok)
        return self.results

    def check_keyring(self) -> bool:
        try:
            backend = self.store.check()
        except KeyringUnavailable as exc:
            return self.add("keyring", False, str(exc))
        return self.add("keyring", True, f"reachable ({backend})")

    def check_endpoint(self) -> bool:
        url = self.profile.endpoint
        try:
            # Any HTTP answer (403 to an unsigned request is normal) proves the endpoint is there.
            httpx.get(url, timeout=self.timeout)
        except httpx.HTTPError as exc:
            return self.add("endpoint", False, f"cannot reach {url} ({type(exc).__name__}: {exc})")
        return self.add("endpoint", True, f"{url} answers")

    def check_spaces_key(self) -> None:
        p = self.profile
        if not p.access_key_id:
            self.add("spaces key", False, "no access key id in the profile (set one, or create a key)")
            return
        secret = self.secret(SecretName.SPACES_SECRET)
        if not secret:
            self.add("spaces key", False, f"no secret for access key {p.access_key_id} in the keyring")
            return
        client = s3_client(p, p.access_key_id, secret, timeout=self.timeout)
        try:
            self._read(client)
            self._write(client)
        finally:
            client.close()

    def _read(self, client: Any) -> bool:
        p = self.profile
        try:
            client.list_objects_v2(Bucket=p.bucket, MaxKeys=1)
        except ClientError as exc:
            code = _code(exc)
            messages = {
                "SignatureDoesNotMatch": f"SignatureDoesNotMatch: the secret is wrong ({p.access_key_id})",
                "InvalidAccessKeyId": f"InvalidAccessKeyId: {p.endpoint} does not know key {p.access_key_id}",
                "NoSuchBucket": f"NoSuchBucket: bucket {p.bucket} does not exist at {p.endpoint}",
                "AccessDenied": f"AccessDenied: the key cannot list bucket {p.bucket}",
            }
            return self.add(
                "spaces key read", False, messages.get(code, f"{code}: listing bucket {p.bucket} failed")
            )
        except (EndpointConnectionError, BotoCoreError) as exc:
            return self.add("spaces key read", False, f"cannot reach {p.endpoint} ({exc})")
        return self.add("spaces key read", True, f"the key can list bucket {p.bucket}")

    def _write(self, client: Any) -> bool:
        p = self.profile
        key = f"{PROBE_PREFIX}{pyrandom.token_hex(8)}"
        try:
            client.put_object(Bucket=p.bucket, Key=key, Body=b"probe", ContentType="text/plain")
        except ClientError as exc:
            code = _code(exc)
            if code in ("AccessDenied", "403"):
                return self.add(
                    "spaces key write", False, f"AccessDenied: the key cannot write to bucket {p.bucket}"
                )
            return self.add("spaces key write", False, f"{code}: writing a probe to bucket {p.bucket} failed")
        except BotoCoreError as exc:
            return self.add("spaces key write", False, f"writing a probe to {p.endpoint} failed ({exc})")
        try:
            client.delete_object(Bucket=p.bucket, Key=key)
        except ClientError as exc:
            return self.add(
                "spaces key write",
                False,
                f"{_code(exc)}: the key wrote {key} but cannot delete it (delete it by hand)",
            )
        return self.add("spaces key write", True, f"the key can write and delete in bucket {p.bucket}")

    def check_do_token(self) -> None:
        token = self.secret(SecretName.DO_TOKEN)
        if not token:
            if self.profile.cdn_endpoint_id:
                self.add(
                    "DO token",
                    False,
                    "a CDN endpoint id is set but no DigitalOcean token is stored: cannot purge the CDN",
                )
            return
        try:
            with DigitalOceanClient(token, base_url=self.do_api_url, timeout=self.timeout) as client:
                account = client.account()
        except DOApiError as exc:
            self.add("DO token", False, str(exc))
            return
        self.add("DO token", True, f"accepted (account {account.email}, {account.status})")

    def check_backend(self, keyring_ok: bool) -> None:
        base = (self.profile.backend_url or "").rstrip("/")
        try:
            health = httpx.get(f"{base}/healthz", timeout=self.timeout)
        except httpx.HTTPError as exc:
            self.add("backend", False, f"cannot reach {base} ({type(exc).__name__}: {exc})")
            return
        if health.status_code != 200:
            self.add("backend", False, f"{base}/healthz answered {health.status_code}")
            return
        self.add("backend", True, f"{base} is healthy")
        if not keyring_ok:
            return
        token = self.secret(SecretName.BACKEND_TOKEN)
        if not token:
            self.add("backend token", False, "no backend token in the keyring")
            return
        try:
            answer = httpx.get(
                base + BACKEND_AUTH_PATH, headers={"Authorization": f"Bearer {token}"}, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            self.add("backend token", False, f"cannot reach {base} ({type(exc).__name__})")
            return
        if answer.status_code in (401, 403):
            self.add(
                "backend token",
                False,
                f"the backend refused the token ({answer.status_code}): wrong or revoked",
            )
        elif answer.is_error:
            self.add(
                "backend token", False, f"the backend answered {answer.status_code} to an authenticated call"
            )
        else:
            self.add("backend token", True, "accepted")


def check_profile(
    profile: Profile,
    store: SecretStore | None = None,
    *,
    do_api_url: str | None = None,
    timeout: float = 5.0,
) -> list[CheckResult]:
    """Run every check that applies to ``profile``; never raises for a failed credential.

    Args:
        profile: the profile to test.
        store: where its secrets are (the system keyring when None).
        do_api_url: the DigitalOcean API root (``THEMESTUDIO_DO_API_URL`` or DigitalOcean's when None).
        timeout: seconds per network call.
    """
    return _Checker(profile, store or SecretStore(), do_api_url, timeout).run()
