"""Typed dependencies: services, the request's one pooled connection, the caller, and role checks.

A request holds at most one pooled connection, whatever it needs: :class:`RequestDb` takes it on first use and
gives it back when the request ends, and FastAPI builds it once per request, so authentication and the route
share it. (Before, a route held one connection while authentication waited for a second: about ten concurrent
authenticated requests deadlocked the pool until its timeout.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
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
from backend.ratelimit import WindowCounters
from backend.security import FailedAuthLimiter, token_prefix
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
    event_counters: WindowCounters  # analytics ingest limits (per token, per address)
    signer: Signer  # signs release manifests; ephemeral when SIGNING_KEY is unset


async def get_services(request: Request) -> Services:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop per request.
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


class RequestDb:
    """The request's pooled connection, taken on first use (a cached read may need none)."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._lease: AbstractAsyncContextManager[AsyncConnection[DictRow]] | None = None
        self._conn: AsyncConnection[DictRow] | None = None

    async def connection(self) -> AsyncConnection[DictRow]:
        if self._conn is None:
            lease = self._pool.connection()
            self._conn = await lease.__aenter__()
            self._lease = lease
        return self._conn

    async def release(self, exc: BaseException | None) -> None:
        lease, self._lease, self._conn = self._lease, None, None
        if lease is not None:
            await lease.__aexit__(type(exc) if exc else None, exc, exc.__traceback__ if exc else None)


async def get_request_db(services: ServicesDep) -> AsyncIterator[RequestDb]:
    db = RequestDb(services.pool)
    try:
        yield db
    except BaseException as exc:
        await db.release(exc)  # the pool rolls back / discards a connection whose request failed
        raise
    else:
        await db.release(None)


RequestDbDep = Annotated[RequestDb, Depends(get_request_db)]


async def get_conn(db: RequestDbDep) -> AsyncConnection[DictRow]:
    return await db.connection()


ConnDep = Annotated[AsyncConnection[DictRow], Depends(get_conn)]


def client_ip(request: Request) -> str:
    # backend.api.client_address rewrote the peer to the client a trusted proxy names (FORWARDED_ALLOW_IPS).
    return request.client.host if request.client else "unknown"


async def optional_principal(request: Request, services: ServicesDep, db: RequestDbDep) -> Principal | None:
    """The caller, or None without an Authorization header. A bad token is 401, and counts as a failure.

    Failures count per client address and per token prefix; either past the limit is 429 before any database
    work. A token not of our shape is refused without a query.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    address = client_ip(request)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    prefix = token_prefix(token) if scheme.lower() == "bearer" else None
    wait = await services.limiter.retry_after(address, prefix)
    if wait:
        raise ApiError(
            429,
            "too_many_failed_logins",
            "Too many failed authentications; try later.",
            headers={"Retry-After": str(wait)},
        )
    principal = None
    if prefix is not None:
        principal = await authenticate(await db.connection(), token)
    if principal is None:
        await services.limiter.record_failure(address, prefix)
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
