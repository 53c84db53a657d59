"""The upload engine: S3 requests signed by botocore, sent over one pooled HTTP connection pool.

Why not ``boto3.client.put_object``: its per-request pipeline (parameter validation, serialisation, event
hooks) is CPU-bound at ~2.5x the time of ``s5cmd`` on two cores, whatever the thread count (DESIGN section 2).
Here botocore's own SigV4 signer signs a plain request (:mod:`studio.core.s3_wire`, which the service's
verification shares), and the request goes out through one ``urllib3.PoolManager`` shared by a bounded thread
pool: the S3 protocol and its signatures stay botocore's, the per-request overhead goes away. Backend upload
grants (presigned PUTs) use the same pool.

Errors are turned into :class:`ObjectStoreError` at this edge, named by operation, key and the store's error
code; no message ever carries a secret or a signed URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import urllib3

from studio.core.s3_wire import (
    RequestSigner,
    error_code,
    full_object_checksum,
    list_query,
    metadata_of,
    parse_listing,
    quote_key,
)

__all__ = ["full_object_checksum", "quote_key"]  # re-exported: callers name them from here

#: Objects above this go up in parts (Spaces and S3 allow 5 MiB minimum parts).
MULTIPART_THRESHOLD = 8 * 1024 * 1024
PART_SIZE = 8 * 1024 * 1024
#: Spaces allows at most 10 concurrent PUTs to one object.
MAX_PARTS_IN_FLIGHT = 4
DEFAULT_WORKERS = 12
_ATTEMPTS = 3
_S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
_VIRTUAL_HOST_SUFFIXES = (".digitaloceanspaces.com", ".amazonaws.com")
_RETRY_STATUS = frozenset({500, 502, 503, 504})


class ObjectStoreError(Exception):
    """An object-store request failed; ``code`` is the store's error code (``AccessDenied``...) or status."""

    def __init__(self, message: str, code: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class AccessDeniedError(ObjectStoreError):
    """The credentials were refused (wrong secret, key without write access, expired grant)."""


class PreconditionFailedError(ObjectStoreError):
    """A conditional write found the key already present (``If-None-Match: *`` answered 412)."""


class CancelledError(Exception):
    """The caller's cancel event was set; no further request was started."""


@dataclass(frozen=True)
class S3Location:
    """Where the bucket is.

    Attributes:
        endpoint: S3 API endpoint (``https://nyc3.digitaloceanspaces.com``, ``http://127.0.0.1:8333``).
        region: signing region.
        bucket: bucket name.
        public_base_url: the public (CDN) base URL of the bucket; defaults to the origin URL of the bucket.
    """

    endpoint: str
    region: str
    bucket: str
    public_base_url: str = ""

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.endpoint).scheme not in ("http", "https"):
            raise ValueError(f"the storage endpoint must be an http(s) URL, not {self.endpoint!r}")
        if not self.bucket:
            raise ValueError("the bucket name must not be empty")

    @property
    def path_style(self) -> bool:
        """Path-style addressing for IPs, localhost and unknown hosts; virtual-host for Spaces and AWS."""
        host = (urllib.parse.urlsplit(self.endpoint).hostname or "").lower()
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return not host.endswith(_VIRTUAL_HOST_SUFFIXES)
        return True

    @property
    def bucket_url(self) -> str:
        """The origin URL of the bucket, without a trailing slash."""
        parts = urllib.parse.urlsplit(self.endpoint.rstrip("/"))
        if self.path_style:
            return f"{parts.scheme}://{parts.netloc}{parts.path}/{self.bucket}"
        return f"{parts.scheme}://{self.bucket}.{parts.netloc}{parts.path}"

    def object_url(self, key: str) -> str:
        """The origin URL of ``key``."""
        return f"{self.bucket_url}/{quote_key(key)}"

    def public_url(self, key: str) -> str:
        """The public URL of ``key`` (CDN when configured, else the bucket's origin URL)."""
        base = (self.public_base_url or self.bucket_url).rstrip("/")
        return f"{base}/{quote_key(key)}"


@dataclass(frozen=True)
class S3Credentials:
    """A Spaces/S3 access key pair; the secret stays out of ``repr``."""

    access_key: str
    secret_key: str = field(repr=False)


@dataclass(frozen=True)
class ObjectInfo:
    """What a HEAD (or a listing, for ``size``/``etag`` only) says about an object."""

    key: str
    size: int
    etag: str
    content_type: str = ""
    cache_control: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    #: The store's own SHA-256 of the whole object (base64), when it kept one: a store that validates
    #: ``x-amz-checksum-sha256`` on PUT reports it to a HEAD with ``x-amz-checksum-mode: ENABLED``. Empty for
    #: stores that keep none, and for multipart uploads (whose checksum is of the parts, ``...-N``).
    checksum_sha256: str = ""


@dataclass(frozen=True)
class PutRequest:
    """A ready-to-send upload: method, URL and headers (a backend grant, or signed locally)."""

    method: str
    url: str
    headers: Mapping[str, str]


class ObjectStore:
    """Signed S3 requests over one connection pool, with a bounded worker pool for parallel uploads.

    Create one per profile and keep it: the signer, connection pool and threads are reused by every call.
    With ``credentials=None`` only anonymous reads and backend-granted uploads work.
    """

    def __init__(
        self,
        location: S3Location,
        credentials: S3Credentials | None,
        *,
        workers: int = DEFAULT_WORKERS,
        timeout_s: float = 30.0,
    ) -> None:
        self.location = location
        self._signer = (
            RequestSigner(credentials.access_key, credentials.secret_key, location.region)
            if credentials is not None
            else None
        )
        self.workers = max(1, workers)
        # One pool for every request: connections stay warm across objects and publishes.
        self._http = urllib3.PoolManager(
            num_pools=4,
            maxsize=self.workers + MAX_PARTS_IN_FLIGHT,
            block=True,
            retries=False,
            timeout=urllib3.Timeout(connect=5.0, read=timeout_s),
        )
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="s3-upload")
        self._parts_executor = ThreadPoolExecutor(
            max_workers=MAX_PARTS_IN_FLIGHT, thread_name_prefix="s3-part"
        )
        self._lock = threading.Lock()

    @property
    def executor(self) -> ThreadPoolExecutor:
        """The bounded pool parallel object work runs on."""
        return self._executor

    @property
    def has_credentials(self) -> bool:
        return self._signer is not None

    def close(self) -> None:
        """Stop the worker threads and close pooled connections."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._parts_executor.shutdown(wait=True, cancel_futures=True)
        self._http.clear()

    # ------------------------------------------------------------------ requests
    def _send(
        self,
        method: str,
        key: str,
        *,
        query: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        payload_sha256: str | None = None,
        operation: str,
        signed: bool = True,
    ) -> urllib3.BaseHTTPResponse:
        """Sign (unless ``signed`` is False) and send one request, retrying connection errors and 5xx."""
        url = self.location.object_url(key) if key else self.location.bucket_url + "/"
        if query:
            url += "?" + query
        last: Exception | None = None
        for _attempt in range(_ATTEMPTS):
            send_headers = dict(headers or {})
            if signed:
                if self._signer is None:
                    raise AccessDeniedError(
                        f"{operation} {key!r}: no access key is configured", "NoCredentials"
                    )
                send_headers = self._signer.sign(
                    method, url, send_headers, body=body, payload_sha256=payload_sha256 or ""
                )
            try:
                response = self._http.request(
                    method, url, body=body or None, headers=send_headers, preload_content=True, redirect=False
                )
            except urllib3.exceptions.HTTPError as exc:
                last = exc
                continue
            if response.status in _RETRY_STATUS:
                last = _error(operation, key, response)
                continue
            return response
        if isinstance(last, ObjectStoreError):
            raise last
        raise ObjectStoreError(
            f"{operation} {key!r}: {self.location.endpoint} is unreachable ({type(last).__name__})",
            "Unreachable",
        )

    def head(self, key: str, *, checksum: bool = False) -> ObjectInfo | None:
        """HEAD ``key`` (signed); None when it does not exist.

        Args:
            checksum: also ask for the store's SHA-256 of the object (``ObjectInfo.checksum_sha256``).

        Raises:
            AccessDeniedError: the key was refused.
            ObjectStoreError: any other failure.
        """
        headers = {"x-amz-checksum-mode": "ENABLED"} if checksum else None
        response = self._send("HEAD", key, headers=headers, operation="HEAD", signed=self.has_credentials)
        if response.status == 404:
            return None
        if response.status != 200:
            raise _error("HEAD", key, response)
        return _info(key, response)

    def list_objects(self, prefix: str, *, delimiter: str = "") -> tuple[list[ObjectInfo], list[str]]:
        """List keys under ``prefix`` (all pages): the objects, and the common prefixes when ``delimiter``."""
        objects: list[ObjectInfo] = []
        prefixes: list[str] = []
        token = ""
        while True:
            query = list_query(prefix, delimiter=delimiter, token=token)
            response = self._send("GET", "", query=query, operation="LIST")
            if response.status != 200:
                raise _error("LIST", prefix, response)
            try:
                page = parse_listing(response.data)
            except ValueError as exc:
                raise ObjectStoreError(f"LIST {prefix!r}: {exc}", "BadListing") from None
            objects.extend(ObjectInfo(key=e.key, size=e.size, etag=e.etag) for e in page.entries)
            prefixes.extend(page.prefixes)
            if not page.next_token:
                return objects, prefixes
            token = page.next_token

    def put(
        self,
        key: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        sha256: str,
        if_none_match: bool = False,
        grant: PutRequest | None = None,
    ) -> None:
        """PUT one object in a single request.

        Args:
            key: object key.
            body: the bytes.
            headers: Content-Type, Cache-Control, ``x-amz-meta-*`` (ignored with ``grant``: its headers rule).
            sha256: hex digest of ``body``; signed as the payload hash and sent as ``x-amz-checksum-sha256``
                so the store rejects corrupted bytes.
            if_none_match: send ``If-None-Match: *`` (never overwrite; 412 when the key exists).
            grant: a presigned upload from the backend to use instead of our own signature.

        Raises:
            PreconditionFailedError: ``if_none_match`` and the key exists.
            AccessDeniedError: refused.
            ObjectStoreError: any other failure.
        """
        if grant is not None:
            response = self._send_grant(grant, body, key)
        else:
            send = dict(headers)
            send["x-amz-checksum-sha256"] = _b64(sha256)
            if if_none_match:
                send["If-None-Match"] = "*"
            response = self._send("PUT", key, headers=send, body=body, payload_sha256=sha256, operation="PUT")
        if response.status == 412:
            raise PreconditionFailedError(
                f"PUT {key!r}: the object already exists", "PreconditionFailed", 412
            )
        if response.status not in (200, 201, 204):
            raise _error("PUT", key, response)

    def _send_grant(self, grant: PutRequest, body: bytes, key: str) -> urllib3.BaseHTTPResponse:
        last: Exception | None = None
        for _attempt in range(_ATTEMPTS):
            try:
                response = self._http.request(
                    grant.method, grant.url, body=body, headers=dict(grant.headers), redirect=False
                )
            except urllib3.exceptions.HTTPError as exc:
                last = exc
                continue
            if response.status in _RETRY_STATUS:
                last = _error("PUT", key, response)
                continue
            return response
        if isinstance(last, ObjectStoreError):
            raise last
        raise ObjectStoreError(f"PUT {key!r}: the granted upload URL is unreachable", "Unreachable")

    def put_file(
        self,
        key: str,
        path: Path,
        headers: Mapping[str, str],
        *,
        sha256: str,
        size: int,
        if_none_match: bool = False,
        cancel: threading.Event | None = None,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        """Upload a file: one PUT up to :data:`MULTIPART_THRESHOLD`, multipart above it.

        ``on_bytes`` is called (from worker threads) with the size of each finished request body.
        """
        if size <= MULTIPART_THRESHOLD:
            self.put(key, path.read_bytes(), headers, sha256=sha256, if_none_match=if_none_match)
            if on_bytes is not None:
                on_bytes(size)
            return
        self.multipart_put(key, path, headers, size=size, cancel=cancel, on_bytes=on_bytes)

    def multipart_put(
        self,
        key: str,
        path: Path,
        headers: Mapping[str, str],
        *,
        size: int,
        cancel: threading.Event | None = None,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        """Upload ``path`` in :data:`PART_SIZE` parts, at most :data:`MAX_PARTS_IN_FLIGHT` at once.

        The upload is aborted when a part fails or ``cancel`` is set, so no orphaned parts stay billed.
        """
        response = self._send(
            "POST", key, query="uploads=", headers=dict(headers), operation="CreateMultipartUpload"
        )
        if response.status != 200:
            raise _error("CreateMultipartUpload", key, response)
        upload_id = ET.fromstring(response.data).findtext(_S3_NS + "UploadId", "")
        if not upload_id:
            raise ObjectStoreError(f"CreateMultipartUpload {key!r}: no upload id in the answer")
        ranges = [
            (n + 1, offset, min(PART_SIZE, size - offset))
            for n, offset in enumerate(range(0, size, PART_SIZE))
        ]

        def upload_part(number: int, offset: int, length: int) -> tuple[int, str]:
            if cancel is not None and cancel.is_set():
                raise CancelledError(f"cancelled before part {number} of {key!r}")
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read(length)
            digest = hashlib.sha256(data).hexdigest()
            query = urllib.parse.urlencode({"partNumber": str(number), "uploadId": upload_id})
            part = self._send(
                "PUT",
                key,
                query=query,
                body=data,
                payload_sha256=digest,
                operation="UploadPart",
                headers={"x-amz-checksum-sha256": _b64(digest)},
            )
            if part.status != 200:
                raise _error("UploadPart", key, part)
            if on_bytes is not None:
                on_bytes(length)
            return number, str(part.headers.get("ETag", ""))

        upload_query = urllib.parse.urlencode({"uploadId": upload_id})
        try:
            futures = [self._parts_executor.submit(upload_part, *r) for r in ranges]
            etags = sorted(f.result() for f in futures)
        except BaseException:
            for future in futures:
                future.cancel()
            self._send("DELETE", key, query=upload_query, operation="AbortMultipartUpload")
            raise
        body = (
            "<CompleteMultipartUpload>"
            + "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>" for n, etag in etags)
            + "</CompleteMultipartUpload>"
        )
        done = self._send(
            "POST", key, query=upload_query, body=body.encode(), operation="CompleteMultipartUpload"
        )
        if done.status != 200 or b"<Error>" in done.data:
            raise _error("CompleteMultipartUpload", key, done)

    def copy(self, source_key: str, key: str, headers: Mapping[str, str]) -> None:
        """Server-side copy ``source_key`` to ``key`` with new headers and metadata (REPLACE); no bytes move.

        Raises:
            AccessDeniedError: refused.
            ObjectStoreError: any other failure (including an error inside a 200 answer, as S3 may send).
        """
        send = dict(headers)
        send["x-amz-copy-source"] = "/" + self.location.bucket + "/" + quote_key(source_key)
        send["x-amz-metadata-directive"] = "REPLACE"
        response = self._send("PUT", key, headers=send, operation="COPY")
        if response.status != 200 or b"<Error>" in response.data:
            raise _error("COPY", key, response)

    def delete(self, key: str) -> None:
        """Delete ``key`` (absent keys are fine)."""
        response = self._send("DELETE", key, operation="DELETE")
        if response.status not in (200, 204, 404):
            raise _error("DELETE", key, response)

    def get_public(self, key: str) -> tuple[int, bytes, Mapping[str, str]]:
        """Anonymous GET of ``key``'s public URL → (status, body, headers); proves public readability."""
        url = self.location.public_url(key)
        try:
            response = self._http.request("GET", url, preload_content=True, redirect=True)
        except urllib3.exceptions.HTTPError as exc:
            raise ObjectStoreError(f"GET {url}: unreachable ({type(exc).__name__})", "Unreachable") from None
        return response.status, response.data, dict(response.headers.items())

    def map_parallel(
        self,
        work: list[Callable[[], Any]],
        *,
        cancel: threading.Event | None = None,
    ) -> Iterator[Any]:
        """Run callables on the worker pool; yield their results as they finish (in the caller's thread).

        Stops starting new work when ``cancel`` is set or the consumer stops iterating (a raising progress
        hook): queued work is dropped, running requests finish, then the exception propagates.
        """
        stop = threading.Event()

        def guarded(item: Callable[[], Any]) -> Any:
            if stop.is_set() or (cancel is not None and cancel.is_set()):
                raise CancelledError("cancelled")
            return item()

        futures = [self._executor.submit(guarded, item) for item in work]
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            stop.set()
            for future in futures:
                future.cancel()
            wait_all = [f for f in futures if not f.cancelled()]
            for future in wait_all:
                with contextlib.suppress(BaseException):  # draining only: the first error already propagated
                    future.exception()


def _b64(sha256_hex: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")


def _info(key: str, response: urllib3.BaseHTTPResponse) -> ObjectInfo:
    headers = response.headers
    metadata = metadata_of(headers)
    return ObjectInfo(
        key=key,
        size=int(headers.get("Content-Length", "0") or 0),
        etag=str(headers.get("ETag", "")).strip('"'),
        content_type=str(headers.get("Content-Type", "")),
        cache_control=str(headers.get("Cache-Control", "")),
        metadata=metadata,
        checksum_sha256=full_object_checksum(headers.get("x-amz-checksum-sha256")),
    )


def _error(operation: str, key: str, response: urllib3.BaseHTTPResponse) -> ObjectStoreError:
    """An error named by the store's code; the body is read only for ``<Code>`` (it may echo request data)."""
    code = error_code(response.data) or str(response.status)
    if response.status == 403 or code in ("AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId"):
        hint = {
            "SignatureDoesNotMatch": "the secret key is wrong",
            "InvalidAccessKeyId": "the access key id is unknown to this endpoint",
        }.get(
            code, "the key is not allowed to do this on this bucket (read-only key, or another bucket's key)"
        )
        return AccessDeniedError(f"{operation} {key!r} refused: {code} — {hint}", code, response.status)
    if response.status == 412:
        return PreconditionFailedError(f"{operation} {key!r}: precondition failed", code, 412)
    return ObjectStoreError(
        f"{operation} {key!r} failed: {code} (HTTP {response.status})", code, response.status
    )
