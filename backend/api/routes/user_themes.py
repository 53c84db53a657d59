"""The caller's own relations to themes: favourites and installs."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from backend.api.constants import API_PREFIX
from backend.api.deps import ConnDep, CurrentPrincipal
from backend.api.errors import not_found
from backend.api.schemas import Me, Relation
from backend.db import activity

router = APIRouter(prefix=API_PREFIX, tags=["me"])
Settable = Literal["favorite", "installed"]


@router.get("/me", response_model=Me)
async def me(principal: CurrentPrincipal) -> Me:
    return Me(id=principal.user_id, email=principal.email, name=principal.name, role=principal.role)


@router.get("/me/themes", response_model=list[Relation])
async def my_themes(
    conn: ConnDep,
    principal: CurrentPrincipal,
    relation: Literal["favorite", "installed", "created"] | None = None,
) -> list[Relation]:
    rows = await activity.list_relations(conn, principal.user_id, principal.role, relation)
    return [Relation.model_validate(row) for row in rows]


@router.put("/me/themes/{theme_id}/{relation}", status_code=204)
async def add_relation(
    theme_id: UUID, relation: Settable, conn: ConnDep, principal: CurrentPrincipal
) -> Response:
    if not await activity.add_relation(conn, principal.user_id, principal.role, theme_id, relation):
        raise not_found()
    return Response(status_code=204)


@router.delete("/me/themes/{theme_id}/{relation}", status_code=204)
async def remove_relation(
    theme_id: UUID, relation: Settable, conn: ConnDep, principal: CurrentPrincipal
) -> Response:
    if not await activity.remove_relation(conn, principal.user_id, theme_id, relation):
        raise not_found("relation")
    return Response(status_code=204)
