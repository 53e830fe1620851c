"""HTTP routes of invitations: inviting (POST …/members), listing and revoking pending ones,
and accepting one while signed in (see auth/invitations.py for the rules)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from objectry.auth import invitations, members
from objectry.auth import schemas as s
from objectry.web.bodies import body
from objectry.web.context import Ctx
from objectry.web.pagination import page_request
from objectry.web.responses import JSONResponse

router = APIRouter(tags=["invitations"])
WORKSPACE = "/api/workspaces/{workspace_id}"


@router.post(WORKSPACE + "/members", status_code=201)
async def invite(ctx: Ctx, workspace_id: str, request: Request) -> Any:
    managing = members.managing(ctx, workspace_id)
    base_url = ctx.state.settings.public_url or str(request.base_url)
    invited = await invitations.invite(managing, await body(request, s.MemberAdd), base_url)
    # It carries the token, shown this once: keep it out of every cache.
    return JSONResponse(invited, status_code=201, headers={"Cache-Control": "no-store"})


@router.get(WORKSPACE + "/invitations")
async def list_invitations(ctx: Ctx, workspace_id: str,
                           limit: Annotated[int | None, Query()] = None,
                           cursor: Annotated[str | None, Query()] = None) -> Any:
    settings = members.managing(ctx, workspace_id).state.settings
    paging = page_request(limit, cursor, default=settings.default_page_size,
                          cap=settings.max_page_size)
    return await invitations.list_(ctx, paging)


@router.delete(WORKSPACE + "/invitations/{invitation_id}", status_code=204)
async def revoke_invitation(ctx: Ctx, workspace_id: str, invitation_id: str) -> Response:
    await invitations.revoke(members.managing(ctx, workspace_id), invitation_id)
    return Response(status_code=204)


@router.post("/api/invitations/accept")
async def accept_invitation(ctx: Ctx, request: Request) -> Any:
    return await invitations.accept(ctx, (await body(request, s.InvitationAccept)).token)
