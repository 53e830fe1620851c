"""HTTP routes of /api/webhooks (admin role or `admin` token scope: checked by the service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from objectry.web.bodies import body, documented
from objectry.web.context import Ctx
from objectry.web.pagination import Cursor, Limit, paging
from objectry.webhooks import service
from objectry.webhooks.schemas import WebhookCreate, WebhookUpdate

router = APIRouter(prefix="/api", tags=["webhooks"])


@router.get("/webhooks")
async def list_webhooks(ctx: Ctx, limit: Limit = None, cursor: Cursor = None) -> Any:
    return await service.list_(ctx, paging(ctx.state.settings, limit, cursor))


@router.post("/webhooks", status_code=201, openapi_extra=documented(WebhookCreate))
async def create_webhook(ctx: Ctx, request: Request) -> Any:
    return await service.create(ctx, await body(request, WebhookCreate))


@router.get("/webhooks/{webhook_id}")
async def get_webhook(ctx: Ctx, webhook_id: str) -> Any:
    return await service.get(ctx, webhook_id)


@router.patch("/webhooks/{webhook_id}", openapi_extra=documented(WebhookUpdate))
async def update_webhook(ctx: Ctx, webhook_id: str, request: Request) -> Any:
    return await service.update(ctx, webhook_id, await body(request, WebhookUpdate))


@router.delete("/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(ctx: Ctx, webhook_id: str) -> Response:
    await service.delete(ctx, webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/test", status_code=201)
async def test_webhook(ctx: Ctx, webhook_id: str) -> Any:
    return await service.test(ctx, webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries")
async def list_deliveries(ctx: Ctx, webhook_id: str, limit: Limit = None,
                          cursor: Cursor = None) -> Any:
    return await service.deliveries(ctx, webhook_id, paging(ctx.state.settings, limit, cursor))


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry_delivery(ctx: Ctx, webhook_id: str, delivery_id: str) -> Any:
    return await service.retry(ctx, webhook_id, delivery_id)
