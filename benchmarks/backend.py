"""ThemeSystem API benchmark: one uvicorn worker on loopback, 16 connections, load from `wrk` (own process).

Seeds a dedicated database (100,000 themes, 1,000,000 analytics events, by COPY) and keeps it between runs:
its name carries the seed version and a hash of the migrations, and it only gets that name (by RENAME) once
seeding has finished, so a database under that name is complete. Events ingested by a run are deleted at its
end, so every run starts from the same data. ``BENCH_BACKEND_RESEED=1`` (or
``python -m benchmarks.backend --reseed``) seeds again; ``python -m benchmarks.backend --drop`` drops the kept
databases.

Every route, the ceiling included (a bare endpoint on the same app and middleware doing one Redis GET), is
warmed up and then measured for the same duration; the ceiling is measured before and after the routes and
the higher figure is the denominator. p99 comes from wrk's ``--latency`` distribution; any socket error or
non-2xx answer fails the run (wrk leaves timed-out requests out of its latency figures).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import redis

from backend.db.users import create_token, create_user
from backend.migrations import upgrade

REPO = Path(__file__).resolve().parents[1]
THEMES = 100_000
EVENTS = 1_000_000
TAGS = [f"tag{i}" for i in range(200)]
UNPUBLISHED_SHARE = 0.1  # drafts and withdrawn themes the public listing must skip
WORDS = [
    "aurora",
    "dusk",
    "nordic",
    "frost",
    "ember",
    "meadow",
    "harbor",
    "slate",
    "coral",
    "citrus",
    "velvet",
    "graphite",
    "lagoon",
    "sable",
    "ivory",
    "cobalt",
    "saffron",
    "juniper",
    "mist",
    "canyon",
    "orchid",
    "pebble",
    "tundra",
    "zephyr",
    "maple",
    "quartz",
    "indigo",
    "amber",
    "fjord",
    "dune",
]
INGEST_USERS = 16  # per phase (warm-up, measured): one event per (theme, type, user, day) is stored
CONNECTIONS = 16
SEED_VERSION = 4  # bump when _seed changes what it writes
DB_STEM = "ts_benchdb"
MIGRATIONS = REPO / "backend" / "migrations" / "versions"


def _wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install -y wrk)", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("benchmarks backend: needs `wrk` (apt-get install wrk) as the load generator")


def _admin_dsn() -> str:
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    return urlunsplit(
        urlsplit(base.replace("postgresql+psycopg://", "postgresql://"))._replace(path="/postgres")
    )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _seed_key() -> str:
    """Seed version + the migrations' content: a kept database is reused only for the same schema and data."""
    digest = hashlib.sha256(str(SEED_VERSION).encode())
    for path in sorted(MIGRATIONS.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{DB_STEM}_s{SEED_VERSION}_{digest.hexdigest()[:10]}"


def _databases(admin: str, like: str) -> list[str]:
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (like,)).fetchall()
    return [row[0] for row in rows]


def _drop(admin: str, names: list[str]) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _dsn(admin: str, name: str) -> str:
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


def _seeded_database(admin: str, reseed: bool) -> tuple[str, float | None]:
    """The complete benchmark database (seeded now if missing); (dsn, seconds spent seeding or None)."""
    name = _seed_key()
    if reseed:
        _drop(admin, [name])
    if name in _databases(admin, name):
        return _dsn(admin, name), None
    # Stale seeds (older seed version or schema) and unfinished ones from an interrupted run.
    _drop(admin, [n for n in _databases(admin, DB_STEM + "%") if n != name])
    building = f"{name}_wip_{secrets.token_hex(3)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{building}"')
    t0 = time.perf_counter()
    try:
        dsn = _dsn(admin, building)
        upgrade(dsn)
        user = create_user(dsn, email="bench@example.test", name="Bench", role="author")
        _seed(dsn, user["id"], random.Random(7))
    except BaseException:
        _drop(admin, [building])
        raise
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return _dsn(admin, name), time.perf_counter() - t0


def _zipf_weights(n: int, exponent: float = 1.1) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, n + 1)]


def _seed(dsn: str, author_id: uuid.UUID, rng: random.Random) -> None:
    """100,000 themes as a catalogue looks: Zipf-popular tags, a share unpublished, changes over a year."""
    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(THEMES)]
    weights = _zipf_weights(len(TAGS))
    year = 365 * 24 * 3600
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        lines = []
        for i, tid in enumerate(ids):
            tags: set[str] = set()
            while len(tags) < 3:
                tags.add(rng.choices(TAGS, weights)[0])
            name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i}"
            description = f"A {rng.choice(WORDS)} theme with {rng.choice(WORDS)} accents"
            published = "f" if rng.random() < UNPUBLISHED_SHARE else "t"
            stamp = 1_733_011_200 + rng.randrange(year)  # 2024-12-01 + up to a year
            lines.append(
                f"{tid}\t{name}\t{description}\t{author_id}\tBench\t{{{','.join(sorted(tags))}}}\t1.0.0\t"
                f"https://cdn.example/{tid}/1.0.0/theme.css\t{published}\t"
                f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(stamp))}+00\n"
            )
        with cur.copy(
            "COPY themes (id, name, description, author_id, author, tags, version, css_url, published, "
            "updated_at) FROM STDIN"
        ) as copy:
            copy.write("".join(lines))
        sha = "0" * 64
        with cur.copy("COPY theme_versions (theme_id, version, sha256, size, css_url) FROM STDIN") as copy:
            copy.write(
                "".join(
                    f"{tid}\t1.0.0\t{sha}\t100\thttps://cdn.example/{tid}/1.0.0/theme.css\n" for tid in ids
                )
            )
        # The counters' triggers (migration 0006) plan their statements with the tables' statistics: give them
        # real ones before a million events go through them.
        conn.commit()
        cur.execute("ANALYZE themes, theme_tags, theme_stats")
        kinds = ("view", "view", "view", "download", "install")
        chunk = 200_000
        for start in range(0, EVENTS, chunk):
            rows = "".join(
                f"{ids[rng.randrange(THEMES)]}\t{kinds[rng.randrange(5)]}\t{{}}\t"
                f"2026-11-{1 + rng.randrange(24):02d} {rng.randrange(24):02d}:00:00+00\n"
                for _ in range(min(chunk, EVENTS - start))
            )
            with cur.copy(
                "COPY theme_analytics (theme_id, event_type, client_info, occurred_at) FROM STDIN"
            ) as copy:
                copy.write(rows)
        # The versions COPY left one cache invalidation per theme (the cache-outbox trigger): nothing was ever
        # cached, so none is due, and draining 100,000 of them would run into the measurements.
        cur.execute("TRUNCATE cache_outbox")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


@contextlib.contextmanager
def _server(env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend", "serve", "--port", str(port), "--workers", "1"],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("benchmarks: the API did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(15)


_LATENCY = re.compile(r"^\s+99(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclasses.dataclass(frozen=True)
class WrkRun:
    rps: float
    p99_ms: float
    requests: int  # completed (all 2xx: anything else fails the run)


_REQUESTS = re.compile(r"^\s+(\d+) requests in ", re.M)


def _run_wrk(wrk: str, url: str, seconds: int, script: str | None = None) -> WrkRun:
    """One wrk run with 16 connections: requests per second, p99 and the number of requests.

    The p99 is the "99%" line of ``--latency`` (wrk's HdrHistogram over every completed request), not the
    per-thread "Latency" stats line. A socket error (connect/read/write/timeout) or a non-2xx answer fails the
    run: wrk drops timed-out requests from the distribution, so a p99 from such a run would flatter us.
    """
    cmd = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = _RPS.search(out)
    p99 = _LATENCY.search(out)
    requests = _REQUESTS.search(out)
    if not rps or not p99 or not requests:
        raise SystemExit(f"benchmarks backend: cannot read wrk output:\n{out}")
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"benchmarks backend: errors during the run:\n{out}")
    return WrkRun(float(rps[1]), float(p99[1]) * _UNIT[p99[2]], int(requests[1]))


def _lua_paths(tmp: Path, name: str, paths: list[str], extra: str = "") -> str:
    data = tmp / f"{name}.txt"
    data.write_text("\n".join(paths))
    script = tmp / f"{name}.lua"
    script.write_text(
        f"""
local paths = {{}}
for line in io.lines("{data}") do paths[#paths + 1] = line end
local counter = 0
local n = #paths
setup = function(thread) thread:set("offset", counter * math.floor(n / 2)); counter = counter + 1 end
local i = 0
{extra}
request = function()
  i = i + 1
  return wrk.format(nil, paths[((offset or 0) + i) % n + 1])
end
"""
    )
    return str(script)


def _measure(wrk: str, url: str, seconds: int, warmup: int, script: str | None = None) -> WrkRun:
    """Warm up (JIT-free, but pools, prepared statements and caches fill), then measure."""
    _run_wrk(wrk, url, warmup, script)
    return _run_wrk(wrk, url, seconds, script)


def _cache_misses(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    found = re.search(r"^themesystem_cache_misses_total ([\d.e+]+)$", text, re.M)
    if not found:
        raise SystemExit("benchmarks backend: /metrics has no themesystem_cache_misses_total")
    return float(found[1])


def _listing_paths(base: str, rng: random.Random, count: int) -> list[str]:
    """List-by-tag requests as browsing makes them: tags by popularity, pages 1-5 by cursor, some with q."""
    weights = _zipf_weights(len(TAGS))
    paths: list[str] = []
    while len(paths) < count:
        tag = rng.choices(TAGS, weights)[0]
        query = f"tag={tag}&limit=20"
        if rng.random() < 0.2:
            query += f"&q={rng.choice(WORDS)}"
        cursor = None
        for _page in range(5):
            path = f"/v1/themes?{query}" + (f"&cursor={cursor}" if cursor else "")
            paths.append(path)
            page = httpx.get(base + path, timeout=10).json()
            cursor = page["next_cursor"]
            if not cursor:
                break
    return paths


def _query_ms(dsn: str, paths: list[str]) -> float:
    """Median execution time, from EXPLAIN ANALYZE, of the listing queries behind ``paths``."""
    from urllib.parse import parse_qs

    from backend.api.routes.common import decode_cursor
    from backend.db.themes import list_query

    times = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        for path in paths:
            args = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
            sql, params = list_query(
                tag=args["tag"],
                q=args.get("q"),
                author_id=None,
                published_only=True,
                after=decode_cursor(args["cursor"]) if "cursor" in args else None,
                limit=int(args["limit"]) + 1,
            )
            for _ in range(2):  # the second, like a served request, finds its pages in shared buffers
                row = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchone()
            assert row is not None
            times.append(float(row[0][0]["Execution Time"]))
    times.sort()
    return times[len(times) // 2]


def _ingest_script(tmp: Path, name: str, ids: list[uuid.UUID], tokens: list[str], batch: int) -> str:
    """A wrk script whose every request carries ``batch`` events never sent before in this run.

    Each of the two threads takes half the tokens; it walks (token, event type, theme) in order, so no
    (theme, type, user, day) repeats and the service stores every event (no dedupe flatters the figure).
    """
    (tmp / f"{name}-ids.txt").write_text("\n".join(map(str, ids)))
    (tmp / f"{name}-tokens.txt").write_text("\n".join(tokens))
    script = tmp / f"{name}.lua"
    script.write_text(
        f"""
local ids, tokens, types = {{}}, {{}}, {{"view", "download", "install"}}
for line in io.lines("{tmp / f"{name}-ids.txt"}") do ids[#ids + 1] = line end
for line in io.lines("{tmp / f"{name}-tokens.txt"}") do tokens[#tokens + 1] = line end
local counter = 0
local half = math.floor(#tokens / 2)
setup = function(thread) thread:set("first_token", counter * half); counter = counter + 1 end
local k = 0
request = function()
  local n = #ids
  local token = tokens[(first_token or 0) + math.floor(k / (3 * n)) % half + 1]
  local kind = types[math.floor(k / n) % 3 + 1]
  local parts = {{}}
  for i = 0, {batch - 1} do
    parts[#parts + 1] = '{{"theme_id":"' .. ids[(k + i) % n + 1] .. '","event_type":"' .. kind .. '"}}'
  end
  k = k + {batch}
  local headers = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}}
  return wrk.format("POST", nil, headers, '{{"events":[' .. table.concat(parts, ",") .. ']}}')
end
"""
    )
    return str(script)


def _theme_ids(dsn: str) -> list[uuid.UUID]:
    """The published themes (what anonymous reads and analytics events may name), shuffled."""
    with psycopg.connect(dsn) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM themes WHERE published ORDER BY id")]
    random.Random(7).shuffle(ids)
    return ids


def _ingest_users(dsn: str, phase: str) -> tuple[list[str], list[uuid.UUID]]:
    """INGEST_USERS users with a token each (tokens, token ids); their events are removed after the run."""
    tokens, token_ids = [], []
    for n in range(INGEST_USERS):
        email = f"bench-{phase}-{n}-{secrets.token_hex(3)}@example.test"
        create_user(dsn, email=email, name=f"Bench {phase} {n}", role="user")
        token, token_id = create_token(dsn, email=email, expires_days=1)
        tokens.append(token)
        token_ids.append(token_id)
    return tokens, token_ids


def run(quick: bool = False, reseed: bool | None = None) -> dict[str, object]:
    wrk = _wrk()
    seconds = 3 if quick else 6
    warmup = 1 if quick else 2
    if reseed is None:
        reseed = os.environ.get("BENCH_BACKEND_RESEED", "") not in ("", "0")
    rng = random.Random(11)
    admin = _admin_dsn()
    prefix = f"bench:{secrets.token_hex(4)}:"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    dsn, seed_s = _seeded_database(admin, reseed)
    figures: dict[str, object] = {"seed_s": None if seed_s is None else round(seed_s, 1)}
    with psycopg.connect(dsn) as conn:
        seeded_events = conn.execute("SELECT max(id) FROM theme_analytics").fetchone()
    last_event = seeded_events[0] if seeded_events else 0
    ids = _theme_ids(dsn)
    warm_tokens, warm_token_ids = _ingest_users(dsn, "warm")
    tokens, token_ids = _ingest_users(dsn, "measured")
    r = redis.Redis.from_url(redis_url)
    try:
        env = {
            "DATABASE_URL": dsn,
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": prefix,
            "THEMESYSTEM_BENCH_CEILING": "1",
            "DB_POOL_MIN": "4",
            "DB_POOL_MAX": "16",
            # A few users send every ingest request from one address: lift the limits that would answer 429.
            "ANALYTICS_TOKEN_LIMIT": str(10**12),
            "ANALYTICS_ADDRESS_LIMIT": str(10**12),
        }
        with _server(env) as base, tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            hot = ids[0]
            body = httpx.get(f"{base}/v1/themes/{hot}").content  # fills the cache
            r.set(prefix + "bench:ceiling", body)
            ceiling_url = f"{base}/_bench/ceiling"
            ceiling_before = _measure(wrk, ceiling_url, seconds, warmup)
            cached = _measure(wrk, f"{base}/v1/themes/{hot}", seconds, warmup)
            # Cold ids: the warm-up and the measured run each take their own, so every request is a miss;
            # the service's own miss counter proves it.
            half = len(ids) // 2
            warm = _lua_paths(tmp, "warm", [f"/v1/themes/{tid}" for tid in ids[1:half]])
            _run_wrk(wrk, base, warmup, warm)
            cold = _lua_paths(tmp, "cold", [f"/v1/themes/{tid}" for tid in ids[half:]])
            misses_before = _cache_misses(base)
            uncached = _run_wrk(wrk, base, seconds, cold)
            misses = _cache_misses(base) - misses_before
            if misses < uncached.requests:
                raise SystemExit(f"benchmarks backend: {uncached.requests} cold GETs, {misses} cache misses")
            list_paths = _listing_paths(base, rng, 60 if quick else 300)
            listed = _measure(wrk, base, seconds, warmup, _lua_paths(tmp, "tags", list_paths))
            query_ms = _query_ms(dsn, list_paths[:: max(1, len(list_paths) // 40)])
            batch = 100  # MAX_EVENT_BATCH
            events_url = f"{base}/v1/analytics/events"
            _run_wrk(wrk, events_url, warmup, _ingest_script(tmp, "w", ids, warm_tokens, batch))
            ingest = _run_wrk(wrk, events_url, seconds, _ingest_script(tmp, "m", ids, tokens, batch))
            with psycopg.connect(dsn) as conn:
                stored = conn.execute(
                    "SELECT count(*) FROM theme_analytics a JOIN api_tokens k ON k.user_id = a.user_id "
                    "WHERE a.id > %s AND k.id = ANY(%s)",
                    (last_event or 0, token_ids),
                ).fetchone()
            accepted = int(stored[0]) if stored else 0
            sent = ingest.requests * batch
            # Requests in flight when wrk stops are stored, not counted by it: at most one a connection.
            if not sent <= accepted <= sent + CONNECTIONS * batch:
                raise SystemExit(f"benchmarks backend: ingest sent {sent} events, {accepted} stored")
            ceiling_after = _run_wrk(wrk, ceiling_url, seconds)
        ceiling = max(ceiling_before.rps, ceiling_after.rps)
        ceiling_p99 = min(ceiling_before.p99_ms, ceiling_after.p99_ms)  # the smaller floor: no flattery
        figures.update(
            load_generator=f"wrk -t2 -c{CONNECTIONS} -d{seconds}s (after {warmup}s warm-up)",
            ceiling_rps=round(ceiling),
            ceiling_rps_before_after=[round(ceiling_before.rps), round(ceiling_after.rps)],
            ceiling_p99_ms=round(ceiling_p99, 2),  # the floor for every route's p99 under this load
            cached_get_rps=round(cached.rps),
            cached_get_ratio=round(cached.rps / ceiling, 3),
            cached_get_p99_ms=round(cached.p99_ms, 2),
            uncached_get_rps=round(uncached.rps),
            uncached_get_ratio=round(uncached.rps / ceiling, 3),
            uncached_get_p99_ms=round(uncached.p99_ms, 2),
            uncached_get_requests=uncached.requests,
            uncached_get_cache_misses=round(misses),
            list_by_tag_rps=round(listed.rps),
            list_by_tag_p99_ms=round(listed.p99_ms, 2),
            list_by_tag_p99_vs_ceiling=round(listed.p99_ms / ceiling_p99, 3),
            list_by_tag_query_ms=round(query_ms, 3),
            list_by_tag_paths=len(list_paths),
            ingest_batch=batch,
            ingest_events_per_s=round(accepted / seconds),
            ingest_events_sent=sent,
            ingest_events_stored=accepted,
            ingest_p99_ms=round(ingest.p99_ms, 2),
            themes=THEMES,
            published_themes=len(ids),
            events=EVENTS,
        )
    finally:
        keys = list(r.scan_iter(match=prefix + "*", count=1000))
        if keys:
            r.delete(*keys)
        r.close()
        # Back to the seeded state: the ingested events and this run's users go; the next run reuses it.
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("DELETE FROM theme_analytics WHERE id > %s", (last_event or 0,))
            # The counters only grow with events (migration 0006): count the kept ones again.
            conn.execute(
                "UPDATE theme_stats s SET views = COALESCE(a.views, 0), "
                "downloads = COALESCE(a.downloads, 0), installs = COALESCE(a.installs, 0) "
                "FROM theme_stats s2 LEFT JOIN ("
                "SELECT theme_id, count(*) FILTER (WHERE event_type = 'view') AS views, "
                "count(*) FILTER (WHERE event_type = 'download') AS downloads, "
                "count(*) FILTER (WHERE event_type = 'install') AS installs "
                "FROM theme_analytics GROUP BY theme_id) a ON a.theme_id = s2.theme_id "
                "WHERE s.theme_id = s2.theme_id AND (s.views, s.downloads, s.installs) "
                "IS DISTINCT FROM (COALESCE(a.views, 0), COALESCE(a.downloads, 0), COALESCE(a.installs, 0))"
            )
            conn.execute(
                "DELETE FROM users WHERE id IN (SELECT user_id FROM api_tokens WHERE id = ANY(%s))",
                (warm_token_ids + token_ids,),
            )
            conn.execute("VACUUM ANALYZE theme_analytics")
    return figures


def seeded_main(prog: str, stem: str, run: Callable[..., dict[str, object]], argv: list[str] | None) -> int:
    """``python -m PROG [--quick] [--reseed | --drop]`` for a benchmark that keeps its seeded database(s)
    (named ``STEM...``) between runs; prints the figures as JSON."""
    parser = argparse.ArgumentParser(prog=f"python -m {prog}")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--reseed", action="store_true", help="drop the kept database and seed again")
    group.add_argument("--drop", action="store_true", help="drop every kept database of this group, exit")
    args = parser.parse_args(argv)
    if args.drop:
        admin = _admin_dsn()
        names = _databases(admin, stem + "%")
        _drop(admin, names)
        print(json.dumps({"dropped": names}))
        return 0
    print(json.dumps(run(quick=args.quick, reseed=args.reseed), sort_keys=True))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.backend [--quick] [--reseed | --drop]``."""
    return seeded_main("benchmarks.backend", DB_STEM, run, argv)


if __name__ == "__main__":
    sys.exit(main())
