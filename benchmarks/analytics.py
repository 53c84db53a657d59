"""Analytics benchmark: a theme's 90-day per-day series out of 1,000,000 events, in a real PostgreSQL.

Seeds a dedicated database (kept between runs, named by the seed version and a hash of the migrations, renamed
into place only once complete): 200 published themes with 2-8 releases each spread over half a year, and
1,000,000 events whose theme follows a Zipf law (the busiest theme gets about a quarter of them), whose day is
spread over 120 days (fewer at weekends), whose type is mostly views, and whose release is one already out
that day, mostly the newest. Then, for the busiest theme (the worst case) and the seed's last 90 days:

- through the route: ``GET /v1/themes/{id}/analytics?from=…&to=…`` on ``themesystem-api serve`` (one worker,
  sequential requests over one connection, after a warm-up), all releases and one release: p50/p95 in ms,
  beside the floor of this machine measured alike (``GET /v1/me``: authentication and one query);
- in PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)`` of exactly the route's series query (``series_query``):
  p50/p95 execution time (the 50 ms budget applies to it), the plan's scan node and the rows it read;
- the like-for-like baseline: the same counts straight from the events (``raw_events_query``, with the
  indexes the events table has had since 0001: ``(theme_id, occurred_at)``), which the route ran before 0009;
  the two answers are compared day by day first (a mismatch fails the run).

``python -m benchmarks analytics [--quick]``; ``python -m benchmarks.analytics --reseed | --drop``.
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

from backend.db.activity import series_query
from backend.db.users import create_token, create_user
from backend.migrations import upgrade
from benchmarks.backend import _admin_dsn, _databases, _drop, _dsn, _server, _zipf_weights, seeded_main
from benchmarks.stats import percentile

REPO = Path(__file__).resolve().parents[1]
THEMES = 200
EVENTS = 1_000_000
SPAN_DAYS = 120  # events spread over the last SPAN_DAYS days of the seed
RANGE_DAYS = 90
SEED_VERSION = 1  # bump when _seed changes what it writes
DB_STEM = "ts_analyticsbench"
MIGRATIONS = REPO / "backend" / "migrations" / "versions"
KINDS = (("view", 0.75), ("download", 0.17), ("install", 0.08))
BUDGET_MS = 50.0


def _seed_key() -> str:
    digest = hashlib.sha256(str(SEED_VERSION).encode())
    for path in sorted(MIGRATIONS.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{DB_STEM}_s{SEED_VERSION}_{digest.hexdigest()[:10]}"


def _seeded_database(admin: str, reseed: bool) -> tuple[str, float | None]:
    """The complete benchmark database (seeded now if missing); (dsn, seconds spent seeding or None)."""
    name = _seed_key()
    if reseed:
        _drop(admin, [name])
    if name in _databases(admin, name):
        return _dsn(admin, name), None
    _drop(admin, [n for n in _databases(admin, DB_STEM + "%") if n != name])  # stale or unfinished seeds
    building = f"{name}_wip_{secrets.token_hex(3)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{building}"')
    t0 = time.perf_counter()
    try:
        dsn = _dsn(admin, building)
        upgrade(dsn)
        author = create_user(dsn, email="analytics-bench@example.test", name="Bench Author", role="author")
        _seed(dsn, author["id"], random.Random(9))
    except BaseException:
        _drop(admin, [building])
        raise
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return _dsn(admin, name), time.perf_counter() - t0


def _seed(dsn: str, author_id: uuid.UUID, rng: random.Random) -> None:
    """Themes, their releases and 1,000,000 events by COPY (see the module docstring for their shape)."""
    last_day = datetime.now(UTC).date()
    first_day = last_day - timedelta(days=SPAN_DAYS - 1)
    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(THEMES)]
    releases: dict[uuid.UUID, list[tuple[str, date]]] = {}
    for tid in ids:
        count = rng.randint(2, 8)
        days = sorted(rng.sample(range(-60, SPAN_DAYS - 5), count))
        days[0] = -60  # the first release predates the events: every event day has one out
        releases[tid] = [(f"1.{n}.0", first_day + timedelta(days=d)) for n, d in enumerate(days)]
    sha = "0" * 64
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY themes (id, name, description, author_id, author, tags, version, css_url, published) "
            "FROM STDIN"
        ) as copy:
            for n, tid in enumerate(ids):
                newest = releases[tid][-1][0]
                css = f"https://cdn.example/{tid}/{newest}/theme.css"
                copy.write_row((tid, f"Bench {n}", "", author_id, "Bench Author", [], newest, css, True))
        with cur.copy(
            "COPY theme_versions (theme_id, version, sha256, size, css_url, created_at) FROM STDIN"
        ) as copy:
            for tid in ids:
                for version, out in releases[tid]:
                    css = f"https://cdn.example/{tid}/{version}/theme.css"
                    copy.write_row(
                        (tid, version, sha, 100, css, datetime(out.year, out.month, out.day, tzinfo=UTC))
                    )
        theme_weights = _zipf_weights(THEMES)
        day_weights = [
            0.6 if (first_day + timedelta(days=d)).weekday() >= 5 else 1.0 for d in range(SPAN_DAYS)
        ]
        kinds, kind_weights = [k for k, _ in KINDS], [w for _, w in KINDS]
        chunk = 100_000
        for start in range(0, EVENTS, chunk):
            n = min(chunk, EVENTS - start)
            themes = rng.choices(ids, theme_weights, k=n)
            offsets = rng.choices(range(SPAN_DAYS), day_weights, k=n)
            types = rng.choices(kinds, kind_weights, k=n)
            lines = []
            for tid, offset, kind in zip(themes, offsets, types, strict=True):
                day = first_day + timedelta(days=offset)
                live = [v for v, when in releases[tid] if when <= day]
                # Most users are on the newest release out that day; the rest on older ones.
                version = live[-1] if len(live) == 1 or rng.random() < 0.6 else rng.choice(live[:-1])
                stamp = f"{day} {rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}+00"
                lines.append(f"{tid}\t{kind}\t{{}}\t{version}\t{stamp}\t{day}\n")
            with cur.copy(
                "COPY theme_analytics (theme_id, event_type, client_info, version, occurred_at, day) "
                "FROM STDIN"
            ) as copy:
                copy.write("".join(lines))
        cur.execute("TRUNCATE cache_outbox")  # one row per release from the trigger; nothing was cached
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def _busiest(conn: psycopg.Connection[Any]) -> tuple[uuid.UUID, str, date, int]:
    """The theme with the most events, its newest release, the seed's last day, and the table's size."""
    row = conn.execute(
        "SELECT theme_id, count(*) FROM theme_analytics GROUP BY theme_id ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    last = conn.execute("SELECT max(day), count(*) FROM theme_analytics").fetchone()
    assert row is not None
    assert last is not None
    newest = conn.execute("SELECT version FROM themes WHERE id = %s", (row[0],)).fetchone()
    assert newest is not None
    return row[0], str(newest[0]), last[0], int(last[1])


def _explain(
    conn: psycopg.Connection[Any],
    theme: uuid.UUID,
    first: date,
    last: date,
    version: str | None,
    reps: int,
    *,
    query: Any = series_query,
) -> dict[str, Any]:
    """p50/p95 execution time of a series query (the route's by default), its scan node and rows read."""
    sql, params = query(theme, first, last, version)
    times: list[float] = []
    plan: dict[str, Any] = {}
    for _ in range(reps + 2):  # the first two fill shared buffers, as served requests would have
        row = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params).fetchone()
        assert row is not None
        plan = row[0][0]
        times.append(float(plan["Execution Time"]))
    times = times[2:]
    scan = _scan_node(plan["Plan"])
    return {
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "scan": f"{scan.get('Node Type')} using {scan.get('Index Name', '-')}",
        "heap_fetches": scan.get("Heap Fetches"),
        "rows": scan.get("Actual Rows"),
    }


def _scan_node(node: dict[str, Any]) -> dict[str, Any]:
    # Down to the scan that reads (under a bitmap heap scan: the index scan feeding it).
    while node.get("Plans") and (
        "Scan" not in str(node.get("Node Type", "")) or node.get("Node Type") == "Bitmap Heap Scan"
    ):
        node = node["Plans"][0]
    return node


def _route(
    http: httpx.Client, url: str, params: dict[str, str], reps: int, *, report: bool = True
) -> dict[str, Any]:
    for _ in range(5):  # warm-up: pool connections, prepared statements, shared buffers
        http.get(url, params=params).raise_for_status()
    times: list[float] = []
    body: dict[str, Any] = {}
    for _ in range(reps):
        t0 = time.perf_counter()
        response = http.get(url, params=params)
        times.append((time.perf_counter() - t0) * 1000)
        response.raise_for_status()
        body = response.json()
    figures = {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2)}
    if not report:
        return figures
    return {
        **figures,
        "days": len(body["days"]),
        "totals": body["totals"],
        "rank": body["rank"]["position"],
    }


def raw_events_query(
    theme: uuid.UUID, first: date, last: date, version: str | None
) -> tuple[str, dict[str, Any]]:
    """The baseline: the same per-day counts straight from the events (migration 0005's indexes)."""
    release = " AND version = %(version)s" if version is not None else ""
    sql = (
        "SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, "
        "count(*) FILTER (WHERE event_type = 'view') AS views, "
        "count(*) FILTER (WHERE event_type = 'download') AS downloads, "
        "count(*) FILTER (WHERE event_type = 'install') AS installs "
        "FROM theme_analytics WHERE theme_id = %(theme)s "
        "AND occurred_at >= (%(first)s::date)::timestamp AT TIME ZONE 'UTC' "
        "AND occurred_at < (%(last)s::date + 1)::timestamp AT TIME ZONE 'UTC'"
        f"{release} GROUP BY 1 ORDER BY 1"
    )
    return sql, {"theme": theme, "first": first, "last": last, "version": version}


def _check_equal(
    conn: psycopg.Connection[Any], theme: uuid.UUID, first: date, last: date, version: str | None
) -> None:
    """The rollup's answer must equal the events' own count, day by day (else the figures mean nothing)."""
    fast = conn.execute(*series_query(theme, first, last, version)).fetchall()
    slow = conn.execute(*raw_events_query(theme, first, last, version)).fetchall()
    if [tuple(r) for r in fast] != [tuple(r) for r in slow]:
        raise SystemExit(f"benchmarks analytics: the rollup disagrees with the events ({version or 'all'})")


def run(quick: bool = False, reseed: bool | None = None) -> dict[str, object]:
    reps = 20 if quick else 200
    if reseed is None:
        reseed = os.environ.get("BENCH_ANALYTICS_RESEED", "") not in ("", "0")
    admin = _admin_dsn()
    dsn, seed_s = _seeded_database(admin, reseed)
    with psycopg.connect(dsn, autocommit=True) as conn:
        theme, newest, last, events = _busiest(conn)
        first = last - timedelta(days=RANGE_DAYS - 1)
        in_range = conn.execute(
            "SELECT count(*) FROM theme_analytics WHERE theme_id = %s AND day BETWEEN %s AND %s",
            (theme, first, last),
        ).fetchone()
        for version in (None, newest):
            _check_equal(conn, theme, first, last, version)
        queries = {
            "all_releases": _explain(conn, theme, first, last, None, reps),
            "one_release": _explain(conn, theme, first, last, newest, reps),
        }
        slow_reps = 3 if quick else 10  # each one counts ~160,000 events
        baseline = {
            "all_releases": _explain(conn, theme, first, last, None, slow_reps, query=raw_events_query),
            "one_release": _explain(conn, theme, first, last, newest, slow_reps, query=raw_events_query),
        }
    email = f"analytics-bench-{secrets.token_hex(3)}@example.test"
    create_user(dsn, email=email, name="Bench Admin", role="admin")
    token, token_id = create_token(dsn, email=email, expires_days=1)
    prefix = f"bench-analytics:{secrets.token_hex(4)}:"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = {"DATABASE_URL": dsn, "REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "DB_POOL_MIN": "2"}
    try:
        with (
            _server(env) as base,
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        ):
            url = f"/v1/themes/{theme}/analytics"
            dates = {"from": first.isoformat(), "to": last.isoformat()}
            route = {
                "all_releases": _route(http, url, dates, reps),
                "one_release": _route(http, url, {**dates, "version": newest}, reps),
            }
            # The floor on this machine: an authenticated GET doing one query (`/v1/me`), measured alike.
            floor = _route(http, "/v1/me", {}, reps, report=False)
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                "DELETE FROM users WHERE id IN (SELECT user_id FROM api_tokens WHERE id = %s)", (token_id,)
            )
    worst = max(queries["all_releases"]["p95_ms"], queries["one_release"]["p95_ms"])
    return {
        "seed_s": None if seed_s is None else round(seed_s, 1),
        "events": events,
        "themes": THEMES,
        "range_days": RANGE_DAYS,
        "busiest_theme_events_in_range": int(in_range[0]) if in_range else 0,
        "repetitions": reps,
        "route": route,
        "query": queries,
        "baseline_raw_events_query": baseline,
        "floor_authenticated_get_me": floor,
        "query_p95_ms_worst": worst,
        "budget_ms": BUDGET_MS,
        "query_within_budget": worst < BUDGET_MS,
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.analytics [--quick] [--reseed | --drop]``."""
    return seeded_main("benchmarks.analytics", DB_STEM, run, argv)


if __name__ == "__main__":
    sys.exit(main())
