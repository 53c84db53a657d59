"""``python -m benchmarks browse-gui``: Browse in the studio on 100,000 themes, timed as the user waits.

The real path end to end: the API runs as its own process on a PostgreSQL database seeded by
:mod:`benchmarks.catalogue_seed` (100,000 themes and a million analytics events; ``--quick``: 5,000 and
50,000),
the studio's :class:`~studio.ui.browse.browse_view.BrowseView` runs offscreen in this process with the real
catalogue client, and every figure is measured from the request to the rows *painted* on the list's viewport:

- ``first_page_ms``: a new query (each sort order, a tag, a text search) until its first page is on screen;
- ``scroll_fetch_ms``: scrolling to the end of the list until the next page is on screen, page after page;
- ``gui_stall_max_ms``: the longest the GUI thread went without running its event loop while scrolling (no
  request runs on it; this shows it).

The seeded database is kept between runs under a name that carries the seed version and a hash of the
migrations (``--drop`` in :mod:`benchmarks.backend` style: ``BENCH_BROWSE_RESEED=1`` seeds again).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sized
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

from benchmarks.catalogue_seed import seed_catalogue
from benchmarks.stats import median, percentile

REPO = Path(__file__).resolve().parents[1]
MIGRATIONS = REPO / "backend" / "migrations" / "versions"
SEED_VERSION = 2
SEED_CHUNK = 10_000
DB_STEM = "ts_browsegui"
PAGE_TIMEOUT_S = 30.0


def _admin_dsn() -> str:
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base.replace("postgresql+psycopg://", "postgresql://"))
    return urlunsplit(parts._replace(path="/postgres"))


def _dsn(admin: str, name: str) -> str:
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


def _seed_name(themes: int) -> str:
    digest = hashlib.sha256(f"{SEED_VERSION}:{themes}".encode())
    for path in sorted(MIGRATIONS.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{DB_STEM}_{themes}_{digest.hexdigest()[:10]}"


def _seeded_database(admin: str, themes: int, events: int, reseed: bool) -> tuple[str, float | None]:
    """A complete seeded database (made now when missing: renamed into place only once complete)."""
    from backend.db.users import create_user
    from backend.migrations import upgrade

    name = _seed_name(themes)
    with psycopg.connect(admin, autocommit=True) as conn:
        if reseed:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        like = (DB_STEM + "%",)
        found = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", like).fetchall()
        names = [row[0] for row in found]
        if name in names:
            return _dsn(admin, name), None
        for stale in names:  # other seeds of this benchmark: another schema, size or an interrupted run
            if stale.startswith(f"{DB_STEM}_{themes}_"):
                conn.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        building = f"{name}_wip_{secrets.token_hex(3)}"
        conn.execute(f'CREATE DATABASE "{building}"')
    started = time.perf_counter()
    try:
        dsn = _dsn(admin, building)
        upgrade(dsn)
        author = create_user(dsn, email="browse-bench@example.test", name="Bench", role="author")
        # In chunks, each in its own session after the previous one's VACUUM ANALYZE: the per-row triggers'
        # plans are made once per session, and made on empty tables they scan them (quadratic on one COPY).
        chunk = min(themes, SEED_CHUNK)
        for n in range(0, themes, chunk):
            seed_catalogue(dsn, author["id"], themes=min(chunk, themes - n), events=events * chunk // themes,
                           rng=random.Random(7 + n))
    except BaseException:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        raise
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return _dsn(admin, name), time.perf_counter() - started


@contextlib.contextmanager
def _api(dsn: str) -> Iterator[str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": dsn,
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
           "REDIS_PREFIX": f"benchbrowse:{secrets.token_hex(4)}:"}
    with tempfile.TemporaryFile() as log:
        command = [sys.executable, "-m", "backend", "serve", "--port", str(port), "--workers", "1"]
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline or proc.poll() is not None:
                    log.seek(0)
                    tail = log.read().decode()[-2000:]
                    raise SystemExit(f"benchmarks browse-gui: the API did not start\n{tail}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            proc.wait(15)


def _wait(condition: Callable[[], bool], timeout: float = PAGE_TIMEOUT_S) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("benchmarks browse-gui: a page did not show in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def _more_than(timings: Sized, count: int) -> bool:
    return len(timings) > count


def _destroy(widget: object) -> None:
    """Delete ``widget`` (and its web pages) while the application still runs: a page that outlives its
    profile at exit makes Chromium complain or crash."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    widget.deleteLater()  # type: ignore[attr-defined]
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class _StallMeter:
    """The longest gap between two runs of a 2 ms timer: how long the GUI thread was busy at most."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer(interval=2)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def start(self) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return self.longest


def run(quick: bool = False) -> dict[str, object]:
    themes, events = (5_000, 50_000) if quick else (100_000, 1_000_000)
    scroll_pages = 5 if quick else 40
    reseed = os.environ.get("BENCH_BROWSE_RESEED", "") not in ("", "0")
    dsn, seed_s = _seeded_database(_admin_dsn(), themes, events, reseed)

    from studio.ui.qt_env import prepare_qt_environment

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    prepare_qt_environment()
    from studio.ui.app import create_application

    create_application([])
    from studio.adapters.browse_catalog import BrowseCatalog
    from studio.ui.browse.browse_view import BrowseView
    from studio.ui.browse.target import BrowseTarget

    figures: dict[str, object] = {"themes": themes, "seed_s": None if seed_s is None else round(seed_s, 1)}
    with _api(dsn) as base:
        view = BrowseView([BrowseTarget("bench", lambda: BrowseCatalog.for_url(base, label="bench"))])
        view.resize(1400, 900)
        view.show()
        try:
            _wait(lambda: len(view.shown_timings) >= 1)  # connect + first page (warms the API's pool)
            first: dict[str, float] = {}
            queries: list[tuple[str, Callable[[], None]]] = [
                *((f"sort_{sort}", lambda s=sort: view.sort_box.setCurrentIndex(view.sort_box.findData(s)))
                  for sort in ("popular", "new", "installs", "updated")),
                ("tag", lambda: view.tag_field.setText("tag3")),
                ("text", lambda: view.search_field.setText("aurora")),
            ]
            for name, change in queries:
                shown = len(view.shown_timings)
                change()
                view.apply_query()
                _wait(functools.partial(_more_than, view.shown_timings, shown))
                first[name] = view.shown_timings[-1].seconds * 1000
            view.tag_field.clear()
            view.search_field.clear()
            shown = len(view.shown_timings)
            view.sort_box.setCurrentIndex(view.sort_box.findData("popular"))
            view.apply_query()
            _wait(functools.partial(_more_than, view.shown_timings, shown))  # the first page is on screen

            meter = _StallMeter()
            scroll: list[float] = []
            bar = view.list_view.verticalScrollBar()
            meter.start()
            for _ in range(scroll_pages):
                shown = len(view.shown_timings)
                rows = view.model.rowCount()
                bar.setValue(bar.maximum())  # the user drags to the end; the view asks for the next page
                _wait(functools.partial(_more_than, view.shown_timings, shown))
                timing = view.shown_timings[-1]
                if timing.first or view.model.rowCount() <= rows:
                    raise SystemExit("benchmarks browse-gui: scrolling did not fetch exactly the next page")
                scroll.append(timing.seconds * 1000)
            stall = meter.stop()
            figures.update({
                "first_page_ms": {k: round(v, 1) for k, v in first.items()},
                "first_page_median_ms": round(median(list(first.values())), 1),
                "scroll_fetch_median_ms": round(median(scroll), 1),
                "scroll_fetch_p95_ms": round(percentile(scroll, 95), 1),
                "scroll_pages": len(scroll),
                "rows_loaded": view.model.rowCount(),
                "gui_stall_max_ms": round(stall * 1000, 1),
                "thumbnail_cache_entries": len(view.thumbnails),
            })
        finally:
            view.close_sources()
            _destroy(view)
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick="--quick" in sys.argv), sort_keys=True))
