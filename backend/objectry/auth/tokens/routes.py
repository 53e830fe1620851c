"""HTTP routes of /api/tokens (rules in tokens/service.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from objectry.auth import schemas as s
from objectry.auth.tokens import service as tokens
from objectry.web.bodies import body, documented
from objectry.web.context import Ctx
from objectry.web.pagination import Cursor, Limit, paging
from objectry.web.responses import JSONResponse

router = APIRouter(prefix="/api/tokens", tags=["tokens"])


@router.post("", status_code=201, openapi_extra=documented(s.TokenCreate))
async def create_token(ctx: Ctx, request: Request) -> Any:
    created = await tokens.create(tokens.managing(ctx), await body(request, s.TokenCreate))
    # The only response that ever carries the secret: keep it out of every cache.
    return JSONResponse(created, status_code=201, headers={"Cache-Control": "no-store"})


@router.get("")
async def list_tokens(ctx: Ctx, limit: Limit = None, cursor: Cursor = None) -> Any:
    settings = tokens.managing(ctx).state.settings
    return await tokens.list_(ctx, paging(settings, limit, cursor))


@router.delete("/{token_id}", status_code=204)
async def revoke_token(ctx: Ctx, token_id: str) -> Response:
    await tokens.revoke(tokens.managing(ctx), token_id)
    return Response(status_code=204)
