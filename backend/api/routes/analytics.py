"""Analytics: batched event ingest, per-day rollups, popular themes (Redis; Postgres when Redis is down)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from backend.api.constants import API_PREFIX
from backend.api.deps import ConnDep, CurrentPrincipal, ServicesDep, client_ip
from backend.api.errors import ApiError
from backend.api.routes.common import ensure_owner
from backend.api.schemas import DailyCount, EventBatch, IngestResult, PopularList, PopularTheme
from backend.db import activity

router = APIRouter(prefix=API_PREFIX, tags=["analytics"])
POPULAR_EVENTS = frozenset({"download", "install"})
REBUILD_LOCK = "popular:rebuild"
REBUILD_LOCK_S = 30


@router.post(
    "/analytics/events",
    response_model=IngestResult,
    responses={
        422: {"description": "Too many events, or an event names a theme that is not published."},
        429: {"description": "This token or address sent too many events in the window (Retry-After)."},
    },
)
async def ingest(
    body: EventBatch, request: Request, conn: ConnDep, services: ServicesDep, principal: CurrentPrincipal
) -> IngestResult:
    """Store a batch of events; each counts once per (theme, event type, user, UTC day).

    Limited per token and per client address (events per window, shared by every instance through Redis).
    A batch naming a theme that is not published is refused whole, so nothing is half-stored. Newly stored
    downloads and installs bump ``popular:themes``; duplicates come back as ``dropped``.
    """
    settings = services.settings
    if len(body.events) > settings.max_event_batch:
        raise ApiError(422, "batch_too_large", f"At most {settings.max_event_batch} events per batch.")
    wait = await services.event_counters.charge(
        {
            f"tok:{principal.token_id}": settings.analytics_token_limit,
            f"addr:{client_ip(request)}": settings.analytics_address_limit,
        },
        len(body.events),
    )
    if wait:
        raise ApiError(
            429, "rate_limited", "Too many analytics events; retry later.", headers={"Retry-After": str(wait)}
        )
    refused = await activity.unpublished_or_unknown(conn, list({e.theme_id for e in body.events}))
    if refused:
        shown = ", ".join(str(theme_id) for theme_id in refused[:10])
        raise ApiError(422, "unknown_theme", f"No published theme with id {shown}; nothing was stored.")
    stored = await activity.ingest_events(
        conn, principal.user_id, [(e.theme_id, e.event_type, e.client_info) for e in body.events]
    )
    bumps = Counter(str(theme_id) for theme_id, kind in stored if kind in POPULAR_EVENTS)
    # Refused while the ranking is incomplete (Redis lost it): its rebuild counts these from PostgreSQL.
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
    """Most downloaded/installed published themes: the Redis ranking, or PostgreSQL's aggregate.

    When Redis lost the ranking (restart, eviction), the one request across all instances that takes the
    rebuild lock rebuilds it from PostgreSQL; until it is back, everyone answers from PostgreSQL.
    """
    # Room for themes unpublished since they were ranked: they are left out below.
    ranking = await services.cache.popular(limit * 2 + 10)
    if ranking is not None and not ranking.complete:
        if await services.cache.try_lock(REBUILD_LOCK, REBUILD_LOCK_S):
            try:
                again = await services.cache.popular(1)  # a rebuild may have finished since our read
                if again is not None and not again.complete:
                    await services.cache.store_popular(await activity.popularity_scores(conn))
            finally:  # a rebuild that failed may be retried at once; the lock's TTL covers a crash
                await services.cache.unlock(REBUILD_LOCK)
        ranking = None
    if ranking is None:
        ranked, source = await activity.popular_from_db(conn, limit), "postgres"
    else:
        ranked, source = ranking.items, "redis"
    names = await activity.published_names(conn, [theme_id for theme_id, _ in ranked])
    items = [
        PopularTheme(
            theme_id=UUID(theme_id),
            score=score,
            name=names[theme_id]["name"],
            version=names[theme_id]["version"],
        )
        for theme_id, score in ranked
        if theme_id in names
    ][:limit]
    return PopularList(source="redis" if source == "redis" else "postgres", items=items)
