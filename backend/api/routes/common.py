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


def encode_sort_cursor(sort: str, key: Any, theme_id: UUID) -> str:
    """The cursor after a row of a listing in ``sort`` order; it names its order, so it fits no other one.

    ``updated`` keeps the original format (cursors issued before sort orders existed stay valid).
    """
    if sort == "updated":
        return encode_cursor(key, theme_id)
    value = key.isoformat() if isinstance(key, datetime) else str(int(key))
    return base64.urlsafe_b64encode(f"{sort}|{value}|{theme_id}".encode()).decode().rstrip("=")


def decode_sort_cursor(cursor: str, sort: str) -> tuple[Any, UUID]:
    """(sort key, id) from a cursor issued for ``sort``.

    Raises:
        ApiError: 422 ``invalid_cursor`` for a malformed cursor or one issued for another sort order.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        raise ApiError(422, "invalid_cursor", "The cursor is not one this API issued.") from None
    parts = raw.split("|")
    if len(parts) == 2:
        if sort != "updated":
            raise ApiError(422, "invalid_cursor", f"This cursor belongs to another sort order than {sort}.")
        return decode_cursor(cursor)
    if len(parts) != 3 or parts[0] != sort:
        raise ApiError(422, "invalid_cursor", f"This cursor belongs to another sort order than {sort}.")
    try:
        key: Any
        if sort == "new":
            key = datetime.fromisoformat(parts[1])
            if key.tzinfo is None:
                raise ValueError("naive timestamp")
        else:
            key = int(parts[1])
        return key, UUID(parts[2])
    except ValueError:
        raise ApiError(422, "invalid_cursor", "The cursor is not one this API issued.") from None
