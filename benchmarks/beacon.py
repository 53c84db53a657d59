"""Anonymous beacon ingest (``POST /v1/analytics/beacon``): events stored per second under wrk.

A database of its own (10,000 published themes, 200,000 earlier events; made by COPY, dropped at the end: the
kept 100,000-theme database of ``benchmarks.backend`` is keyed by the migrations and shared), one uvicorn
worker, 16 connections. Every request comes from a new client address (the API trusts loopback as a proxy and
wrk sets ``X-Forwarded-For``), so each event is a new (theme, visitor, day): none is deduplicated away, every
one is hashed and inserted. The rows stored are counted afterwards and must match what wrk sent. Two sizes:
one view per beacon (a page load) and 20 (the loader's batch, the default ``BEACON_MAX_EVENTS``).

Baseline, same server and run: the authenticated ``POST /v1/analytics/events`` with the same batches of
views, each a new (theme, user, day) too (its per-token and per-address limits lifted like the beacon's).
"""

from __future__ import annotations

import os
import random
import secrets
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import redis

from backend.db.users import create_token, create_user
from backend.migrations import upgrade
from benchmarks.backend import CONNECTIONS, _admin_dsn, _drop, _dsn, _run_wrk, _server, _wrk

ORIGIN = "https://shop.bench.example"
THEMES = 10_000
EARLIER_EVENTS = 200_000


def _seed(dsn: str) -> list[uuid.UUID]:
    """Published themes with one version each, and earlier anonymous-less events; returns the theme ids."""
    rng = random.Random(5)
    author = create_user(dsn, email="beacon-bench@example.test", name="Bench", role="author")["id"]
    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(THEMES)]
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY themes (id, name, author_id, author, version, css_url, published) FROM STDIN"
        ) as copy:
            for n, tid in enumerate(ids):
                copy.write_row(
                    (tid, f"Theme {n}", author, "Bench", "1.0.0", f"https://cdn.example/{tid}", True)
                )
        with cur.copy("COPY theme_versions (theme_id, version, sha256, size, css_url) FROM STDIN") as copy:
            for tid in ids:
                copy.write_row((tid, "1.0.0", "0" * 64, 100, f"https://cdn.example/{tid}"))
        with cur.copy("COPY theme_analytics (theme_id, event_type, occurred_at) FROM STDIN") as copy:
            for _ in range(EARLIER_EVENTS):
                copy.write_row((ids[rng.randrange(THEMES)], "view", f"2026-11-{1 + rng.randrange(24):02d}"))
        cur.execute("TRUNCATE cache_outbox")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    rng.shuffle(ids)
    return ids


def _beacon_script(tmp: Path, name: str, ids: list[uuid.UUID], batch: int, run: int) -> str:
    """Each request: ``batch`` views of successive themes, from an address no request used before."""
    (tmp / f"{name}-ids.txt").write_text("\n".join(map(str, ids)))
    script = tmp / f"{name}.lua"
    script.write_text(
        f"""
local ids = {{}}
for line in io.lines("{tmp / f"{name}-ids.txt"}") do ids[#ids + 1] = line end
local counter = 0
setup = function(thread) thread:set("tid", counter); counter = counter + 1 end
local k = 0
request = function()
  local n = #ids
  local parts = {{}}
  for i = 0, {batch - 1} do
    local id = ids[(k + i) % n + 1]
    parts[#parts + 1] = '{{"theme_id":"' .. id .. '","event_type":"view","version":"latest"}}'
  end
  k = k + {batch}
  local address = string.format("fd00:{run:x}::%x:%x", tid or 0, k)
  local headers = {{["Content-Type"] = "text/plain;charset=UTF-8", ["Origin"] = "{ORIGIN}",
                   ["X-Forwarded-For"] = address}}
  return wrk.format("POST", nil, headers, '{{"events":[' .. table.concat(parts, ",") .. ']}}')
end
"""
    )
    return str(script)


def _events_script(tmp: Path, name: str, ids: list[uuid.UUID], batch: int, tokens: list[str]) -> str:
    """The baseline: ``batch`` views per request, one token per wrk thread, themes never repeated."""
    (tmp / f"{name}-ids.txt").write_text("\n".join(map(str, ids)))
    script = tmp / f"{name}.lua"
    script.write_text(
        f"""
local ids = {{}}
for line in io.lines("{tmp / f"{name}-ids.txt"}") do ids[#ids + 1] = line end
local tokens = {{"{tokens[0]}", "{tokens[1]}"}}
local counter = 0
setup = function(thread) thread:set("tid", counter); counter = counter + 1 end
local k = 0
request = function()
  local n = #ids
  local parts = {{}}
  for i = 0, {batch - 1} do
    parts[#parts + 1] = '{{"theme_id":"' .. ids[(k + i) % n + 1] .. '","event_type":"view"}}'
  end
  k = k + {batch}
  local headers = {{["Content-Type"] = "application/json",
                   ["Authorization"] = "Bearer " .. tokens[(tid or 0) + 1]}}
  return wrk.format("POST", nil, headers, '{{"events":[' .. table.concat(parts, ",") .. ']}}')
end
"""
    )
    return str(script)


def _stored(dsn: str, after: int, *, anonymous: bool = True) -> int:
    who = "visitor IS NOT NULL" if anonymous else "user_id IS NOT NULL"
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            f"SELECT count(*) FROM theme_analytics WHERE id > %s AND {who}", (after,)
        ).fetchone()
    return int(row[0]) if row else 0


def _checked(sent: int, stored: int, batch: int) -> int:
    """``sent`` (what wrk saw answered: the figure), once the database agrees: every answered event is
    stored, plus at most the requests in flight when the warm-up and the run stopped (one a connection each,
    stored but not counted by wrk). A run that lost or deduplicated events fails."""
    if not sent <= stored <= sent + 2 * CONNECTIONS * batch:
        raise SystemExit(f"benchmarks beacon: sent {sent} events, {stored} stored")
    return sent


def _tokens(dsn: str, phase: str) -> list[str]:
    """Two fresh users with a token each (one per wrk thread): their events never collide with others'."""
    tokens = []
    for n in range(2):
        email = f"beacon-bench-{phase}-{n}@example.test"
        create_user(dsn, email=email, name=f"Bench {n}", role="user")
        tokens.append(create_token(dsn, email=email, expires_days=1)[0])
    return tokens


def run(quick: bool = False) -> dict[str, object]:
    wrk = _wrk()
    seconds = 3 if quick else 6
    warmup = 1 if quick else 2
    admin = _admin_dsn()
    name = f"ts_beaconbench_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = _dsn(admin, name)
    try:
        return _measure(wrk, dsn, seconds, warmup)
    finally:
        _drop(admin, [name])


def _measure(wrk: str, dsn: str, seconds: int, warmup: int) -> dict[str, object]:
    t0 = time.perf_counter()
    upgrade(dsn)
    ids = _seed(dsn)
    figures: dict[str, object] = {"seed_s": round(time.perf_counter() - t0, 1)}
    last_event = EARLIER_EVENTS
    prefix = f"bench:{secrets.token_hex(4)}:"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = {
        "DATABASE_URL": dsn,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "DB_POOL_MIN": "4",
        "DB_POOL_MAX": "16",
        "CORS_ORIGINS": ORIGIN,
        "FORWARDED_ALLOW_IPS": "127.0.0.1",  # wrk plays the proxy that names each client
        "BEACON_ADDRESS_LIMIT": str(10**12),
        "ANALYTICS_TOKEN_LIMIT": str(10**12),
        "ANALYTICS_ADDRESS_LIMIT": str(10**12),
    }
    try:
        with _server(env) as base, tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            url = f"{base}/v1/analytics/beacon"
            run_no = secrets.randbelow(1 << 16)
            for batch in (1, 20):
                _run_wrk(wrk, url, warmup, _beacon_script(tmp, f"w{batch}", ids, batch, run_no))
                before = _stored(dsn, last_event)
                measured = _run_wrk(
                    wrk, url, seconds, _beacon_script(tmp, f"m{batch}", ids, batch, run_no + 1)
                )
                run_no += 2
                beacon_rate = _checked(measured.requests * batch, _stored(dsn, last_event) - before, batch)
                # The baseline: the same batches through the authenticated route; fresh users per phase, so
                # every (theme, user, day) is new and nothing is deduplicated away.
                events_url = f"{base}/v1/analytics/events"
                warm = _events_script(tmp, f"ew{batch}", ids, batch, _tokens(dsn, f"w{batch}"))
                _run_wrk(wrk, events_url, warmup, warm)
                before = _stored(dsn, last_event, anonymous=False)
                timed = _events_script(tmp, f"em{batch}", ids[::-1], batch, _tokens(dsn, f"m{batch}"))
                baseline = _run_wrk(wrk, events_url, seconds, timed)
                stored = _stored(dsn, last_event, anonymous=False) - before
                events_rate = _checked(baseline.requests * batch, stored, batch)
                figures.update(
                    {
                        f"beacon{batch}_events_per_s": round(beacon_rate / seconds),
                        f"beacon{batch}_p99_ms": round(measured.p99_ms, 2),
                        f"events{batch}_events_per_s": round(events_rate / seconds),
                        f"events{batch}_p99_ms": round(baseline.p99_ms, 2),
                        f"beacon{batch}_vs_events_ratio": round(beacon_rate / max(1, events_rate), 3),
                    }
                )
        figures["load_generator"] = f"wrk -t2 -c{CONNECTIONS} -d{seconds}s (after {warmup}s warm-up)"
        figures["published_themes"] = len(ids)
    finally:
        r = redis.Redis.from_url(redis_url)
        keys = list(r.scan_iter(match=prefix + "*", count=1000))
        if keys:
            r.delete(*keys)
        r.close()
    return figures
