"""Object storage for the API: scoped upload grants, presigned downloads, public URLs (DESIGN section 2).

Only the backend holds the bucket key. Authors never get it: they get a grant for exactly one key, one content
type, a size cap and a short expiry, and the object store (Spaces, or SeaweedFS in tests) enforces it.

Two grant shapes:
- size known → a presigned ``PUT`` whose signature covers Content-Type, the exact Content-Length,
  Cache-Control and the ``x-amz-meta-*`` headers; with a sha256, also ``x-amz-checksum-sha256`` so the store
  rejects other bytes of the same length (SeaweedFS 4.48 answers 400 BadDigest; verified in tests).
- size unknown → a POST policy with ``key`` / ``Content-Type`` / metadata equality conditions and a
  ``content-length-range`` of ``[0, max_bytes]``.

With ``if_none_match`` a PUT grant also signs ``If-None-Match: *``: the client must send it (dropping it
breaks the signature, 403) and the store answers 412 when the key already exists, so a grant can create an
immutable object but never overwrite one (SeaweedFS 4.48 enforces both; verified in tests).

Why not ``x-amz-content-sha256``: a presigned URL signed over the real payload hash is refused by SeaweedFS
(SignatureDoesNotMatch even with the right bytes), so the checksum header is the binding that works.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from backend.s3_reads import SignedReads, StorageReadError, describe
from studio.core.s3_wire import full_object_checksum, list_query, metadata_of, parse_listing

# SigV4 presigned URLs live at most 7 days.
MAX_EXPIRES_S = 7 * 24 * 3600
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_META_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Hosts that need virtual-host addressing (bucket in the host name).
_VIRTUAL_HOST_SUFFIXES = (".digitaloceanspaces.com", ".amazonaws.com")
#: Concurrent reads one storage serves (release verification's thread pool uses as many).
READ_WORKERS = 8
_MISSING = frozenset({404})


class StorageError(Exception):
    """An object-store call failed; the message names the operation and the store's error code, no secret."""


@dataclass(frozen=True)
class StorageConfig:
    """Where the bucket lives and the key that signs for it.

    Attributes:
        endpoint: S3 API endpoint, e.g. ``https://nyc3.digitaloceanspaces.com`` or ``http://127.0.0.1:8333``.
        region: signing region (``nyc3``; any value the store accepts for SeaweedFS).
        bucket: bucket name.
        access_key: the bucket key id.
        secret_key: the bucket key secret (kept out of ``repr``).
        cdn_base_url: public base URL of the bucket, without a trailing slash needed.
    """

    endpoint: str
    region: str
    bucket: str
    access_key: str
    secret_key: str = field(repr=False)
    cdn_base_url: str

    def __post_init__(self) -> None:
        scheme = urllib.parse.urlsplit(self.endpoint).scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"storage endpoint must be an http(s) URL, got {self.endpoint!r}")
        if not self.bucket:
            raise ValueError("storage bucket must not be empty")


@dataclass(frozen=True)
class UploadGrant:
    """What a client needs to upload one object, and nothing more.

    Attributes:
        key: the object key the grant is valid for.
        method: ``PUT`` (send ``headers`` and the body to ``url``) or ``POST`` (multipart form: ``fields``
            then the file part named ``file``).
        url: where to send it.
        headers: headers the client must send verbatim (PUT); empty for POST.
        fields: form fields the client must send verbatim (POST); empty for PUT.
        max_bytes: size cap the store enforces (for PUT: the exact size).
        content_type: the only accepted Content-Type.
        expires_at: when the store stops accepting the grant (UTC).
    """

    key: str
    method: Literal["PUT", "POST"]
    url: str
    headers: dict[str, str]
    fields: dict[str, str]
    max_bytes: int
    content_type: str
    expires_at: datetime


@dataclass(frozen=True)
class ListedObject:
    """One entry of a bucket listing."""

    key: str
    size: int
    last_modified: datetime


@dataclass(frozen=True)
class StoredObject:
    """What a HEAD of an object tells: enough to verify an upload against its grant."""

    key: str
    size: int
    content_type: str
    cache_control: str
    metadata: dict[str, str]
    content_disposition: str = ""
    content_encoding: str = ""
    #: The store's own SHA-256 of the whole object (base64), when asked for (``checksum=True``) and kept: a
    #: store that validated ``x-amz-checksum-sha256`` on the upload reports it. "" otherwise, and for
    #: multipart uploads (a checksum of the parts, ``...-N``).
    checksum_sha256: str = ""


def addressing_style(endpoint: str) -> Literal["path", "virtual"]:
    """Choose S3 addressing: virtual-host for Spaces/AWS, path for IPs, localhost and other hosts."""
    host = (urllib.parse.urlsplit(endpoint).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return "path"
    if host.endswith(_VIRTUAL_HOST_SUFFIXES):
        return "virtual"
    return "path"


class ObjectStorage:
    """Signs grants and URLs with the backend's bucket key; checks the bucket is reachable."""

    def __init__(self, config: StorageConfig) -> None:
        """Create the one boto3 client this object reuses (creating one costs ~0.15 s).

        Args:
            config: endpoint, bucket and key.
        """
        self._config = config
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=config.endpoint,
            region_name=config.region,
            aws_access_key_id=config.access_key,
            aws_secret_access_key=config.secret_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": addressing_style(config.endpoint)},
                # boto3 >= 1.36 sends CRC32 aws-chunked checksums by default; many non-AWS stores reject them.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=5,
                read_timeout=10,
            ),
        )
        # Reads (HEAD, GET, LIST) go through the pooled signer: verification makes ~2 per released object.
        self._reads = SignedReads(
            endpoint=config.endpoint,
            region=config.region,
            bucket=config.bucket,
            access_key=config.access_key,
            secret_key=config.secret_key,
            path_style=addressing_style(config.endpoint) == "path",
            workers=READ_WORKERS,
        )

    def close(self) -> None:
        """Close pooled connections (the boto3 client keeps its own)."""
        self._reads.close()

    @property
    def config(self) -> StorageConfig:
        """The configuration this storage signs with."""
        return self._config

    def grant_upload(
        self,
        key: str,
        *,
        content_type: str,
        max_bytes: int,
        metadata: dict[str, str],
        cache_control: str,
        expires_in: int = 900,
        size: int | None = None,
        sha256: str | None = None,
        if_none_match: bool = False,
        content_disposition: str = "",
    ) -> UploadGrant:
        """Grant an upload of exactly one object.

        Args:
            key: object key (e.g. ``themes-drafts/<id>/<user>/<rev>/theme.css``).
            content_type: the only Content-Type the store will accept.
            max_bytes: size cap; with ``size`` the upload must be exactly ``size`` bytes.
            metadata: ``x-amz-meta-*`` values (``theme-id``, ``version``, ``sha256``); ASCII only.
            cache_control: the Cache-Control the object is stored with.
            expires_in: seconds the grant stays valid (1 s to 7 days).
            size: exact byte size when known → presigned PUT; None → POST policy.
            sha256: hex digest of the bytes, added to the metadata as ``sha256``; with ``size`` also bound
                with ``x-amz-checksum-sha256`` (a POST policy can only require the metadata value).
            if_none_match: PUT only: sign ``If-None-Match: *`` so the grant can create the key, never
                overwrite it (412 when it exists). A POST policy cannot express this: refused without
                ``size``.
            content_disposition: PUT only: a ``Content-Disposition`` the store keeps and serves
                (``attachment`` for release assets, so a navigation to one never renders it).

        Returns:
            The grant; ``headers`` (PUT) or ``fields`` (POST) must be sent exactly.

        Raises:
            ValueError: invalid arguments, including ``size > max_bytes``; nothing is signed then.
            StorageError: signing failed.
        """
        sha256 = sha256.lower() if sha256 is not None else None
        meta = self._validated(
            key, content_type, max_bytes, metadata, cache_control, expires_in, size, sha256
        )
        if if_none_match and size is None:
            raise ValueError("if_none_match needs a presigned PUT (a known size)")
        if content_disposition and (size is None or not _header_safe(content_disposition)):
            raise ValueError("content_disposition needs a presigned PUT and an ASCII header value")
        expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=expires_in)
        if size is None:
            return self._grant_post(key, content_type, max_bytes, meta, cache_control, expires_in, expires_at)
        params: dict[str, Any] = {
            "Bucket": self._config.bucket,
            "Key": key,
            "ContentType": content_type,
            "ContentLength": size,
            "CacheControl": cache_control,
            "Metadata": meta,
        }
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(size),
            "Cache-Control": cache_control,
            **{f"x-amz-meta-{name}": value for name, value in sorted(meta.items())},
        }
        if sha256 is not None:
            checksum = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
            params["ChecksumSHA256"] = checksum
            headers["x-amz-checksum-sha256"] = checksum
        if if_none_match:
            params["IfNoneMatch"] = "*"
            headers["If-None-Match"] = "*"
        if content_disposition:
            params["ContentDisposition"] = content_disposition
            headers["Content-Disposition"] = content_disposition
        url = self._sign("put_object", params, expires_in)
        return UploadGrant(
            key=key,
            method="PUT",
            url=url,
            headers=headers,
            fields={},
            max_bytes=size,
            content_type=content_type,
            expires_at=expires_at,
        )

    def grant_download(self, key: str, *, expires_in: int = 300) -> str:
        """Return a presigned GET URL for ``key`` (e.g. a draft a reviewer reads).

        Raises:
            ValueError: empty key or expiry out of range.
            StorageError: signing failed.
        """
        _check_key(key)
        _check_expiry(expires_in)
        return self._sign("get_object", {"Bucket": self._config.bucket, "Key": key}, expires_in)

    def public_url(self, key: str) -> str:
        """Return the public (CDN) URL of ``key``; only meaningful under the public prefixes."""
        _check_key(key)
        return self._config.cdn_base_url.rstrip("/") + "/" + urllib.parse.quote(key, safe="/~")

    def head_object(self, key: str, *, checksum: bool = False) -> StoredObject | None:
        """Return the stored object's size, headers and metadata, or None when it does not exist.

        Used to verify an upload (size and ``sha256`` metadata) before registering it; with ``checksum``
        also the store's SHA-256 of the bytes it holds (``StoredObject.checksum_sha256``).

        Raises:
            StorageError: the store refused or failed (wrong key, unreachable, ...).
        """
        _check_key(key)
        headers = {"x-amz-checksum-mode": "ENABLED"} if checksum else None
        response, data = self._read("HEAD", key, headers=headers, max_body=0)
        if response.status in _MISSING:
            return None
        if response.status != 200:
            raise StorageError(describe("HEAD", key, response, data))
        return _stored_from(key, response.headers)

    def get_object(self, key: str, *, max_bytes: int) -> tuple[StoredObject, bytes] | None:
        """GET ``key`` with the bucket key: its headers and at most ``max_bytes`` of its body; None if absent.

        The body is read only up to ``max_bytes + 1`` bytes, so a huge object cannot exhaust memory; a caller
        sees it is too large from ``StoredObject.size``.

        Raises:
            StorageError: the store refused or failed.
        """
        _check_key(key)
        response, data = self._read("GET", key, max_body=max_bytes)
        if response.status in _MISSING:
            return None
        if response.status != 200:
            raise StorageError(describe("GET", key, response, data))
        return _stored_from(key, response.headers), data

    def get_head_bytes(self, key: str, count: int) -> bytes | None:
        """The first ``count`` bytes of ``key`` (a ranged GET, to recognise a file's type); None if absent.

        Raises:
            StorageError: the store refused or failed.
        """
        _check_key(key)
        response, data = self._read("GET", key, headers={"Range": f"bytes=0-{count - 1}"}, max_body=count)
        if response.status in _MISSING:
            return None
        if response.status == 416:  # an empty object
            return b""
        if response.status not in (200, 206):
            raise StorageError(describe("GET", key, response, data))
        return data[:count]

    def put_object(
        self, key: str, body: bytes, *, content_type: str, cache_control: str, metadata: dict[str, str]
    ) -> None:
        """Write ``key`` with the bucket key (the service's own objects: release manifests).

        Raises:
            ValueError: invalid key or header values.
            StorageError: the store refused or failed.
        """
        _check_key(key)
        if not content_type or not _header_safe(content_type) or not _header_safe(cache_control):
            raise ValueError("content_type and cache_control must be ASCII header values")
        try:
            self._client.put_object(
                Bucket=self._config.bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                CacheControl=cache_control,
                Metadata=dict(metadata),
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"PUT {key!r} failed: {_describe(exc)}") from None

    def copy_object(
        self,
        source: str,
        destination: str,
        *,
        content_type: str,
        cache_control: str,
        metadata: dict[str, str],
    ) -> None:
        """Server-side copy ``source`` to ``destination`` with new headers and metadata (no bytes move here).

        Used for the ``latest`` alias, which only the bucket key may write.

        Raises:
            ValueError: invalid key or header values.
            StorageError: the store refused or failed.
        """
        _check_key(source)
        _check_key(destination)
        if not content_type or not _header_safe(content_type) or not _header_safe(cache_control):
            raise ValueError("content_type and cache_control must be ASCII header values")
        try:
            self._client.copy_object(
                Bucket=self._config.bucket,
                Key=destination,
                CopySource={"Bucket": self._config.bucket, "Key": source},
                MetadataDirective="REPLACE",
                ContentType=content_type,
                CacheControl=cache_control,
                Metadata=dict(metadata),
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"COPY {source!r} -> {destination!r} failed: {_describe(exc)}") from None

    def delete_object(self, key: str) -> None:
        """Delete ``key`` (no error when it is already gone).

        Raises:
            StorageError: the store refused or failed.
        """
        _check_key(key)
        try:
            self._client.delete_object(Bucket=self._config.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"DELETE {key!r} failed: {_describe(exc)}") from None

    def has_objects(self, prefix: str) -> bool:
        """Whether any object's key starts with ``prefix`` (one LIST of at most one key).

        Raises:
            StorageError: the store refused or failed.
        """
        _check_key(prefix)
        response, data = self._read("GET", "", query=list_query(prefix, max_keys=1), what=prefix)
        if response.status != 200:
            raise StorageError(describe("LIST", prefix, response, data))
        try:
            return bool(parse_listing(data).entries)
        except ValueError as exc:
            raise StorageError(f"LIST {prefix!r} failed: {exc}") from None

    def list_objects(self, prefix: str) -> Iterator[ListedObject]:
        """Every object under ``prefix`` with its size and LastModified, page by page (1,000 keys a page).

        Raises:
            StorageError: the store refused or failed (possibly after some objects were yielded).
        """
        _check_key(prefix)
        token = ""
        while True:
            response, data = self._read("GET", "", query=list_query(prefix, token=token), what=prefix)
            if response.status != 200:
                raise StorageError(describe("LIST", prefix, response, data))
            try:
                page = parse_listing(data)
            except ValueError as exc:
                raise StorageError(f"LIST {prefix!r} failed: {exc}") from None
            for entry in page.entries:
                modified = entry.last_modified or datetime.now(UTC)
                yield ListedObject(entry.key, entry.size, modified)
            if not page.next_token:
                return
            token = page.next_token

    def check(self) -> bool:
        """Return whether the bucket answers a signed HEAD with our key. Never raises."""
        try:
            self._client.head_bucket(Bucket=self._config.bucket)
        except Exception:
            return False
        return True

    def _read(
        self,
        method: str,
        key: str,
        *,
        query: str = "",
        headers: dict[str, str] | None = None,
        max_body: int | None = None,
        what: str = "",
    ) -> tuple[Any, bytes]:
        operation = "LIST" if query else method
        try:
            return self._reads.request(
                method,
                key,
                operation=operation,
                query=query,
                headers=headers,
                max_body=max_body,
                label=what or None,
            )
        except StorageReadError as exc:
            raise StorageError(str(exc)) from None

    def _sign(self, operation: str, params: dict[str, Any], expires_in: int) -> str:
        try:
            url: str = self._client.generate_presigned_url(operation, Params=params, ExpiresIn=expires_in)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"signing {operation} failed: {_describe(exc)}") from None
        return url

    def _grant_post(
        self,
        key: str,
        content_type: str,
        max_bytes: int,
        meta: dict[str, str],
        cache_control: str,
        expires_in: int,
        expires_at: datetime,
    ) -> UploadGrant:
        fields = {
            "Content-Type": content_type,
            "Cache-Control": cache_control,
            **{f"x-amz-meta-{name}": value for name, value in sorted(meta.items())},
        }
        # generate_presigned_post adds the bucket and `key` equality conditions itself.
        conditions: list[Any] = [{name: value} for name, value in fields.items()]
        conditions.append(["content-length-range", 0, max_bytes])
        try:
            post = self._client.generate_presigned_post(
                Bucket=self._config.bucket,
                Key=key,
                Fields=fields,
                Conditions=conditions,
                ExpiresIn=expires_in,
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"signing the POST policy failed: {_describe(exc)}") from None
        return UploadGrant(
            key=key,
            method="POST",
            url=str(post["url"]),
            headers={},
            fields={str(k): str(v) for k, v in post["fields"].items()},
            max_bytes=max_bytes,
            content_type=content_type,
            expires_at=expires_at,
        )

    @staticmethod
    def _validated(
        key: str,
        content_type: str,
        max_bytes: int,
        metadata: dict[str, str],
        cache_control: str,
        expires_in: int,
        size: int | None,
        sha256: str | None,
    ) -> dict[str, str]:
        """Check every argument before anything is signed; return the metadata to sign."""
        _check_key(key)
        _check_expiry(expires_in)
        if not content_type or not _header_safe(content_type):
            raise ValueError("content_type must be a non-empty ASCII header value")
        if not _header_safe(cache_control):
            raise ValueError("cache_control must be an ASCII header value")
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        if size is not None:
            if size < 0:
                raise ValueError("size must not be negative")
            if size > max_bytes:
                raise ValueError(f"size {size} exceeds the limit of {max_bytes} bytes")
        meta = {}
        for name, value in metadata.items():
            if not _META_KEY.match(name) or not _header_safe(value):
                raise ValueError(f"metadata {name!r} must be a lowercase name with an ASCII value")
            meta[name] = value
        if sha256 is not None:
            if not _SHA256_HEX.match(sha256):
                raise ValueError("sha256 must be 64 hex digits")
            if meta.setdefault("sha256", sha256) != sha256:
                raise ValueError("metadata sha256 differs from the sha256 argument")
        return meta


def _stored_from(key: str, headers: Any) -> StoredObject:
    """A HEAD's (or a whole GET's) headers as a :class:`StoredObject`."""
    return StoredObject(
        key=key,
        size=int(headers.get("Content-Length", "0") or 0),
        content_type=str(headers.get("Content-Type", "")),
        cache_control=str(headers.get("Cache-Control", "")),
        metadata=metadata_of(headers),
        content_disposition=str(headers.get("Content-Disposition", "")),
        content_encoding=str(headers.get("Content-Encoding", "")),
        checksum_sha256=full_object_checksum(headers.get("x-amz-checksum-sha256")),
    )


def _check_key(key: str) -> None:
    if not key or key.startswith("/") or len(key.encode()) > 1024 or any(ord(c) < 32 for c in key):
        raise ValueError(
            "object key must be 1-1024 bytes, not start with '/', and have no control characters"
        )


def _check_expiry(expires_in: int) -> None:
    if not 1 <= expires_in <= MAX_EXPIRES_S:
        raise ValueError(f"expires_in must be between 1 and {MAX_EXPIRES_S} seconds")


def _header_safe(value: str) -> bool:
    return value.isascii() and all(32 <= ord(c) < 127 for c in value)


def _describe(exc: Exception) -> str:
    """Name an error by its S3 code or class; botocore messages can echo request details, so keep it short."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return str(error.get("Code") or "unknown error")
    return type(exc).__name__
