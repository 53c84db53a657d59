"""The application factory: `create_app(settings)`; `app_from_env()` for uvicorn --factory."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from backend.api.client_address import ClientAddressMiddleware
from backend.api.deps import Services
from backend.api.errors import ApiError
from backend.api.middleware import EdgeMiddleware
from backend.api.routes import analytics, beacon, drafts, grants, health, keys, themes, user_themes, versions
from backend.cache import Cache, make_client
from backend.cache_outbox import drain_forever
from backend.config import Settings, load_settings
from backend.db.pool import open_pool, purge_broken, saturated
from backend.metrics import Metrics
from backend.ratelimit import WindowCounters
from backend.security import FailedAuthLimiter
from backend.signing import Signer

log = logging.getLogger(__name__)


def build_storage(settings: Settings) -> Any:
    """The storage signer when SPACES_* are set and the module exists, else None (grants answer 503)."""
    if not settings.storage_configured:
        return None
    try:
        from backend.storage import ObjectStorage, StorageConfig
    except ImportError:
        log.warning("backend.storage is not importable; upload grants are disabled")
        return None
    assert settings.spaces_key is not None
    assert settings.spaces_secret is not None
    return ObjectStorage(
        StorageConfig(
            endpoint=settings.spaces_endpoint or "",
            region=settings.spaces_region or "",
            bucket=settings.spaces_bucket or "",
            access_key=settings.spaces_key.get_secret_value(),
            secret_key=settings.spaces_secret.get_secret_value(),
            cdn_base_url=settings.cdn_base_url or "",
        )
    )


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status, headers=headers)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "too_many_requests",
}


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = exc.code if isinstance(exc, ApiError) else _HTTP_CODES.get(exc.status_code, "error")
    message = str(exc.detail) if isinstance(exc, ApiError) else code.replace("_", " ").capitalize() + "."
    return _error(exc.status_code, code, message, dict(exc.headers) if exc.headers else None)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Never echo the input back (it may be huge or hostile): location, short message and type only.
    details = [
        {
            "loc": [str(part)[:64] for part in err.get("loc", ())][:8],
            "msg": str(err.get("msg", ""))[:200],
            "type": str(err.get("type", ""))[:64],
        }
        for err in list(exc.errors())[:20]
    ]
    return _error(422, "validation_error", "The request is not valid.", details=details)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    services = getattr(request.app.state, "services", None)
    if services is not None:
        purge_broken(services.pool)  # the other idle connections may be dead too: find them now
    return _error(
        503,
        "database_unavailable",
        "The metadata database is unreachable; retry shortly.",
        {"Retry-After": "2"},
    )


async def _pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    """No pooled connection in time: 503 ``busy`` when every connection is in use (load: retry soon),
    ``database_unavailable`` when the pool could not even open its connections (an outage)."""
    services = getattr(request.app.state, "services", None)
    if services is not None and saturated(services.pool):
        log.warning("database pool exhausted")
        return _error(503, "busy", "The service is busy; retry shortly.", {"Retry-After": "1"})
    return await _database_unavailable(request, exc)


async def _data_error(_: Request, exc: Exception) -> JSONResponse:
    # e.g. a NUL character, which PostgreSQL text cannot hold: the client's input, so 422 (details stay here).
    log.info("rejected value: %s", type(exc).__name__)
    return _error(422, "invalid_value", "A value cannot be stored (e.g. it contains a NUL character).")


def create_app(settings: Settings, *, freeze_gc: bool = False) -> FastAPI:
    """A configured app; the pool, Redis client and storage signer open in its lifespan.

    ``freeze_gc`` (the served app): once started, every object alive (modules, routes, models, ~110,000
    of them) moves to the collector's permanent generation. Profiling the list route under load showed
    full (generation 2) collections walking them all, a 20-300 ms pause of the event loop each, which every
    request in flight waits out: the p99. Frozen, a full pass only walks what requests allocate.
    """
    metrics = Metrics()
    signing_key = settings.signing_key.get_secret_value() if settings.signing_key is not None else None
    signer = Signer.from_settings(signing_key, settings.signing_retired_public_keys)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await open_pool(settings)
        client = make_client(settings.redis_url.get_secret_value(), timeout_s=settings.redis_timeout_s)
        cache = Cache(
            client, prefix=settings.redis_prefix, theme_ttl=settings.theme_cache_ttl, metrics=metrics
        )
        limiter = FailedAuthLimiter(
            WindowCounters(cache, window_s=settings.auth_fail_window_s, name="authfail"),
            limit=settings.auth_fail_limit,
        )
        events = WindowCounters(cache, window_s=settings.analytics_window_s, name="events")
        app.state.services = Services(
            settings, pool, cache, metrics, limiter, build_storage(settings), events, signer
        )
        stop = asyncio.Event()
        drainer = asyncio.get_running_loop().create_task(
            drain_forever(pool, cache, settings.cache_outbox_interval_s, stop), name="cache-outbox"
        )
        if freeze_gc:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if freeze_gc:
                gc.unfreeze()
            stop.set()  # a drain in flight ends within the pool and Redis timeouts
            await asyncio.wait({drainer}, timeout=settings.db_timeout_s + 2)
            if not drainer.done():
                drainer.cancel()
            await pool.close()
            await client.aclose()

    app = FastAPI(
        title="ThemeSystem API",
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI cannot run under CSP default-src 'none'; the schema is at /openapi.json
        redoc_url=None,
    )
    app.add_exception_handler(HTTPException, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(psycopg.OperationalError, _database_unavailable)
    app.add_exception_handler(PoolTimeout, _pool_timeout)
    app.add_exception_handler(psycopg.DataError, _data_error)

    for module in (themes, versions, drafts, grants, user_themes, analytics, beacon, keys):
        app.include_router(module.router)
    app.include_router(health.router)
    if settings.bench_ceiling:
        app.include_router(health.ceiling_router)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    app.add_middleware(EdgeMiddleware, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(
        ClientAddressMiddleware, trusted=settings.forwarded_allow_ips, header=settings.client_ip_header
    )
    return app


def app_from_env() -> FastAPI:
    """Entry for `uvicorn --factory backend.api.app:app_from_env` (each worker reads the environment)."""
    settings = load_settings()
    return create_app(settings, freeze_gc=settings.gc_freeze)
