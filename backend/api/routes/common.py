"""Helpers shared by the routers: ownership checks, visibility, keyset cursors."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from backend.api.errors import ApiError, forbidden, not_found
from backend.db import themes as themes_db
from backend.db.users import Principal


async def ensure_owner(
    conn: AsyncConnection[DictRow], theme_id: UUID, principal: Principal, *, admin_too: bool = True
) -> None:
    """404 when the theme does not exist, 403 unless the caller authored it (or is an admin, if allowed)."""
    owner = await themes_db.theme_owner(conn, theme_id)
    if owner is None:
        raise not_found()
    if owner != principal.user_id and not (admin_too and principal.role == "admin"):
        raise forbidden("Only the theme's author may do this.")


def may_see_unpublished(theme: dict[str, Any], principal: Principal | None) -> bool:
    if principal is None:
        return False
    return principal.role in ("admin", "reviewer") or str(principal.user_id) == str(theme["author_id"])


def encode_cursor(updated_at: datetime, theme_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{theme_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None:
            raise ValueError("naive timestamp")
        return when, UUID(ident)
    except ValueError:
        raise ApiError(422, "invalid_cursor", "The cursor is not one this API issued.") from None
