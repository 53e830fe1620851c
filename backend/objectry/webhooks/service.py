"""Webhook rules: who may manage them, what a webhook may name (events, objects, filter, URL),
its secret (shown on create and rotation only), its delivery log, retry and test ping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from objectry.audit.recorder import changed, record
from objectry.db.tenancy import one, tx
from objectry.errors import Conflict, Detail, NotFound, ValidationFailed, detail
from objectry.ids import looks_like, new_id
from objectry.metadata.model import Snapshot
from objectry.records import query
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page
from objectry.webhooks import addresses, payload, repo, signing
from objectry.webhooks.matching import TYPES, filter_plan, parsed_filter
from objectry.webhooks.schemas import WebhookCreate, WebhookUpdate
from objectry.webhooks.worker import Worker

_SHOWN = ("id", "name", "url", "events", "filter", "active", "disabled_reason",
          "failing_since", "created_at", "updated_at")
_DELIVERY = ("id", "webhook_id", "event_id", "type", "status", "attempts", "last_status_code",
             "last_error", "duration_ms", "next_attempt_at", "created_at")
# What the audit log compares when a webhook changes (never its secret: a rotation is a flag).
_AUDITED = ("name", "url", "events", "object_ids", "filter", "active")
_TYPES = {**TYPES, "test": payload.TEST}  # an outbox op → the type its deliveries list


def _admin(ctx: Context) -> None:
    ctx.principal.require("admin")


def _worker(ctx: Context) -> Worker:
    worker = ctx.state.webhooks
    assert worker is not None, "the webhook worker starts with the app"
    return worker


def _shown(snapshot: Snapshot, row: Mapping[str, Any], secret: bool = False) -> dict[str, Any]:
    by_id = snapshot.objects_by_id
    out = {key: row[key] for key in _SHOWN}
    out["objects"] = [by_id[o].name for o in row["object_ids"] if o in by_id]
    if secret:
        out["secret"] = row["secret"]
    return out


async def _checked(ctx: Context, snapshot: Snapshot, values: dict[str, Any],
                   url_changed: bool) -> None:
    """Every problem of the merged values at once (422): the URL, objects and filter. Object
    names become ids in `values["object_ids"]`."""
    problems: list[Detail] = []
    if url_changed:
        try:
            await addresses.resolve(values["url"],
                                    allow_private=ctx.state.settings.webhook_allow_private)
        except addresses.Refused as refused:
            problems.append(detail("url", "not_allowed", str(refused)))
    ids = []
    for n, name in enumerate(values.pop("objects") or []):
        obj = snapshot.object(name)
        if obj is None:
            problems.append(detail(f"objects.{n}", "not_found",
                                   f"no object {name!r} in this workspace"))
        elif obj.id not in ids:
            ids.append(obj.id)
    values["object_ids"] = ids
    if values["filter"]:
        problems += _filter_problems(snapshot, ids, values["filter"])
    if problems:
        raise ValidationFailed(problems)


def _filter_problems(snapshot: Snapshot, object_ids: list[str], text: str) -> list[Detail]:
    """The filter must read as a /rest/v1 filter, and compile against each named object (with
    no objects, against none in particular: an event's object without its columns does not
    match)."""
    try:
        parsed_filter(text)
        for object_id in object_ids:
            filter_plan(snapshot, snapshot.objects_by_id[object_id], text)
    except query.QueryError as bad:
        said = "; ".join(dict.fromkeys([bad.message] + [d["message"] for d in bad.details]))
        return [detail("filter", "invalid", said)]
    return []


async def create(ctx: Context, body: WebhookCreate) -> dict[str, Any]:
    _admin(ctx)
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    values = body.model_dump()
    values["filter"] = values["filter"] or None
    await _checked(ctx, snapshot, values, url_changed=True)
    values.update(tenant_id=ctx.tenant_id, id=new_id("whk"), secret=signing.new_secret(),
                  created_by=ctx.principal.actor, events=sorted(set(values["events"])))
    async with tx(ctx) as conn:
        await record(conn, ctx, "webhook", "created", values["id"], values["name"])
        row = await repo.insert(conn, values)
    return _shown(snapshot, row, secret=True)


async def _must_find(conn: Any, ctx: Context, webhook_id: str, *, for_update: bool = False
                     ) -> Any:
    row = await repo.get(conn, ctx.tenant_id, webhook_id, for_update=for_update) \
        if looks_like("whk", webhook_id) else None
    if row is None:
        raise NotFound(f"no webhook {webhook_id!r} in this workspace")
    return row


async def get(ctx: Context, webhook_id: str) -> dict[str, Any]:
    _admin(ctx)
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    async with one(ctx) as conn:
        return _shown(snapshot, await _must_find(conn, ctx, webhook_id))


async def list_(ctx: Context, request: PageRequest) -> dict[str, Any]:
    _admin(ctx)
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    async with one(ctx) as conn:
        rows = await repo.list_page(conn, ctx.tenant_id, request)
    return page([_shown(snapshot, r) for r in rows], request)


async def update(ctx: Context, webhook_id: str, body: WebhookUpdate) -> dict[str, Any]:
    _admin(ctx)
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    change = body.model_dump(exclude_unset=True)
    rotate = change.pop("rotate_secret", False)
    async with tx(ctx) as conn:
        row = await _must_find(conn, ctx, webhook_id, for_update=True)
        values = dict(row)
        values["objects"] = [snapshot.objects_by_id[o].name for o in row["object_ids"]
                             if o in snapshot.objects_by_id]
        values.update({k: v for k, v in change.items() if v is not None or k == "filter"})
        values["filter"] = values["filter"] or None
        if "events" in change and change["events"] is not None:
            values["events"] = sorted(set(change["events"]))
        await _checked(ctx, snapshot, values, url_changed=values["url"] != row["url"])
        if change.get("active") and not row["active"]:  # turned on again: a fresh start
            values.update(failing_since=None, disabled_reason=None)
        if rotate:
            values["secret"] = signing.new_secret()
        await record(conn, ctx, "webhook", "updated", row["id"], values["name"], {
            **changed(row, {k: values[k] for k in _AUDITED}),
            **({"secret_rotated": [False, True]} if rotate else {})})
        updated = await repo.update(conn, ctx.tenant_id, row["id"], values)
    return _shown(snapshot, updated, secret=rotate)


async def delete(ctx: Context, webhook_id: str) -> None:
    _admin(ctx)
    async with tx(ctx) as conn:
        row = await _must_find(conn, ctx, webhook_id, for_update=True)
        await record(conn, ctx, "webhook", "deleted", row["id"], row["name"])
        await repo.delete(conn, ctx.tenant_id, row["id"])


def _delivery(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _TYPES[row["op"]] if key == "type" else row[key] for key in _DELIVERY}


async def deliveries(ctx: Context, webhook_id: str, request: PageRequest) -> dict[str, Any]:
    _admin(ctx)
    async with tx(ctx) as conn:  # one snapshot: a webhook deleted meanwhile is a 404
        await _must_find(conn, ctx, webhook_id)
        rows = await repo.deliveries_page(conn, ctx.tenant_id, webhook_id, request)
    return page([_delivery(r) for r in rows], request)


async def _delivery_now(ctx: Context, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    async with one(ctx) as conn:
        row = await repo.get_delivery(conn, ctx.tenant_id, webhook_id, delivery_id)
    if row is None:  # the webhook was deleted while its delivery was being sent
        raise NotFound(f"no webhook {webhook_id!r} in this workspace")
    return _delivery(row)


async def test(ctx: Context, webhook_id: str) -> dict[str, Any]:
    """A `webhook.test` event sent now, once (no retries, no effect on deactivation). Its
    delivery is written leased, so the worker leaves it alone unless this process dies."""
    _admin(ctx)
    delivery_id = new_id("dlv")
    async with tx(ctx) as conn:
        row = await _must_find(conn, ctx, webhook_id)
        seq = await repo.insert_event(conn, ctx.tenant_id, new_id("evt"), "test",
                                      payload.test_event(row["id"]))
        await repo.insert_deliveries(conn, ctx.tenant_id, [delivery_id], [row["id"]], [seq],
                                     [None], lease_seconds=ctx.state.settings.webhook_lease_seconds)
        leased = await repo.leased(conn, ctx.tenant_id, delivery_id)
    await _worker(ctx).attempt(ctx.tenant_id, leased, retries=False, health=False)
    return await _delivery_now(ctx, webhook_id, delivery_id)


async def retry(ctx: Context, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    """One more attempt of the delivery now; a failure of a failed delivery stays final."""
    _admin(ctx)
    lease = ctx.state.settings.webhook_lease_seconds
    async with one(ctx) as conn:
        await _must_find(conn, ctx, webhook_id)
        existing = await repo.get_delivery(conn, ctx.tenant_id, webhook_id, delivery_id) \
            if looks_like("dlv", delivery_id) else None
        if existing is None:
            raise NotFound(f"no delivery {delivery_id!r} of this webhook")
        if existing["status"] == "pending" and existing["next_attempt_at"] is None:
            raise Conflict("this delivery waits for an earlier event of its record; it is sent"
                           " once that one has succeeded or failed")
        claimed = await repo.claim_one(conn, ctx.tenant_id, webhook_id, delivery_id, lease)
    if claimed is None:
        raise Conflict("an attempt of this delivery is in flight; try again when it ends")
    await _worker(ctx).attempt(ctx.tenant_id, claimed, retries=claimed["status"] == "pending")
    return await _delivery_now(ctx, webhook_id, delivery_id)
