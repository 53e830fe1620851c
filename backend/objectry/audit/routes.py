"""HTTP route of the audit log: GET /api/audit (admins, or a token with the `admin` scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from objectry.audit import service
from objectry.audit.recorder import KINDS
from objectry.web.context import Ctx
from objectry.web.pagination import Cursor, Limit, paging

router = APIRouter(prefix="/api/audit", tags=["audit"])
Actor = Annotated[str | None, Query(description="a user id, an API token id or an e-mail")]
Kind = Annotated[str | None, Query(description="kinds, comma-separated: " + ", ".join(KINDS))]
Action = Annotated[str | None, Query(description="actions, comma-separated (created, …)")]
Since = Annotated[str | None, Query(description="ISO 8601, inclusive (no offset: UTC)")]
Until = Annotated[str | None, Query(description="ISO 8601, exclusive (no offset: UTC)")]


@router.get("")
async def list_audit(ctx: Ctx, limit: Limit = None, cursor: Cursor = None, actor: Actor = None,
                     kind: Kind = None, action: Action = None, since: Since = None,
                     until: Until = None) -> Any:
    """Who changed the schema, members, invitations, tokens and webhooks: newest first."""
    ctx.principal.require("admin")
    page = paging(ctx.state.settings, limit, cursor, key="at")
    chosen = service.filters(actor=actor, kind=kind, action=action, since=since, until=until)
    return await service.list_(ctx, chosen, page)
