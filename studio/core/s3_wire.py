"""S3 requests as data: key quoting, SigV4 signing over a known payload hash, answers parsed without an SDK.

One implementation for both sides that talk to the bucket request by request: the studio's upload engine
(``studio.adapters.object_store``) and the service's verification reads (``backend.s3_reads``). Each sends
what this module signs over its own pooled ``urllib3`` connection pool; nothing here does I/O, so the service
(which may import ``studio.core`` but not ``studio.adapters``) shares it without pulling in the studio.

Why not boto3's clients for this: their per-request pipeline (parameter validation, event hooks, response
parsing into dicts, a ``dateutil`` parse of every ``Last-Modified``, a ``uuid4`` per invocation) is CPU-bound
at several times the cost of the request itself on two cores; botocore's own SigV4 signer is not, and it is
the part whose correctness matters.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from defusedxml.ElementTree import ParseError, fromstring

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
META_PREFIX = "x-amz-meta-"


def quote_key(key: str) -> str:
    """URI-encode an object key the way SigV4 canonicalises S3 paths."""
    return urllib.parse.quote(key, safe="/~")


class _PresetPayloadSigner(S3SigV4Auth):  # type: ignore[misc]
    """botocore's S3 SigV4 signer, taking the payload hash we already computed instead of re-reading it."""

    def payload(self, request: Any) -> str:
        preset = request.context.get("payload_sha256")
        if preset:
            return str(preset)
        return str(super().payload(request))


class RequestSigner:
    """Signs S3 requests with one access key (botocore's SigV4; the secret stays inside botocore)."""

    def __init__(self, access_key: str, secret_key: str, region: str) -> None:
        self._auth = _PresetPayloadSigner(Credentials(access_key, secret_key), "s3", region)

    def sign(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        *,
        body: bytes = b"",
        payload_sha256: str = "",
    ) -> dict[str, str]:
        """The headers to send: ``headers`` plus ``Authorization``, ``X-Amz-Date`` and the payload hash.

        ``payload_sha256`` spares hashing ``body`` again when the caller already knows its digest.
        """
        request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
        request.context["payload_sha256"] = payload_sha256 or (
            hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
        )
        self._auth.add_auth(request)
        return dict(request.headers.items())


@dataclass(frozen=True)
class ListedEntry:
    """One ``<Contents>`` of a ListObjectsV2 answer."""

    key: str
    size: int
    etag: str
    last_modified: datetime | None


@dataclass(frozen=True)
class ListingPage:
    """One page of a ListObjectsV2 answer; ``next_token`` is "" on the last page."""

    entries: list[ListedEntry]
    prefixes: list[str]
    next_token: str


def list_query(prefix: str, *, delimiter: str = "", token: str = "", max_keys: int = 0) -> str:
    """The query string of a ListObjectsV2 request (sorted, as SigV4 canonicalises it)."""
    params = {"list-type": "2", "prefix": prefix}
    if delimiter:
        params["delimiter"] = delimiter
    if token:
        params["continuation-token"] = token
    if max_keys:
        params["max-keys"] = str(max_keys)
    return urllib.parse.urlencode(sorted(params.items()), quote_via=urllib.parse.quote)


def parse_listing(data: bytes) -> ListingPage:
    """Parse a ListObjectsV2 answer (defusedxml: the store's XML is not trusted to be benign).

    Raises:
        ValueError: the body is not a listing.
    """
    try:
        root = fromstring(data)
    except ParseError as exc:
        raise ValueError("the listing is not XML") from exc
    entries = [
        ListedEntry(
            key=item.findtext(S3_NS + "Key", ""),
            size=int(item.findtext(S3_NS + "Size", "0") or 0),
            etag=item.findtext(S3_NS + "ETag", "").strip('"'),
            last_modified=_iso_time(item.findtext(S3_NS + "LastModified", "")),
        )
        for item in root.iter(S3_NS + "Contents")
    ]
    prefixes = [p.findtext(S3_NS + "Prefix", "") for p in root.iter(S3_NS + "CommonPrefixes")]
    truncated = root.findtext(S3_NS + "IsTruncated", "false") == "true"
    token = root.findtext(S3_NS + "NextContinuationToken", "") if truncated else ""
    if truncated and not token:
        raise ValueError("a truncated listing without a continuation token")
    return ListingPage(entries, prefixes, token)


def error_code(data: bytes) -> str:
    """The ``<Code>`` of an S3 error body, "" when there is none (the body is read for nothing else: it may
    echo request details)."""
    if not data:
        return ""
    try:
        return fromstring(data).findtext("Code", "") or ""
    except ParseError:
        return ""


def metadata_of(headers: Mapping[str, str]) -> dict[str, str]:
    """``x-amz-meta-*`` headers as ``{name: value}`` (names lower-cased)."""
    return {
        name[len(META_PREFIX) :].lower(): value
        for name, value in headers.items()
        if name.lower().startswith(META_PREFIX)
    }


def full_object_checksum(value: object) -> str:
    """The base64 SHA-256 a store reports for a whole object; "" when absent or of parts (``...-N``)."""
    text = str(value or "").strip()
    return "" if not text or "-" in text.rstrip("=")[-4:] else text


def _iso_time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
