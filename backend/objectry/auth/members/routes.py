"""HTTP routes of workspace members and invitations: /api/workspaces/{id}/members (inviting is
POST …/members), …/invitations, and /api/invitations/accept (rules in members/service.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from objectry.auth import schemas as s
from objectry.auth.members import service as members
from objectry.web.bodies import body, documented
from objectry.web.context import Ctx
from objectry.web.openapi import errors
from objectry.web.pagination import paging
from objectry.web.responses import JSONResponse

router = APIRouter()
WORKSPACE = "/api/workspaces/{workspace_id}"


@router.get(WORKSPACE + "/members", tags=["members"])
async def list_members(ctx: Ctx, workspace_id: str) -> Any:
    return await members.list_(ctx, workspace_id)


@router.patch(WORKSPACE + "/members/{user_id}", tags=["members"],
              openapi_extra=documented(s.MemberUpdate))
async def update_member(ctx: Ctx, workspace_id: str, user_id: str, request: Request) -> Any:
    return await members.update(members.managing(ctx, workspace_id), user_id,
                                await body(request, s.MemberUpdate))


@router.delete(WORKSPACE + "/members/{user_id}", status_code=204, tags=["members"])
async def remove_member(ctx: Ctx, workspace_id: str, user_id: str) -> Response:
    await members.remove(ctx, workspace_id, user_id)
    return Response(status_code=204)


@router.post(WORKSPACE + "/members", status_code=201, tags=["invitations"],
             openapi_extra=documented(s.MemberAdd))
async def invite(ctx: Ctx, workspace_id: str, request: Request) -> Any:
    managing = members.managing(ctx, workspace_id)
    base_url = ctx.state.settings.public_url or str(request.base_url)
    invited = await members.invite(managing, await body(request, s.MemberAdd), base_url)
    # It carries the token, shown this once: keep it out of every cache.
    return JSONResponse(invited, status_code=201, headers={"Cache-Control": "no-store"})


@router.get(WORKSPACE + "/invitations", tags=["invitations"])
async def list_invitations(ctx: Ctx, workspace_id: str,
                           limit: Annotated[int | None, Query()] = None,
                           cursor: Annotated[str | None, Query()] = None) -> Any:
    settings = members.managing(ctx, workspace_id).state.settings
    return await members.list_invitations(ctx, paging(settings, limit, cursor))


@router.delete(WORKSPACE + "/invitations/{invitation_id}", status_code=204,
               tags=["invitations"])
async def revoke_invitation(ctx: Ctx, workspace_id: str, invitation_id: str) -> Response:
    await members.revoke_invitation(members.managing(ctx, workspace_id), invitation_id)
    return Response(status_code=204)


@router.post("/api/invitations/accept", tags=["invitations"], responses=errors(404),
             openapi_extra=documented(s.InvitationAccept))
async def accept_invitation(ctx: Ctx, request: Request) -> Any:
    return await members.accept(ctx, (await body(request, s.InvitationAccept)).token)
