"""Analytics: batched event ingest, per-day rollups, popular themes (Redis; Postgres when Redis is down)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from backend.api.constants import API_PREFIX
from backend.api.deps import ConnDep, CurrentPrincipal, ServicesDep
from backend.api.errors import ApiError
from backend.api.routes.common import ensure_owner
from backend.api.schemas import DailyCount, EventBatch, IngestResult, PopularList, PopularTheme
from backend.db import activity

router = APIRouter(prefix=API_PREFIX, tags=["analytics"])
POPULAR_EVENTS = frozenset({"download", "install"})


@router.post("/analytics/events", response_model=IngestResult)
async def ingest(body: EventBatch, conn: ConnDep, services: ServicesDep, _: CurrentPrincipal) -> IngestResult:
    """Store a batch of events in one INSERT; downloads and installs also bump ``popular:themes``."""
    if len(body.events) > services.settings.max_event_batch:
        raise ApiError(
            422, "batch_too_large", f"At most {services.settings.max_event_batch} events per batch."
        )
    stored = await activity.ingest_events(
        conn, [(e.theme_id, e.event_type, e.client_info) for e in body.events]
    )
    bumps = Counter(str(theme_id) for theme_id, kind in stored if kind in POPULAR_EVENTS)
    await services.cache.bump_popular({k: float(v) for k, v in bumps.items()})
    return IngestResult(accepted=len(stored), dropped=len(body.events) - len(stored))


@router.get("/themes/{theme_id}/analytics/daily", response_model=list[DailyCount])
async def daily(
    theme_id: UUID, conn: ConnDep, principal: CurrentPrincipal, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> list[DailyCount]:
    """Per-day counts for the theme's author (or an admin)."""
    await ensure_owner(conn, theme_id, principal)
    return [DailyCount.model_validate(row) for row in await activity.daily_rollup(conn, theme_id, days)]


@router.get("/analytics/popular", response_model=PopularList)
async def popular(
    conn: ConnDep, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> PopularList:
    """Most downloaded/installed themes: the Redis sorted set, or an event aggregate when Redis is down."""
    ranked = await services.cache.popular(limit)
    source: str = "redis"
    if ranked is None:
        ranked, source = await activity.popular_from_db(conn, limit), "postgres"
    names = await activity.theme_names(conn, [theme_id for theme_id, _ in ranked])
    items = [
        PopularTheme(
            theme_id=UUID(theme_id),
            score=score,
            name=names[theme_id]["name"] if theme_id in names else None,
            version=names[theme_id]["version"] if theme_id in names else None,
        )
        for theme_id, score in ranked
    ]
    return PopularList(source="redis" if source == "redis" else "postgres", items=items)
