"""Preview thumbnails for Browse: a bounded fetch and a bounded, thread-safe LRU cache. Qt-free, blocking.

A preview is the PNG the studio rendered at publish (``themes-previews/<id>/<version>.png``, public and
immutable): a URL's bytes never change, so a cached thumbnail never goes stale. Both the fetch (bytes per
image) and the cache (entries and total bytes) are bounded, so scrolling through 100,000 themes
holds memory steady.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import httpx

MAX_THUMBNAIL_BYTES = 2 * 1_048_576
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ThumbnailError(Exception):
    """The preview could not be fetched, is too large, or is not a PNG."""


def fetch_thumbnail(http: httpx.Client, url: str, *, max_bytes: int = MAX_THUMBNAIL_BYTES) -> bytes:
    """The PNG at ``url``, refused as soon as it outgrows ``max_bytes`` or when it is not a PNG.

    ``http`` must carry no credentials (previews are public; the backend token never goes to a CDN).

    Raises:
        ThumbnailError: HTTP error status, unreachable, too large, not a PNG.
    """
    body = bytearray()
    try:
        with http.stream("GET", url) as response:
            if response.status_code != 200:
                raise ThumbnailError(f"the preview answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ThumbnailError(f"the preview is {declared} bytes, over {max_bytes} bytes")
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise ThumbnailError(f"the preview is over {max_bytes} bytes")
    except httpx.HTTPError as exc:
        raise ThumbnailError(f"the preview could not be fetched ({type(exc).__name__})") from None
    if not body.startswith(PNG_SIGNATURE):
        raise ThumbnailError("the preview is not a PNG")
    return bytes(body)


class ThumbnailCache:
    """Least-recently-used bytes by URL, bounded by entry count and total bytes; safe across threads."""

    def __init__(self, max_entries: int = 300, max_bytes: int = 64 * 1_048_576) -> None:
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._max_entries = max(1, max_entries)
        self._max_bytes = max(1, max_bytes)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return self._bytes

    def get(self, url: str) -> bytes | None:
        with self._lock:
            data = self._entries.get(url)
            if data is not None:
                self._entries.move_to_end(url)
            return data

    def put(self, url: str, data: bytes) -> None:
        """Keep ``data``; the least recently used entries go until both bounds hold. An entry larger than
        the whole byte bound is not kept."""
        if len(data) > self._max_bytes:
            return
        with self._lock:
            old = self._entries.pop(url, None)
            if old is not None:
                self._bytes -= len(old)
            self._entries[url] = data
            self._bytes += len(data)
            while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def fetch(self, http: httpx.Client, url: str, *, max_bytes: int = MAX_THUMBNAIL_BYTES) -> bytes:
        """The cached bytes, or fetched (bounded) and cached.

        Raises:
            ThumbnailError: see :func:`fetch_thumbnail`.
        """
        cached = self.get(url)
        if cached is not None:
            return cached
        data = fetch_thumbnail(http, url, max_bytes=max_bytes)
        self.put(url, data)
        return data
