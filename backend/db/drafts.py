"""Drafts and reviews, with the state machine enforced in the UPDATE itself (race-free)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import DictRow

_COLUMNS = (
    "id, theme_id, author_id, revision, object_key, sha256, size, status, reviewer_id, comment, "
    "created_at, updated_at, submitted_at, reviewed_at"
)

# from-state -> allowed to-states. Anything else is 409.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"in_review"}),
    "in_review": frozenset({"approved", "changes_requested"}),
    "approved": frozenset(),
    "changes_requested": frozenset(),
}


def draft_key(theme_id: UUID, user_id: UUID, revision: int) -> str:
    """The object key of a draft's stylesheet (DESIGN section 2)."""
    return f"themes-drafts/{theme_id}/{user_id}/{revision}/theme.css"


async def create_draft(
    conn: AsyncConnection[DictRow], theme_id: UUID, author_id: UUID, *, sha256: str, size: int
) -> dict[str, Any]:
    """A new revision (max + 1) in state ``draft``; the theme row lock orders concurrent submissions."""
    async with conn.transaction():
        await conn.execute("SELECT id FROM themes WHERE id = %s FOR UPDATE", (theme_id,))
        cur = await conn.execute(
            "SELECT COALESCE(max(revision), 0) + 1 AS next FROM drafts WHERE theme_id = %s", (theme_id,)
        )
        row = await cur.fetchone()
        assert row is not None
        revision = int(row["next"])
        cur = await conn.execute(
            "INSERT INTO drafts (theme_id, author_id, revision, object_key, sha256, size) "
            f"VALUES (%s, %s, %s, %s, %s, %s) RETURNING {_COLUMNS}",
            (theme_id, author_id, revision, draft_key(theme_id, author_id, revision), sha256, size),
        )
        draft = await cur.fetchone()
    assert draft is not None
    return draft


async def get_draft(conn: AsyncConnection[DictRow], draft_id: UUID) -> dict[str, Any] | None:
    cur = await conn.execute(f"SELECT {_COLUMNS} FROM drafts WHERE id = %s", (draft_id,))
    return await cur.fetchone()


async def awaiting_review(conn: AsyncConnection[DictRow], limit: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM drafts WHERE status = 'in_review' ORDER BY submitted_at, id LIMIT %s",
        (limit,),
    )
    return await cur.fetchall()


async def list_for_theme(conn: AsyncConnection[DictRow], theme_id: UUID) -> list[dict[str, Any]]:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM drafts WHERE theme_id = %s ORDER BY revision DESC", (theme_id,)
    )
    return await cur.fetchall()


async def transition(
    conn: AsyncConnection[DictRow],
    draft_id: UUID,
    to_state: str,
    *,
    reviewer_id: UUID | None = None,
    comment: str | None = None,
) -> dict[str, Any] | None:
    """Move a draft to ``to_state`` if its current state allows it; None when it does not (or it is gone)."""
    sources = [state for state, targets in TRANSITIONS.items() if to_state in targets]
    stamp = "submitted_at = now()" if to_state == "in_review" else "reviewed_at = now()"
    cur = await conn.execute(
        f"UPDATE drafts SET status = %s, {stamp}, updated_at = now(), "
        "reviewer_id = COALESCE(%s, reviewer_id), comment = COALESCE(%s, comment) "
        f"WHERE id = %s AND status = ANY(%s) RETURNING {_COLUMNS}",
        (to_state, reviewer_id, comment, draft_id, sources),
    )
    return await cur.fetchone()


async def get_review(conn: AsyncConnection[DictRow], draft_id: UUID) -> dict[str, Any] | None:
    """A draft with its reviewer's name (``reviewer``), for pinning a release to an approved draft."""
    cur = await conn.execute(
        f"SELECT {', '.join('d.' + c.strip() for c in _COLUMNS.split(','))}, u.name AS reviewer "
        "FROM drafts d LEFT JOIN users u ON u.id = d.reviewer_id WHERE d.id = %s",
        (draft_id,),
    )
    return await cur.fetchone()
