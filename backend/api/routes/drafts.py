"""Drafts and reviews: an author submits revisions, reviewers approve or request changes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from backend.api.constants import API_PREFIX
from backend.api.deps import AuthorPrincipal, ConnDep, CurrentPrincipal, ReviewerPrincipal
from backend.api.errors import conflict, forbidden, not_found
from backend.api.routes.common import ensure_owner
from backend.api.schemas import DraftCreate, DraftPublic, Review
from backend.db import drafts as drafts_db
from backend.db import themes as themes_db

router = APIRouter(prefix=API_PREFIX, tags=["drafts"])


@router.post("/themes/{theme_id}/drafts", status_code=201, response_model=DraftPublic)
async def create_draft(
    theme_id: UUID, body: DraftCreate, conn: ConnDep, principal: AuthorPrincipal
) -> DraftPublic:
    """A new draft revision (state ``draft``); upload its stylesheet through POST /v1/drafts/{id}/grant."""
    await ensure_owner(conn, theme_id, principal)
    row = await drafts_db.create_draft(conn, theme_id, principal.user_id, sha256=body.sha256, size=body.size)
    return DraftPublic.model_validate(row)


@router.get("/themes/{theme_id}/drafts", response_model=list[DraftPublic])
async def list_theme_drafts(theme_id: UUID, conn: ConnDep, principal: CurrentPrincipal) -> list[DraftPublic]:
    owner = await themes_db.theme_owner(conn, theme_id)
    if owner is None:
        raise not_found()
    if owner != principal.user_id and principal.role not in ("reviewer", "admin"):
        raise forbidden()
    return [DraftPublic.model_validate(row) for row in await drafts_db.list_for_theme(conn, theme_id)]


@router.get("/drafts", response_model=list[DraftPublic])
async def awaiting_review(
    conn: ConnDep, _: ReviewerPrincipal, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[DraftPublic]:
    """Drafts in review, oldest submission first (reviewers)."""
    return [DraftPublic.model_validate(row) for row in await drafts_db.awaiting_review(conn, limit)]


@router.get("/drafts/{draft_id}", response_model=DraftPublic)
async def get_draft(draft_id: UUID, conn: ConnDep, principal: CurrentPrincipal) -> DraftPublic:
    row = await drafts_db.get_draft(conn, draft_id)
    if row is None:
        raise not_found("draft")
    if row["author_id"] != principal.user_id and principal.role not in ("reviewer", "admin"):
        raise forbidden()
    return DraftPublic.model_validate(row)


@router.post("/drafts/{draft_id}/submit", response_model=DraftPublic)
async def submit_draft(draft_id: UUID, conn: ConnDep, principal: AuthorPrincipal) -> DraftPublic:
    """draft -> in_review (the draft's author)."""
    row = await drafts_db.get_draft(conn, draft_id)
    if row is None:
        raise not_found("draft")
    if row["author_id"] != principal.user_id and principal.role != "admin":
        raise forbidden("Only the draft's author may submit it.")
    moved = await drafts_db.transition(conn, draft_id, "in_review")
    if moved is None:
        raise conflict("illegal_transition", f"A draft in state {row['status']!r} cannot be submitted.")
    return DraftPublic.model_validate(moved)


@router.post("/drafts/{draft_id}/review", response_model=DraftPublic)
async def review_draft(
    draft_id: UUID, body: Review, conn: ConnDep, principal: ReviewerPrincipal
) -> DraftPublic:
    """in_review -> approved | changes_requested, with a comment; nobody reviews their own draft."""
    row = await drafts_db.get_draft(conn, draft_id)
    if row is None:
        raise not_found("draft")
    if row["author_id"] == principal.user_id:
        raise forbidden("Nobody may review their own draft.")
    target = "approved" if body.decision == "approve" else "changes_requested"
    moved = await drafts_db.transition(
        conn, draft_id, target, reviewer_id=principal.user_id, comment=body.comment
    )
    if moved is None:
        raise conflict("illegal_transition", f"A draft in state {row['status']!r} cannot be reviewed.")
    return DraftPublic.model_validate(moved)
