"""A real S3-compatible server for backend tests: SeaweedFS (`weed server`) on free loopback ports.

SeaweedFS enforces SigV4 signatures, presigned-URL expiry, POST-policy conditions and per-identity actions,
which is what a storage test must prove (moto accepts any signature). Use it as a pytest plugin
(``pytest_plugins = ["tests.backend.seaweed"]``) or import the ``seaweed`` fixture directly.

The server is session-scoped (~3 s to start) and killed with SIGKILL at the end: a graceful stop takes ~20 s
and the data directory is thrown away anyway. A missing ``weed`` binary fails the run, it never skips.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from studio.adapters.sandbox import find_weed, free_ports, public_read_policy

BUCKET = "themesystem-assets"
REGION = "us-east-1"
# Prefixes anyone may read (DESIGN section 2); everything else in the bucket needs a signature.
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class SeaweedS3:
    """A running SeaweedFS S3 gateway and the credentials that reach it."""

    endpoint: str
    region: str
    bucket: str
    access_key: str
    secret_key: str = field(repr=False)
    readonly_access_key: str
    readonly_secret_key: str = field(repr=False)
    data_dir: Path
    pid: int

    def client(self, *, readonly: bool = False, secret_key: str | None = None) -> Any:
        """Return a boto3 S3 client for the admin (or read-only) identity, optionally with another secret."""
        if readonly:
            access, secret = self.readonly_access_key, self.readonly_secret_key
        else:
            access, secret = self.access_key, self.secret_key
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=access,
            aws_secret_access_key=secret if secret_key is None else secret_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"mode": "standard", "max_attempts": 2},
            ),
        )


def _wait_for_s3(endpoint: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"weed server exited with {proc.returncode}; log:\n{_tail(log)}")
        with contextlib.suppress(httpx.HTTPError):
            # Any HTTP answer (403 for an unsigned request) means the gateway is serving.
            httpx.get(endpoint + "/", timeout=1.0)
            return
        time.sleep(0.1)
    raise RuntimeError(f"SeaweedFS S3 did not answer within {START_TIMEOUT_S:.0f} s; log:\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextlib.contextmanager
def run_seaweed(base_dir: Path | None = None, *, bucket: str = BUCKET) -> Iterator[SeaweedS3]:
    """Start ``weed server`` with S3 on free ports, create ``bucket`` with its public-read policy, yield it.

    Args:
        base_dir: where data, config and log go; a fresh temp dir (removed afterwards) when None.
        bucket: the bucket to create.
    """
    weed = find_weed()
    own_dir = base_dir is None
    root = Path(tempfile.mkdtemp(prefix="seaweed-")) if base_dir is None else base_dir
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    admin_key, admin_secret = "admin-" + secrets.token_hex(6), secrets.token_urlsafe(30)
    ro_key, ro_secret = "ro-" + secrets.token_hex(6), secrets.token_urlsafe(30)
    identities = {
        "identities": [
            {
                "name": "admin",
                "credentials": [{"accessKey": admin_key, "secretKey": admin_secret}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            },
            {
                "name": "readonly",
                "credentials": [{"accessKey": ro_key, "secretKey": ro_secret}],
                "actions": ["Read", "List"],
            },
        ]
    }
    config = root / "s3.json"
    config.write_text(json.dumps(identities))
    config.chmod(0o600)
    (master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc) = free_ports(8)
    log = root / "weed.log"
    cmd = [
        str(weed),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        "-master.volumeSizeLimitMB=64",
        "-volume.max=30",
    ]
    endpoint = f"http://127.0.0.1:{s3}"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_s3(endpoint, proc, log)
        server = SeaweedS3(
            endpoint=endpoint,
            region=REGION,
            bucket=bucket,
            access_key=admin_key,
            secret_key=admin_secret,
            readonly_access_key=ro_key,
            readonly_secret_key=ro_secret,
            data_dir=root,
            pid=proc.pid,
        )
        admin = server.client()
        _create_bucket(admin, bucket, log)
        admin.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
        yield server
    finally:
        # SIGKILL the whole process group: a graceful stop takes ~20 s and the data is disposable.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        if own_dir:
            shutil.rmtree(root, ignore_errors=True)


def _create_bucket(admin: Any, bucket: str, log: Path) -> None:
    """Create the bucket, retrying while the filer finishes starting (S3 may answer slightly earlier)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            admin.create_bucket(Bucket=bucket)
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"could not create bucket {bucket!r}: {exc}; log:\n{_tail(log)}") from exc
            time.sleep(0.2)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """A SeaweedFS S3 server for the whole session, with the backend's bucket and public-read policy."""
    with run_seaweed(tmp_path_factory.mktemp("seaweed")) as server:
        yield server


@pytest.fixture(scope="session")
def s3_admin(seaweed: SeaweedS3) -> Any:
    """One boto3 client with the bucket key for the session (creating one costs ~0.15 s)."""
    return seaweed.client()
