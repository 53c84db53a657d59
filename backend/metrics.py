"""Prometheus metrics: one registry per app instance (so tests can build many apps in one process)."""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest

# cgroup files that hold the container's memory limit (v2, then v1); "max" or a huge v1 value means none.
CGROUP_MEMORY_LIMITS = (
    Path("/sys/fs/cgroup/memory.max"),
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
)
UNLIMITED_V1 = 1 << 60

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def memory_limit_bytes(cgroup_files: tuple[Path, ...] = CGROUP_MEMORY_LIMITS) -> int:
    """The memory this process may use: its cgroup's limit when it has one, else the machine's RAM."""
    for path in cgroup_files:
        try:
            text = path.read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < UNLIMITED_V1:
            return int(text)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


class Metrics:
    """Requests and latency by route template and status, cache hits/misses, pool usage, and the process.

    The process collector (``process_cpu_seconds_total``, ``process_resident_memory_bytes``,
    ``process_start_time_seconds``) and ``themesystem_memory_limit_bytes`` are what the CPU, memory and
    restart rules of ``packaging/backend/alerts.yml`` read.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        self.memory_limit = Gauge(
            "themesystem_memory_limit_bytes",
            "Memory this process may use: its cgroup limit, else the machine's RAM.",
            registry=self.registry,
        )
        self.memory_limit.set(memory_limit_bytes())
        self.requests = Counter(
            "themesystem_http_requests",
            "HTTP requests by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "themesystem_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.cache_hits = Counter("themesystem_cache_hits", "Theme cache hits.", registry=self.registry)
        self.cache_misses = Counter(
            "themesystem_cache_misses", "Theme cache misses (including Redis down).", registry=self.registry
        )
        self.pool_size = Gauge("themesystem_db_pool_size", "Connections in the pool.", registry=self.registry)
        self.pool_available = Gauge(
            "themesystem_db_pool_available", "Idle connections in the pool.", registry=self.registry
        )

        # psycopg_pool's own accounting, cumulative since start: how often and how long requests waited for a
        # connection, and how many gave up (PoolTimeout: the 503 busy answers).
        self.pool_queued = Gauge(
            "themesystem_db_pool_requests_queued",
            "Connection requests that had to wait.",
            registry=self.registry,
        )
        self.pool_wait = Gauge(
            "themesystem_db_pool_wait_seconds",
            "Total time spent waiting for a connection.",
            registry=self.registry,
        )
        self.pool_timeouts = Gauge(
            "themesystem_db_pool_timeouts", "Connection requests that timed out.", registry=self.registry
        )

    def observe_pool(self, stats: dict[str, int]) -> None:
        self.pool_size.set(stats.get("pool_size", 0))
        self.pool_available.set(stats.get("pool_available", 0))
        self.pool_queued.set(stats.get("requests_queued", 0))
        self.pool_wait.set(stats.get("requests_wait_ms", 0) / 1000)
        self.pool_timeouts.set(stats.get("requests_errors", 0))

    def render(self) -> bytes:
        return generate_latest(self.registry)
