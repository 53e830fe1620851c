"""HTTP routes of /api/workspaces/{id}/members (see auth/members.py for the rules; POST, an
invitation, is in auth/invitation_routes.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from objectry.auth import members
from objectry.auth import schemas as s
from objectry.web.bodies import body
from objectry.web.context import Ctx

router = APIRouter(prefix="/api/workspaces/{workspace_id}/members", tags=["members"])


@router.get("")
async def list_members(ctx: Ctx, workspace_id: str) -> Any:
    return await members.list_(ctx, workspace_id)


@router.patch("/{user_id}")
async def update_member(ctx: Ctx, workspace_id: str, user_id: str, request: Request) -> Any:
    return await members.update(members.managing(ctx, workspace_id), user_id,
                                await body(request, s.MemberUpdate))


@router.delete("/{user_id}", status_code=204)
async def remove_member(ctx: Ctx, workspace_id: str, user_id: str) -> Response:
    await members.remove(ctx, workspace_id, user_id)
    return Response(status_code=204)
