"""Typed dependencies: services, a pooled connection, the caller, and role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from backend.api.errors import ApiError, forbidden
from backend.cache import Cache
from backend.config import Settings
from backend.db.pool import Pool
from backend.db.users import Principal, authenticate
from backend.metrics import Metrics
from backend.security import FailedAuthLimiter
from backend.signing import Signer


@dataclass
class Services:
    """Everything a request may use; built once per process in the lifespan, none of it request state."""

    settings: Settings
    pool: Pool
    cache: Cache
    metrics: Metrics
    limiter: FailedAuthLimiter
    storage: Any  # backend.storage.ObjectStorage when configured, else None
    signer: Signer  # signs release manifests; ephemeral when SIGNING_KEY is unset


async def get_services(request: Request) -> Services:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop per request.
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_conn(services: ServicesDep) -> AsyncIterator[AsyncConnection[DictRow]]:
    async with services.pool.connection() as conn:
        yield conn


ConnDep = Annotated[AsyncConnection[DictRow], Depends(get_conn)]


def client_ip(request: Request) -> str:
    # uvicorn rewrites client from X-Forwarded-For only for trusted proxies (FORWARDED_ALLOW_IPS).
    return request.client.host if request.client else "unknown"


async def optional_principal(request: Request, services: ServicesDep) -> Principal | None:
    """The caller, or None without an Authorization header. A bad token is 401, and counts as a failure."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    ip = client_ip(request)
    wait = await services.limiter.retry_after(ip)
    if wait:
        raise ApiError(
            429,
            "too_many_failed_logins",
            "Too many failed authentications; try later.",
            headers={"Retry-After": str(wait)},
        )
    scheme, _, token = header.partition(" ")
    principal = None
    if scheme.lower() == "bearer" and 0 < len(token) <= 200:
        async with services.pool.connection() as conn:
            principal = await authenticate(conn, token.strip())
    if principal is None:
        await services.limiter.record_failure(ip)
        raise ApiError(
            401,
            "unauthorized",
            "Missing, unknown, expired or revoked token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def current_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise ApiError(
            401, "unauthorized", "This route needs a bearer token.", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: str) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency that admits the given roles (admin always)."""
    allowed = frozenset(roles) | {"admin"}

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise forbidden()
        return principal

    return check


AuthorPrincipal = Annotated[Principal, Depends(require_role("author"))]
ReviewerPrincipal = Annotated[Principal, Depends(require_role("reviewer"))]
