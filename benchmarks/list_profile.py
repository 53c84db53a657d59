"""Where the list-by-tag route's p99 goes, next to the ceiling's (a bare Redis GET on the same stack).

``python -m benchmarks.list_profile [--seconds N] [--py-spy PATH]`` runs the ``backend`` group's setup (its
kept database, the same list-by-tag paths, wrk with 16 connections on one uvicorn worker) against a server
started by this module, which is ``backend serve`` plus instruments: every garbage-collector pass is timed
(``gc.callbacks``) and, with ``--py-spy``, the worker is sampled during each phase. It prints, per phase
(ceiling, list): wrk's p50/p99, the collector's passes (count, total and longest pause, by generation) and
the functions holding the most samples. A diagnostic for figures, not a figure itself.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import gc
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import redis

from benchmarks.backend import (
    _admin_dsn,
    _free_port,
    _listing_paths,
    _lua_paths,
    _seeded_database,
    _wrk,
)

REPO = Path(__file__).resolve().parents[1]
_P50 = re.compile(r"^\s+50(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_P99 = re.compile(r"^\s+99(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}
SAMPLE_RATE = 250


def serve(port: int, gc_log: Path) -> None:
    """``backend serve --workers 1`` in this process, logging every collector pass to ``gc_log``."""
    import uvicorn

    passes: list[tuple[float, float, int]] = []
    started: dict[str, float] = {}

    def timed(phase: str, info: dict[str, Any]) -> None:
        now = time.monotonic()
        if phase == "start":
            started["t"] = now
        else:
            passes.append((started.get("t", now), now, int(info["generation"])))

    gc.callbacks.append(timed)
    try:
        uvicorn.run(
            "backend.api.app:app_from_env",
            factory=True,
            host="127.0.0.1",
            port=port,
            proxy_headers=False,
            access_log=False,
            log_level="warning",
        )
    finally:
        gc_log.write_text(json.dumps(passes))


@contextlib.contextmanager
def _server(env: dict[str, str], gc_log: Path) -> Iterator[tuple[str, int]]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.list_profile", "serve", str(port), str(gc_log)],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("list_profile: the API did not start")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)


def _wrk_run(wrk: str, url: str, seconds: int, script: str | None) -> dict[str, float]:
    cmd = [wrk, "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    p50, p99, rps = _P50.search(out), _P99.search(out), _RPS.search(out)
    if not (p50 and p99 and rps):
        raise SystemExit(f"list_profile: cannot read wrk output:\n{out}")
    return {
        "p50_ms": round(float(p50[1]) * _UNIT[p50[2]], 3),
        "p99_ms": round(float(p99[1]) * _UNIT[p99[2]], 3),
        "rps": round(float(rps[1])),
    }


def _top(collapsed: Path, seconds: int, limit: int = 25) -> dict[str, Any]:
    """From py-spy's raw output: how busy the worker was (samples / possible samples), and the functions most
    often on the stack (inclusive) and at its top (self), as shares of the samples."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = [re.sub(r" \(.*?/(site-packages/)?", " (", f) for f in stack.split(";")]
        total += int(n)
        own[frames[-1]] += int(n)
        for frame in set(frames):
            inclusive[frame] += int(n)

    def share(counter: collections.Counter[str]) -> list[tuple[str, float]]:
        return [(frame, round(n / max(1, total), 3)) for frame, n in counter.most_common(limit)]

    return {
        "busy": round(total / (SAMPLE_RATE * seconds), 3),
        "inclusive": share(inclusive),
        "self": share(own),
    }


def _gc_between(passes: list[list[float]], start: float, end: float) -> dict[str, Any]:
    inside = [(b - a) * 1000 for a, b, _ in passes if start <= a <= end]
    by_gen = collections.Counter(int(g) for a, _, g in passes if start <= a <= end)
    return {
        "passes": len(inside),
        "by_generation": dict(sorted(by_gen.items())),
        "total_ms": round(sum(inside), 1),
        "longest_ms": round(max(inside, default=0.0), 2),
        "over_1ms": sum(1 for ms in inside if ms > 1),
    }


def run(seconds: int, py_spy: str | None, *, gc_freeze: bool = True) -> dict[str, Any]:
    wrk = _wrk()
    dsn, _ = _seeded_database(_admin_dsn(), False)
    prefix = f"bench:{os.urandom(4).hex()}:"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = {
        "DATABASE_URL": dsn,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "THEMESYSTEM_BENCH_CEILING": "1",
        "DB_POOL_MIN": "4",
        "DB_POOL_MAX": "16",
        "GC_FREEZE": "1" if gc_freeze else "0",
    }
    r = redis.Redis.from_url(redis_url)
    report: dict[str, Any] = {"seconds": seconds, "gc_freeze": gc_freeze}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        gc_log = tmp / "gc.json"
        windows: dict[str, tuple[float, float]] = {}
        with _server(env, gc_log) as (base, pid):
            with psycopg_ids(dsn) as ids:
                body = httpx.get(f"{base}/v1/themes/{ids[0]}").content
            r.set(prefix + "bench:ceiling", body)
            paths = _listing_paths(base, random.Random(11), 300)
            script = _lua_paths(tmp, "tags", paths)
            for name, url, lua in (
                ("ceiling", f"{base}/_bench/ceiling", None),
                ("list", base, script),
            ):
                _wrk_run(wrk, url, 2, lua)  # warm-up
                spy = None
                if py_spy:
                    spy = subprocess.Popen(
                        [
                            py_spy,
                            "record",
                            "-p",
                            str(pid),
                            "-d",
                            str(seconds),
                            "-r",
                            "250",
                            "-f",
                            "raw",
                            "-o",
                            str(tmp / f"{name}.txt"),
                            "--nonblocking",
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                start = time.monotonic()
                report[name] = _wrk_run(wrk, url, seconds, lua)
                windows[name] = (start, time.monotonic())
                if spy is not None:
                    spy.wait(30)
                    report[name]["profile"] = _top(tmp / f"{name}.txt", seconds)
        passes = json.loads(gc_log.read_text())
        for name, (start, end) in windows.items():
            report[name]["gc"] = _gc_between(passes, start, end)
    keys = list(r.scan_iter(match=prefix + "*", count=1000))
    if keys:
        r.delete(*keys)
    report["list_p99_vs_ceiling"] = round(report["list"]["p99_ms"] / report["ceiling"]["p99_ms"], 3)
    return report


@contextlib.contextmanager
def psycopg_ids(dsn: str) -> Iterator[list[str]]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        yield [str(row[0]) for row in conn.execute("SELECT id FROM themes WHERE published LIMIT 1")]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        serve(int(argv[1]), Path(argv[2]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.list_profile")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--py-spy", default=None, metavar="PATH", help="sample the worker with py-spy")
    parser.add_argument("--no-gc-freeze", action="store_true", help="serve with GC_FREEZE=0 (the before)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.seconds, args.py_spy, gc_freeze=not args.no_gc_freeze)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
