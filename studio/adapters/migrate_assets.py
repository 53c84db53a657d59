"""Copy objects between two S3-compatible endpoints (e.g. the original platform's bucket → Spaces) safely.

Every object under a prefix is read from the source, checked against its ``sha256`` metadata when it has one
(else hashed), and written to the destination with the same ``Content-Type``, ``Cache-Control`` and metadata;
the destination checks the bytes again (``x-amz-checksum-sha256``) and a HEAD confirms size, headers and
metadata. Resumable without a state file: an object already at the destination with the same bytes (sha256
metadata, or the MD5 ETag of a single-part object) and the same headers is skipped, before any download when
the source carries its sha256. Bounded concurrency; every failure is collected with its reason, never hidden.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from studio.adapters.object_store import ObjectInfo, ObjectStore, ObjectStoreError, S3Credentials

DEFAULT_WORKERS = 8
_CHUNK = 1 << 20


@dataclass
class MigrationSummary:
    """What a migration did.

    Attributes:
        copied: keys written to the destination.
        skipped: keys already there with the same bytes and headers.
        failed: (key, reason) for every object that could not be copied and verified.
        bytes_copied: bytes written to the destination.
        seconds: wall time.
    """

    copied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    bytes_copied: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def describe(self) -> str:
        """One line per failure, then the totals."""
        lines = [f"FAILED {key}: {reason}" for key, reason in sorted(self.failed)]
        lines.append(
            f"{len(self.copied)} copied ({self.bytes_copied} bytes), {len(self.skipped)} skipped "
            f"(already there), {len(self.failed)} failed, in {self.seconds:.1f} s"
        )
        return "\n".join(lines)


class _CopyError(Exception):
    """One object's copy failed for the reason in the message."""


def _headers(info: ObjectInfo) -> dict[str, str]:
    headers: dict[str, str] = {}
    if info.content_type:
        headers["Content-Type"] = info.content_type
    if info.cache_control:
        headers["Cache-Control"] = info.cache_control
    headers.update({f"x-amz-meta-{name}": value for name, value in sorted(info.metadata.items())})
    return headers


def _same_headers(a: ObjectInfo, b: ObjectInfo) -> bool:
    return (
        a.content_type == b.content_type
        and a.cache_control == b.cache_control
        and dict(a.metadata) == dict(b.metadata)
    )


def _same_bytes(dest: ObjectInfo, size: int, sha256: str, md5: str | None) -> bool:
    if dest.size != size:
        return False
    if dest.metadata.get("sha256"):
        return dest.metadata["sha256"].lower() == sha256.lower()
    return md5 is not None and "-" not in dest.etag and dest.etag == md5


class Migrator:
    """Copies a prefix from ``source`` to ``dest``.

    Args:
        source: the store read from (signed HEAD/LIST; GET through ``source_credentials``).
        dest: the store written to.
        source_credentials: the source key pair, for the streamed GETs.
        workers: objects in flight at once.
    """

    def __init__(
        self,
        source: ObjectStore,
        dest: ObjectStore,
        source_credentials: S3Credentials,
        *,
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.source = source
        self.dest = dest
        self.workers = max(1, workers)
        location = source.location
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=location.endpoint,
            region_name=location.region,
            aws_access_key_id=source_credentials.access_key,
            aws_secret_access_key=source_credentials.secret_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path" if location.path_style else "virtual"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                max_pool_connections=self.workers,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        )

    def close(self) -> None:
        """Close the source GET client (the stores are the caller's)."""
        self._client.close()

    def run(
        self, prefix: str = "", *, on_object: Callable[[str, str], None] | None = None
    ) -> MigrationSummary:
        """Copy every object under ``prefix``; ``on_object(key, outcome)`` is called as each finishes.

        ``outcome`` is ``copied``, ``skipped`` or ``failed: <reason>``. Listing failures are raised
        (:class:`ObjectStoreError`): without a listing there is nothing to report per object.
        """
        started = time.perf_counter()
        listed, _ = self.source.list_objects(prefix)
        summary = MigrationSummary()
        lock = threading.Lock()

        def one(info: ObjectInfo) -> None:
            try:
                outcome, moved = self._copy(info.key)
            except _CopyError as exc:
                outcome, moved = f"failed: {exc}", 0
            except ObjectStoreError as exc:
                outcome, moved = f"failed: {exc}", 0
            with lock:
                if outcome == "copied":
                    summary.copied.append(info.key)
                    summary.bytes_copied += moved
                elif outcome == "skipped":
                    summary.skipped.append(info.key)
                else:
                    summary.failed.append((info.key, outcome.removeprefix("failed: ")))
            if on_object is not None:
                on_object(info.key, outcome)

        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="migrate") as pool:
            for future in [pool.submit(one, info) for info in listed if not info.key.endswith("/")]:
                future.result()
        summary.seconds = time.perf_counter() - started
        return summary

    def _copy(self, key: str) -> tuple[str, int]:
        """Copy one object; returns (``copied``/``skipped``, bytes written)."""
        head = self.source.head(key)
        if head is None:
            raise _CopyError("it disappeared from the source during the migration")
        expected = head.metadata.get("sha256", "").lower()
        present = self.dest.head(key)
        if (
            expected
            and present is not None
            and _same_headers(head, present)
            and _same_bytes(present, head.size, expected, None)
        ):
            return "skipped", 0
        with tempfile.TemporaryDirectory(prefix="themestudio-migrate-") as scratch:
            path = Path(scratch) / "object"
            sha256, md5, size = self._download(key, path)
            if expected and sha256 != expected:
                raise _CopyError(
                    f"the source bytes do not match their sha256 metadata ({sha256[:12]}… ≠ {expected[:12]}…)"
                )
            if size != head.size:
                raise _CopyError(f"the source sent {size} bytes, its HEAD says {head.size}")
            if (
                present is not None
                and _same_headers(head, present)
                and _same_bytes(present, size, sha256, md5)
            ):
                return "skipped", 0
            self.dest.put_file(key, path, _headers(head), sha256=sha256, size=size)
        self._verify(key, head, sha256, md5)
        return "copied", size

    def _download(self, key: str, path: Path) -> tuple[str, str, int]:
        sha = hashlib.sha256()
        md5 = hashlib.md5(usedforsecurity=False)
        size = 0
        try:
            response = self._client.get_object(Bucket=self.source.location.bucket, Key=key)
            with path.open("wb") as out:
                for chunk in response["Body"].iter_chunks(_CHUNK):
                    sha.update(chunk)
                    md5.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise _CopyError(f"GET from the source refused: {code or 'error'}") from None
        except BotoCoreError as exc:
            raise _CopyError(f"GET from the source failed: {type(exc).__name__}") from None
        return sha.hexdigest(), md5.hexdigest(), size

    def _verify(self, key: str, source: ObjectInfo, sha256: str, md5: str) -> None:
        written = self.dest.head(key)
        if written is None:
            raise _CopyError("missing at the destination after upload")
        problems = []
        if not _same_bytes(written, source.size, sha256, md5) and written.size != source.size:
            problems.append(f"size {written.size} ≠ {source.size}")
        if written.metadata.get("sha256") and written.metadata["sha256"].lower() != sha256:
            problems.append("sha256 metadata differs")
        if not source.metadata.get("sha256") and "-" not in written.etag and written.etag != md5:
            problems.append("the destination's MD5 ETag differs")
        if not _same_headers(source, written):
            problems.append("Content-Type, Cache-Control or metadata differ")
        if problems:
            raise _CopyError("verification failed: " + "; ".join(problems))
