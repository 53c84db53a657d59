"""Analytics: batched event ingest, per-day rollups, popular themes (Redis; Postgres when Redis is down)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from backend.api.constants import API_PREFIX
from backend.api.deps import ConnDep, CurrentPrincipal, Services, ServicesDep, client_ip
from backend.api.errors import ApiError
from backend.api.routes.common import ensure_owner
from backend.api.schemas import (
    AnalyticsReport,
    AnalyticsTotals,
    DailyCount,
    EventBatch,
    IngestResult,
    PopularityRank,
    PopularList,
    PopularTheme,
)
from backend.db import activity
from backend.db.activity import IngestEvent

router = APIRouter(prefix=API_PREFIX, tags=["analytics"])
POPULAR_EVENTS = frozenset({"download", "install"})
REBUILD_LOCK = "popular:rebuild"
REBUILD_LOCK_S = 30


@router.post(
    "/analytics/events",
    response_model=IngestResult,
    responses={
        422: {
            "description": "Too many events, or an event names a theme that is not published or a version "
            "that is not a registered release of its theme; nothing was stored."
        },
        429: {"description": "This token or address sent too many events in the window (Retry-After)."},
    },
)
async def ingest(
    body: EventBatch, request: Request, conn: ConnDep, services: ServicesDep, principal: CurrentPrincipal
) -> IngestResult:
    """Store a batch of events; each counts once per (theme, event type, user, UTC day).

    Limited per token and per client address (events per window, shared by every instance through Redis).
    A batch naming a theme that is not published, or a ``version`` that is not a registered release of its
    theme, is refused whole, so nothing is half-stored. Newly stored
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
    events = [IngestEvent(e.theme_id, e.event_type, e.client_info, e.version) for e in body.events]
    unknown = await activity.unknown_releases(conn, events)
    if unknown:
        shown = ", ".join(f"{theme_id}@{version}" for theme_id, version in unknown[:10])
        raise ApiError(
            422, "unknown_version", f"Not a registered release of its theme: {shown}; nothing was stored."
        )
    stored = await activity.ingest_events(conn, principal.user_id, events)
    bumps = Counter(str(theme_id) for theme_id, kind in stored if kind in POPULAR_EVENTS)
    # Refused while the ranking is incomplete (Redis lost it): its rebuild counts these from PostgreSQL.
    await services.cache.bump_popular({k: float(v) for k, v in bumps.items()})
    return IngestResult(accepted=len(stored), dropped=len(body.events) - len(stored))


MAX_RANGE_DAYS = 366
VersionQuery = Annotated[
    str | None, Query(max_length=64, description="Count only the events about this registered release.")
]


@router.get("/themes/{theme_id}/analytics/daily", response_model=list[DailyCount])
async def daily(
    theme_id: UUID,
    conn: ConnDep,
    principal: CurrentPrincipal,
    days: Annotated[int, Query(ge=1, le=MAX_RANGE_DAYS)] = 30,
    version: VersionQuery = None,
) -> list[DailyCount]:
    """Per-day counts for the theme's author (or an admin); days without events are left out."""
    await ensure_owner(conn, theme_id, principal)
    await _ensure_release(conn, theme_id, version)
    rows = await activity.daily_rollup(conn, theme_id, days, version)
    return [DailyCount.model_validate(row) for row in rows]


@router.get(
    "/themes/{theme_id}/analytics",
    response_model=AnalyticsReport,
    responses={
        403: {"description": "Only the theme's author (or an admin) sees its analytics."},
        404: {"description": "No such theme."},
        422: {"description": "A bad range (from after to, longer than 366 days) or an unknown version."},
    },
)
async def report(
    theme_id: UUID,
    conn: ConnDep,
    services: ServicesDep,
    principal: CurrentPrincipal,
    days: Annotated[
        int | None, Query(ge=1, le=MAX_RANGE_DAYS, description="The last N UTC days, today included (30).")
    ] = None,
    first: Annotated[date | None, Query(alias="from", description="First UTC day (with `to`).")] = None,
    last: Annotated[
        date | None, Query(alias="to", description="Last UTC day, included (with `from`).")
    ] = None,
    version: VersionQuery = None,
) -> AnalyticsReport:
    """Views, downloads and installs per UTC day over a range (every day listed, zeros included), their
    totals, and the theme's place in the popular-themes ranking, for the theme's author (or an admin).

    The range is ``days`` (the last N days, today included; 30 when nothing is given) or ``from``/``to``.
    """
    await ensure_owner(conn, theme_id, principal)
    first, last = _range(days, first, last)
    releases = await activity.theme_releases(conn, theme_id)
    if version is not None and version not in releases:
        raise _unknown_release(theme_id, version)
    rows = {row["day"]: row for row in await activity.daily_series(conn, theme_id, first, last, version)}
    series = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        row = rows.get(day)
        series.append(
            DailyCount(day=day, views=0, downloads=0, installs=0)
            if row is None
            else DailyCount.model_validate(row)
        )
    totals = AnalyticsTotals(
        views=sum(d.views for d in series),
        downloads=sum(d.downloads for d in series),
        installs=sum(d.installs for d in series),
    )
    return AnalyticsReport(
        theme_id=theme_id,
        version=version,
        first_day=first,
        last_day=last,
        days=series,
        totals=totals,
        versions=releases,
        rank=await _rank(conn, services, theme_id),
    )


def _range(days: int | None, first: date | None, last: date | None) -> tuple[date, date]:
    """The (first, last) UTC days asked for; refuses a mix of ``days`` and dates, or a bad range."""
    if first is None and last is None:
        today = datetime.now(UTC).date()
        return today - timedelta(days=(days or 30) - 1), today
    if days is not None:
        raise ApiError(422, "invalid_range", "Give either `days` or `from` and `to`, not both.")
    if first is None or last is None:
        raise ApiError(422, "invalid_range", "Give both `from` and `to` (UTC days, YYYY-MM-DD).")
    if first > last:
        raise ApiError(422, "invalid_range", f"`from` ({first}) is after `to` ({last}).")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ApiError(422, "invalid_range", f"A range covers at most {MAX_RANGE_DAYS} days.")
    return first, last


async def _ensure_release(conn: ConnDep, theme_id: UUID, version: str | None) -> None:
    if version is not None and version not in await activity.theme_releases(conn, theme_id):
        raise _unknown_release(theme_id, version)


def _unknown_release(theme_id: UUID, version: str) -> ApiError:
    return ApiError(422, "unknown_version", f"{version} is not a registered release of theme {theme_id}.")


async def _rank(conn: ConnDep, services: Services, theme_id: UUID) -> PopularityRank:
    """The theme's place in ``popular:themes``; from PostgreSQL (and a rebuild started) when Redis lost it."""
    found = await services.cache.popular_rank(str(theme_id))
    if found is not None:
        return PopularityRank(position=found.position, score=found.score, ranked=found.ranked, source="redis")
    ranking = await services.cache.popular(1)
    if ranking is not None and not ranking.complete:
        await _rebuild_ranking(conn, services)
    scored = await activity.popularity_rank_from_db(conn, theme_id)
    return PopularityRank(source="postgres", **scored)


async def _rebuild_ranking(conn: ConnDep, services: Services) -> None:
    """Rebuild the lost ranking from PostgreSQL: only the one request (of all instances) holding the lock."""
    if await services.cache.try_lock(REBUILD_LOCK, REBUILD_LOCK_S):
        try:
            again = await services.cache.popular(1)  # a rebuild may have finished since our read
            if again is not None and not again.complete:
                await services.cache.store_popular(await activity.popularity_scores(conn))
        finally:  # a rebuild that failed may be retried at once; the lock's TTL covers a crash
            await services.cache.unlock(REBUILD_LOCK)


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
        await _rebuild_ranking(conn, services)
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
