"""Probes and metrics: /healthz (process up), /readyz (dependencies), /metrics (Prometheus text)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from backend.api.deps import ServicesDep
from backend.db.pool import saturated

router = APIRouter(tags=["health"])
ceiling_router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(services: ServicesDep) -> JSONResponse:
    """200 ok / 200 degraded (Redis or storage down, or every connection busy) / 503 when Postgres is down."""
    postgres = "ok"
    try:
        async with asyncio.timeout(services.settings.db_timeout_s):
            async with services.pool.connection() as conn:
                await conn.execute("SELECT 1")
    except Exception:
        # every connection busy with requests is load (stay in rotation), not a database that is down
        postgres = "busy" if saturated(services.pool) else "down"
    redis = "ok" if await services.cache.ping() else "down"
    body: dict[str, str] = {"postgres": postgres, "redis": redis}
    # Ephemeral: manifests are signed with a key lost at exit (tests, dev); production sets SIGNING_KEY.
    body["signing"] = "ephemeral" if services.signer.ephemeral else "ok"
    if services.storage is None:
        body["storage"] = "unconfigured"
    else:
        try:
            body["storage"] = (
                "ok" if await asyncio.wait_for(asyncio.to_thread(services.storage.check), 3) else "down"
            )
        except Exception:
            body["storage"] = "down"
    if postgres == "down":
        status, code = "down", 503
    elif redis != "ok" or body["storage"] == "down" or postgres == "busy":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JSONResponse({"status": status, **body}, status_code=code)


@router.get("/metrics")
async def metrics(services: ServicesDep) -> Response:
    services.metrics.observe_pool(services.pool.get_stats())
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)


@ceiling_router.get("/_bench/ceiling")
async def ceiling(services: ServicesDep) -> Response:
    """Benchmark ceiling: the same stack doing one Redis GET and returning it (mounted only on request)."""
    value = await services.cache.get_raw("bench:ceiling")
    return Response(value or b"{}", media_type="application/json")
