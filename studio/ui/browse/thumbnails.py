"""Preview thumbnails, loaded only when a row is painted and kept in a bounded least-recently-used cache.

A fast scroll over thousands of rows asks for many images it will never show: requests wait in a short queue
(the oldest are dropped when it overflows) and a dropped request costs nothing. Downloads and decoding run
on a small pool of worker threads; only the ready ``QImage`` crosses to the GUI thread, where it becomes a
``QPixmap``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QObject, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

from studio.ui.background import run_in_background

THUMB_SIZE: Final = QSize(160, 100)
#: ~64 KB each at 160x100: 256 thumbnails stay under 20 MB whatever the catalogue's size.
DEFAULT_CAPACITY: Final = 256
#: Requests not yet started beyond this are dropped, oldest first (rows scrolled past long ago).
QUEUE_LIMIT: Final = 48
THREADS: Final = 3


def decode_thumbnail(data: bytes, size: QSize = THUMB_SIZE) -> QImage:
    """The image in ``data`` scaled to fit ``size`` (thread-safe: QImage, not QPixmap).

    Raises:
        ValueError: ``data`` is not an image Qt can read.
    """
    image = QImage.fromData(data)
    if image.isNull():
        raise ValueError("not a readable image")
    return image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


class ThumbnailCache(QObject):
    """URL → thumbnail, fetched lazily by ``fetch`` (blocking, run on worker threads).

    Signals:
        loaded(str): the thumbnail of this URL is now in the cache (repaint the rows showing it).
        unavailable(str): this URL could not be loaded; it is not asked for again.
    """

    loaded = Signal(str)
    unavailable = Signal(str)

    def __init__(
        self,
        fetch: Callable[[str], bytes],
        *,
        capacity: int = DEFAULT_CAPACITY,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._fetch = fetch
        self.capacity = capacity
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._queued: OrderedDict[str, None] = OrderedDict()  # requested, not yet started (GUI + workers)
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._failed: set[str] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(THREADS)
        self.fetched = 0  # downloads actually made (tests check that scrolling past rows costs none)

    def __len__(self) -> int:
        return len(self._pixmaps)

    def __contains__(self, url: object) -> bool:
        return url in self._pixmaps

    def failed(self, url: str) -> bool:
        return url in self._failed

    def get(self, url: str) -> QPixmap | None:
        """The thumbnail if cached (now the most recently used); else None, and it is requested."""
        pixmap = self._pixmaps.get(url)
        if pixmap is not None:
            self._pixmaps.move_to_end(url)
            return pixmap
        if url not in self._in_flight and url not in self._failed:
            self._request(url)
        return None

    def clear(self) -> None:
        """Forget every thumbnail and failure (another backend)."""
        self._pixmaps.clear()
        self._failed.clear()
        with self._lock:
            self._queued.clear()

    def _request(self, url: str) -> None:
        with self._lock:
            self._queued[url] = None
            dropped = []
            while len(self._queued) > QUEUE_LIMIT:
                dropped.append(self._queued.popitem(last=False)[0])
        self._in_flight.add(url)
        for old in dropped:
            self._in_flight.discard(old)  # may be asked for again when its row shows again

        def work() -> QImage | None:
            with self._lock:
                if url not in self._queued:  # dropped while waiting: scrolled past
                    return None
                del self._queued[url]
            data = self._fetch(url)
            with self._lock:
                self.fetched += 1
            return decode_thumbnail(data)

        def done(image: QImage | None) -> None:
            if image is None:
                return
            self._in_flight.discard(url)
            self._pixmaps[url] = QPixmap.fromImage(image)
            while len(self._pixmaps) > self.capacity:
                self._pixmaps.popitem(last=False)
            self.loaded.emit(url)

        def fail(_exc: Exception) -> None:
            self._in_flight.discard(url)
            self._failed.add(url)
            self.unavailable.emit(url)

        run_in_background(work, done, fail, owner=self, pool=self._pool)
