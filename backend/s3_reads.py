"""The service's reads of its bucket: signed requests over one pooled connection pool.

Release verification makes two requests per object (a HEAD with the store's checksum, a ranged GET of the
first bytes): about 400 for a 200-asset release. Through boto3's client that was CPU-bound in botocore's
per-request pipeline (event hooks, response parsing, a ``dateutil`` parse and a ``uuid4`` per call); here
the same SigV4 signer (:mod:`studio.core.s3_wire`, shared with the studio's upload engine) signs a plain
request and ``urllib3`` sends it over warm connections. boto3 stays for what it is good at: presigned grants.

Errors become :class:`StorageReadError` named by operation, key and the store's error code, never a URL or a
secret. Connection errors and 5xx answers are retried (3 attempts).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

import urllib3

from studio.core.s3_wire import RequestSigner, error_code, quote_key

_ATTEMPTS = 3
_RETRY_STATUS = frozenset({500, 502, 503, 504})


class StorageReadError(Exception):
    """A request failed; the message names the operation, the key and the store's code (no secret)."""


class SignedReads:
    """Signed S3 requests to one bucket, sent over a connection pool sized for ``workers`` threads."""

    def __init__(
        self,
        *,
        endpoint: str,
        region: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        path_style: bool,
        workers: int,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 10.0,
    ) -> None:
        parts = urllib.parse.urlsplit(endpoint.rstrip("/"))
        self._bucket_url = (
            f"{parts.scheme}://{parts.netloc}{parts.path}/{bucket}"
            if path_style
            else f"{parts.scheme}://{bucket}.{parts.netloc}{parts.path}"
        )
        self._signer = RequestSigner(access_key, secret_key, region)
        self._http = urllib3.PoolManager(
            num_pools=2,
            maxsize=workers,
            block=True,
            retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout_s, read=read_timeout_s),
        )

    def close(self) -> None:
        self._http.clear()

    def request(
        self,
        method: str,
        key: str,
        *,
        operation: str,
        query: str = "",
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
        label: str | None = None,
    ) -> tuple[urllib3.BaseHTTPResponse, bytes]:
        """Send one signed request; return the answer and at most ``max_body + 1`` bytes of its body.

        ``label`` names the request in errors (default: ``key``). ``max_body=None`` reads the whole body. A
        body cut short closes its connection instead of draining it, so an oversized object costs no more
        than the bytes read.

        Raises:
            StorageReadError: unreachable after retries, or still a 5xx.
        """
        url = (self._bucket_url + "/" + quote_key(key)) if key else self._bucket_url + "/"
        if query:
            url += "?" + query
        reason = ""
        for _attempt in range(_ATTEMPTS):
            signed = self._signer.sign(method, url, dict(headers or {}))
            try:
                response = self._http.request(
                    method, url, headers=signed, preload_content=False, redirect=False
                )
                data = _read(response, max_body)
            except urllib3.exceptions.HTTPError as exc:
                reason = type(exc).__name__
                continue
            if response.status in _RETRY_STATUS:
                reason = f"{error_code(data) or 'HTTP'} {response.status}"
                continue
            return response, data
        raise StorageReadError(
            f"{operation} {(label if label is not None else key)!r} failed: {reason or 'unreachable'}"
        )


def _read(response: urllib3.BaseHTTPResponse, max_body: int | None) -> bytes:
    if max_body is None:
        data = response.read()
        response.release_conn()
        return data
    data = response.read(max_body + 1)
    if len(data) > max_body:
        response.close()  # more is coming: drop the connection rather than download the rest
    else:
        response.release_conn()
    return data


def describe(operation: str, key: str, response: urllib3.BaseHTTPResponse, data: bytes) -> str:
    """``HEAD 'k' failed: AccessDenied (HTTP 403)`` — the store's code, never its message (it may echo)."""
    code = error_code(data) or "no error code"
    return f"{operation} {key!r} failed: {code} (HTTP {response.status})"
