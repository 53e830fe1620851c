"""HTTP route of the audit log: GET /api/audit (admins, or a token with the `admin` scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from objectry.audit import service
from objectry.web.context import Ctx
from objectry.web.pagination import Cursor, Limit, page_request

router = APIRouter(prefix="/api/audit", tags=["audit"])
Text = Annotated[str | None, Query()]


@router.get("")
async def list_audit(ctx: Ctx, limit: Limit = None, cursor: Cursor = None, actor: Text = None,
                     kind: Text = None, action: Text = None, since: Text = None,
                     until: Text = None) -> Any:
    ctx.principal.require("admin")
    settings = ctx.state.settings
    paging = page_request(limit, cursor, default=settings.default_page_size,
                          cap=settings.max_page_size, key="at")
    chosen = service.filters(actor=actor, kind=kind, action=action, since=since, until=until)
    return await service.list_(ctx, chosen, paging)
