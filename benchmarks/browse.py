"""Browse on 100,000 themes: first page and cursor scroll-fetch latency through the real HTTP API, per sort.

The catalogue (100,000 themes with Zipf tags, 1,000,000 analytics events on Zipf-ranked themes, favourites
from 2,000 users; :mod:`benchmarks.catalogue_seed`) is seeded once into a kept database named after the
seed version and the migrations (like the ``backend`` group's). The API runs as ``python -m backend serve``
(one uvicorn worker, loopback); one keep-alive client asks as the studio's Browse does: a first page (no
filter, a Zipf-chosen tag, or a text query), then the next pages by cursor as the user scrolls. Latencies are
whole HTTP round trips (p50/p95 over every request of that kind); the query's own time is the median
``EXPLAIN ANALYZE`` execution time of the same SQL the route runs (:func:`backend.db.themes.list_query`).
Nothing is cached between requests (the list route does not use Redis).
"""

from __future__ import annotations

import bisect
import hashlib
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from backend.db.users import create_token, create_user
from backend.migrations import upgrade
from benchmarks.backend import _admin_dsn, _databases, _drop, _dsn, _server, seeded_main
from benchmarks.catalogue_seed import seed_catalogue, zipf_cumulative

REPO = Path(__file__).resolve().parents[1]
THEMES = 100_000
EVENTS = 1_000_000
USERS = 2_000
TAGS = 200
PAGE = 50  # what Browse asks per fetch
SEED_VERSION = 1
DB_STEM = "ts_browsedb"
SORTS = ("updated", "new", "popular", "installs")
MIGRATIONS = REPO / "backend" / "migrations" / "versions"


QUICK_SIZE = (5_000, 50_000)  # --quick (CI's smoke run): seeds in seconds, kept apart from the full catalogue


def _stem(themes: int) -> str:
    return DB_STEM if themes == THEMES else f"{DB_STEM}q"


def _seed_key(themes: int = THEMES, events: int = EVENTS) -> str:
    digest = hashlib.sha256(f"{SEED_VERSION}:{themes}:{events}".encode())
    for path in sorted(MIGRATIONS.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update((REPO / "benchmarks" / "catalogue_seed.py").read_bytes())
    return f"{_stem(themes)}_s{SEED_VERSION}_{digest.hexdigest()[:10]}"


def seeded_database(
    admin: str, reseed: bool = False, themes: int = THEMES, events: int = EVENTS
) -> tuple[str, float | None]:
    """The browse database of this size (seeded now when missing); (dsn, seconds spent seeding or None)."""
    name = _seed_key(themes, events)
    if reseed:
        _drop(admin, [name])
    if name in _databases(admin, name):
        return _dsn(admin, name), None
    _drop(admin, [n for n in _databases(admin, _stem(themes) + "_s%") if n != name])
    building = f"{name}_wip_{secrets.token_hex(3)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{building}"')
    t0 = time.perf_counter()
    try:
        dsn = _dsn(admin, building)
        upgrade(dsn)
        author = create_user(dsn, email="browse-bench@example.test", name="Bench", role="author")
        seed_catalogue(
            dsn, author["id"], themes=themes, events=events, users=USERS, tags=TAGS, rng=random.Random(7)
        )
    except BaseException:
        _drop(admin, [building])
        raise
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return _dsn(admin, name), time.perf_counter() - t0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _first_queries(rng: random.Random, count: int) -> list[dict[str, str]]:
    """First-page filters as people browse: half unfiltered, 35 % one tag (Zipf), 15 % a text query."""
    tag_cum = zipf_cumulative(TAGS)
    words = ("aurora", "ember", "slate", "coral", "fjord", "quartz", "mist", "velvet")
    out: list[dict[str, str]] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            out.append({})
        elif roll < 0.85:
            out.append({"tag": f"tag{bisect.bisect(tag_cum, rng.random() * tag_cum[-1])}"})
        else:
            out.append({"q": rng.choice(words)})
    return out


def _favourites_user(dsn: str) -> tuple[str, int]:
    """A token for the seeded user with the most favourites, and how many they have."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT u.email, count(*) FROM user_themes ut JOIN users u ON u.id = ut.user_id "
            "WHERE ut.relation = 'favorite' GROUP BY u.email ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    token, _ = create_token(dsn, email=row[0], expires_days=1)
    return token, int(row[1])


def _explain_ms(dsn: str, samples: list[tuple[str, dict[str, str], str | None]]) -> dict[str, float]:
    """Median EXPLAIN ANALYZE execution time per sort of the route's own SQL for these requests."""
    from backend.api.routes.common import decode_sort_cursor
    from backend.db.themes import list_query

    times: dict[str, list[float]] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        for sort, params, cursor in samples:
            sql, args = list_query(
                tag=params.get("tag"),
                q=params.get("q"),
                author_id=None,
                published_only=True,
                after=decode_sort_cursor(cursor, sort) if cursor else None,
                limit=PAGE + 1,
                sort=sort,  # type: ignore[arg-type]
                cdn_base="https://cdn.example/",
            )
            for _ in range(2):  # the second finds its pages in shared buffers, like a served request
                row = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, args).fetchone()
            assert row is not None
            times.setdefault(sort, []).append(float(row[0][0]["Execution Time"]))
    return {sort: statistics.median(values) for sort, values in times.items()}


def run(quick: bool = False, reseed: bool | None = None) -> dict[str, object]:
    if reseed is None:
        reseed = os.environ.get("BENCH_BROWSE_RESEED", "") not in ("", "0")
    admin = _admin_dsn()
    themes, events = QUICK_SIZE if quick else (THEMES, EVENTS)
    dsn, seed_s = seeded_database(admin, reseed, themes, events)
    rng = random.Random(13)
    firsts_per_sort = 30 if quick else 120
    scroll_pages = 5 if quick else 10
    token, favourites = _favourites_user(dsn)
    figures: dict[str, Any] = {"seed_s": None if seed_s is None else round(seed_s, 1)}
    env = {
        "DATABASE_URL": dsn,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "REDIS_PREFIX": f"benchbrowse:{secrets.token_hex(4)}:",
        "CDN_BASE_URL": "https://cdn.example",
        "DB_POOL_MIN": "2",
        "DB_POOL_MAX": "4",
    }
    explain_samples: list[tuple[str, dict[str, str], str | None]] = []
    with _server(env) as base, httpx.Client(base_url=base, timeout=30) as http:

        def fetch(
            params: dict[str, str], headers: dict[str, str] | None = None
        ) -> tuple[float, dict[str, Any]]:
            t0 = time.perf_counter()
            response = http.get("/v1/themes", params=params, headers=headers or {})
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status_code != 200:
                raise SystemExit(
                    f"benchmarks browse: HTTP {response.status_code} for {params}: {response.text}"
                )
            return elapsed, response.json()

        for sort in SORTS:  # warm-up: pool, prepared statements, shared buffers
            for params in _first_queries(rng, 20):
                fetch({**params, "sort": sort, "limit": str(PAGE)})
        for sort in SORTS:
            first: list[float] = []
            scroll: list[float] = []
            items_seen = 0
            for n, params in enumerate(_first_queries(rng, firsts_per_sort)):
                query = {**params, "sort": sort, "limit": str(PAGE)}
                elapsed, page = fetch(query)
                first.append(elapsed)
                items_seen += len(page["items"])
                if n % 10 == 0:
                    explain_samples.append((sort, params, None))
                if n % 3 == 0:  # a third of the visits scroll on
                    cursor = page["next_cursor"]
                    for depth in range(scroll_pages):
                        if not cursor:
                            break
                        elapsed, page = fetch({**query, "cursor": cursor})
                        scroll.append(elapsed)
                        if n % 10 == 0 and depth == scroll_pages - 1:
                            explain_samples.append((sort, params, cursor))
                        cursor = page["next_cursor"]
            figures[f"browse_first_page_ms_p50_{sort}"] = round(_percentile(first, 0.5), 2)
            figures[f"browse_first_page_ms_p95_{sort}"] = round(_percentile(first, 0.95), 2)
            figures[f"browse_scroll_fetch_ms_p50_{sort}"] = round(_percentile(scroll, 0.5), 2)
            figures[f"browse_scroll_fetch_ms_p95_{sort}"] = round(_percentile(scroll, 0.95), 2)
            figures[f"browse_requests_{sort}"] = len(first) + len(scroll)
        fav: list[float] = []
        headers = {"Authorization": f"Bearer {token}"}
        for sort in SORTS:
            for _ in range(10 if quick else 30):
                elapsed, page = fetch({"favourites": "true", "sort": sort, "limit": str(PAGE)}, headers)
                fav.append(elapsed)
        figures["browse_favourites_ms_p50"] = round(_percentile(fav, 0.5), 2)
        figures["browse_favourites_ms_p95"] = round(_percentile(fav, 0.95), 2)
        figures["browse_favourites_of_user"] = favourites
    for sort, ms in _explain_ms(dsn, explain_samples).items():
        figures[f"browse_query_ms_{sort}"] = round(ms, 3)
    with psycopg.connect(dsn) as conn:
        published = conn.execute("SELECT count(*) FROM themes WHERE published").fetchone()
    figures.update(
        themes=themes,
        published_themes=published[0] if published else 0,
        events=events,
        page_size=PAGE,
        scroll_pages_per_visit=scroll_pages,
        client="one keep-alive httpx client, sequential requests (a user's Browse), one uvicorn worker",
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.browse [--quick] [--reseed | --drop]``."""
    return seeded_main("benchmarks.browse", DB_STEM, run, argv)


if __name__ == "__main__":
    sys.exit(main())
