"""The consumer loader's beacon: anonymous ``view`` events from web pages, sent by ``navigator.sendBeacon``.

A page cannot hold an API token, so this route takes none. What keeps it honest instead:

- only pages of the origins in ``CORS_ORIGINS`` may send (their browser sets ``Origin``; a request naming
  another origin, or none, is refused: CORS headers alone would not stop a simple POST from being stored);
- only ``view`` events, of published themes and registered versions (a batch naming anything else is
  refused whole);
- a limit of events per client address and window (``BEACON_ADDRESS_LIMIT``, shared through Redis);
- one view per theme, address and UTC day, the address kept only as a salted hash (``backend.db.beacon``).

The body is ``text/plain`` JSON: a ``Blob`` of type ``application/json`` is not CORS-safelisted, so the
browser would preflight it, and ``sendBeacon`` cannot. It is read up to ``BEACON_MAX_BYTES`` and parsed
strictly (no duplicate keys, no NaN, no extra fields).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError

from backend.api.constants import API_PREFIX
from backend.api.deps import ConnDep, ServicesDep, client_ip
from backend.api.errors import ApiError
from backend.api.schemas import BeaconBatch, IngestResult
from backend.db import beacon

router = APIRouter(prefix=API_PREFIX, tags=["analytics"])
_CONTENT_TYPES = frozenset({"text/plain", "application/json"})


@router.post(
    "/analytics/beacon",
    response_model=IngestResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": BeaconBatch.model_json_schema()}},
        }
    },
    responses={
        403: {"description": "The request's Origin is not one of CORS_ORIGINS."},
        413: {"description": "The body is larger than BEACON_MAX_BYTES."},
        415: {"description": "Not text/plain (or application/json)."},
        422: {"description": "Not a batch of views, too many events, or a theme/version not published."},
        429: {"description": "This address sent too many events in the window (Retry-After)."},
    },
)
async def beacon_views(request: Request, conn: ConnDep, services: ServicesDep) -> IngestResult:
    """Store a batch of anonymous views; each counts once per (theme, client address, UTC day)."""
    settings = services.settings
    origin = request.headers.get("origin")
    if origin is None or not _allowed(origin, settings.cors_origins):
        raise ApiError(403, "origin_not_allowed", "This origin may not send views (see CORS_ORIGINS).")
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in _CONTENT_TYPES:
        raise ApiError(415, "unsupported_media_type", "Send the batch as text/plain JSON.")
    batch = _parse(await _read_limited(request, settings.beacon_max_bytes))
    if len(batch.events) > settings.beacon_max_events:
        raise ApiError(422, "batch_too_large", f"At most {settings.beacon_max_events} events per beacon.")
    wait = await services.event_counters.charge(
        {f"beacon:{client_ip(request)}": settings.beacon_address_limit}, len(batch.events)
    )
    if wait:
        raise ApiError(
            429, "rate_limited", "Too many views; retry later.", headers={"Retry-After": str(wait)}
        )
    views = [beacon.View(e.theme_id, e.version) for e in batch.events]
    refused = await beacon.unknown_views(conn, views)
    if refused:
        raise ApiError(
            422,
            "unknown_theme",
            f"No published theme/version {beacon.describe(refused)}; nothing was stored.",
        )
    stored = await beacon.ingest_views(conn, client_ip(request), views)
    return IngestResult(accepted=stored, dropped=len(views) - stored)


def _allowed(origin: str, allowed: list[str]) -> bool:
    return "*" in allowed or origin in allowed


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "payload_too_large", f"A beacon is at most {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, "payload_too_large", f"A beacon is at most {limit} bytes.")
    return bytes(body)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse(body: bytes) -> BeaconBatch:
    try:
        data = json.loads(
            body.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constants
        )
        return BeaconBatch.model_validate(data)
    except (UnicodeDecodeError, ValueError, ValidationError, RecursionError):
        # ValidationError and JSONDecodeError are ValueErrors; the input is never echoed back.
        raise ApiError(422, "invalid_beacon", "The body is not a JSON batch of view events.") from None
