"""Thumbnails: fetched only when asked for (a painted row), decoded off the GUI thread, bounded in memory,
and a fast scroll's stale requests dropped before they cost a download."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from studio.ui.browse.thumbnails import QUEUE_LIMIT, THREADS, THUMB_SIZE, ThumbnailCache


def png(path: Path, width: int = 1280, height: int = 900) -> str:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#0a7d55"))
    assert image.save(str(path), "PNG")
    return str(path)


def read(url: str) -> bytes:
    return Path(url).read_bytes()


def test_a_thumbnail_loads_on_first_ask_scaled_to_fit(qtbot: QtBot, tmp_path: Path) -> None:
    cache = ThumbnailCache(read)
    url = png(tmp_path / "a.png")
    with qtbot.waitSignal(cache.loaded, timeout=10_000) as loaded:
        assert cache.get(url) is None
    assert loaded.args == [url]
    pixmap = cache.get(url)
    assert pixmap is not None
    assert pixmap.width() <= THUMB_SIZE.width()
    assert pixmap.height() <= THUMB_SIZE.height()
    assert max(pixmap.width() / THUMB_SIZE.width(), pixmap.height() / THUMB_SIZE.height()) > 0.99
    assert cache.fetched == 1


def test_the_cache_keeps_the_most_recently_used_within_its_capacity(qtbot: QtBot, tmp_path: Path) -> None:
    cache = ThumbnailCache(read, capacity=3)
    urls = [png(tmp_path / f"{n}.png", 64, 40) for n in range(5)]
    for url in urls[:3]:
        with qtbot.waitSignal(cache.loaded, timeout=10_000):
            cache.get(url)
    assert cache.get(urls[0]) is not None  # now the most recently used
    for url in urls[3:]:
        with qtbot.waitSignal(cache.loaded, timeout=10_000):
            cache.get(url)
    assert len(cache) == 3
    assert [u in cache for u in urls] == [True, False, False, True, True]


def test_an_unreadable_image_is_reported_once_and_not_fetched_again(qtbot: QtBot, tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    cache = ThumbnailCache(read)
    with qtbot.waitSignal(cache.unavailable, timeout=10_000):
        cache.get(str(bad))
    assert cache.failed(str(bad))
    assert cache.get(str(bad)) is None
    qtbot.wait(100)
    assert cache.fetched == 1


def test_a_fast_scroll_drops_requests_for_rows_long_gone(qtbot: QtBot, tmp_path: Path) -> None:
    release = threading.Event()

    def slow(url: str) -> bytes:
        release.wait(10)
        return read(url)

    cache = ThumbnailCache(slow)
    urls = [png(tmp_path / f"{n}.png", 32, 20) for n in range(QUEUE_LIMIT * 3)]
    for url in urls:  # the user flings the list: every row is painted once, briefly
        assert cache.get(url) is None
    qtbot.wait(200)  # the workers pick up their first requests and block in the download
    release.set()
    qtbot.waitUntil(lambda: all(u in cache for u in urls[-QUEUE_LIMIT:]), timeout=10_000)
    qtbot.wait(200)
    # The newest rows were all fetched; of the older ones only those a worker was already downloading.
    assert cache.fetched <= QUEUE_LIMIT + THREADS
    assert sum(u in cache for u in urls[:-QUEUE_LIMIT]) <= THREADS
