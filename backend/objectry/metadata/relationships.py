"""Relationships between objects (1:1, 1:N, N:N) and the links between their records."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import fields
from typing import Any

import asyncpg

from objectry.audit.recorder import actor_of, changed, entry, record
from objectry.db import tenancy
from objectry.errors import Conflict, ValidationFailed, detail
from objectry.ids import looks_like, new_id
from objectry.metadata import repo
from objectry.metadata.changes import (
    insert_named,
    must_find,
    not_found,
    raise_if,
    reading,
    referenced,
    schema_change,
    update_named,
)
from objectry.metadata.model import RelationshipDef
from objectry.metadata.schemas import LinkCreate, RelationshipCreate, RelationshipUpdate
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page


async def create(ctx: Context, body: RelationshipCreate) -> dict[str, Any]:
    async with schema_change(ctx) as conn:
        problems: list[dict[str, Any]] = []
        source = await referenced(conn, ctx, "objects", body.from_object_id, "obj",
                                  "from_object_id", problems)
        target = await referenced(conn, ctx, "objects", body.to_object_id, "obj",
                                  "to_object_id", problems)
        raise_if(problems)
        assert source is not None and target is not None
        values = {**body.model_dump(), "tenant_id": ctx.tenant_id, "id": new_id("rel"),
                  "from_object_id": source["id"], "to_object_id": target["id"],
                  "created_by": ctx.principal.actor}
        await record(conn, ctx, "relationship", "created", values["id"], body.name)
        return await insert_named(conn, "relationships", values)


async def update(ctx: Context, ref: str, body: RelationshipUpdate) -> dict[str, Any]:
    values = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "relationships", ref, "rel", for_update=True)
        await record(conn, ctx, "relationship", "updated", row["id"],
                     values.get("name", row["name"]), changed(row, values))
        return await update_named(conn, ctx, "relationships", row, values)


async def delete(ctx: Context, ref: str) -> None:
    async with schema_change(ctx) as conn:
        row = await must_find(conn, ctx, "relationships", ref, "rel", for_update=True)
        await record(conn, ctx, "relationship", "deleted", row["id"], row["name"])
        await repo.delete(conn, "relationships", ctx.tenant_id, row["id"])


async def get(ctx: Context, ref: str) -> dict[str, Any]:
    async with reading(ctx) as conn:
        return await must_find(conn, ctx, "relationships", ref, "rel")


async def list_(ctx: Context, request: PageRequest, object_ref: str | None) -> dict[str, Any]:
    async with reading(ctx) as conn:
        either = None
        if object_ref is not None:
            object_id = (await must_find(conn, ctx, "objects", object_ref, "obj"))["id"]
            either = ("from_object_id", "to_object_id", object_id)
        rows = await repo.list_page(conn, "relationships", ctx.tenant_id, request, either=either)
    return page(rows, request)


# --- links between records (relationship_records) -------------------------------------------

_CARDINALITY = {
    "uq_relationship_records_link": "these records are already linked",
    "uq_relationship_records_one_from": "the `to` record is already linked to a `from` record"
                                        " ({type} allows one)",
    "uq_relationship_records_one_to": "the `from` record is already linked to a `to` record"
                                      " (1:1 allows one)",
}


async def _live_record(conn: asyncpg.Connection, ctx: Context, record_id: str, object_id: str,
                       field: str, problems: list[dict[str, Any]]) -> None:
    row = None
    if looks_like("rec", record_id):
        row = await repo.record_object(conn, ctx.tenant_id, record_id)
    if row is None or row["deleted_at"] is not None:
        problems.append(detail(field, "not_found", f"no record {record_id!r} in this workspace"))
    elif row["object_id"] != object_id:
        problems.append(detail(field, "wrong_object",
                               "the record is not of the relationship's object on that side"))


async def link(ctx: Context, body: LinkCreate) -> dict[str, Any]:
    """A link in one statement (its checks, the link, its events and its audit entry) when
    the relationship is in the workspace's metadata and both records are live records of its
    objects; anything else is read first, which names every problem (422) in its order."""
    rel = (await ctx.state.metadata.get(ctx.tenant_id)).relationship(body.relationship_id)
    if rel is not None and looks_like("rec", body.from_record_id) \
            and looks_like("rec", body.to_record_id):
        async with tenancy.one(ctx) as conn:
            # Inside a held transaction (an idempotent request, a template's sample links) a
            # savepoint, so that a refused statement leaves it usable for the read-first path.
            attempt = conn.transaction() if conn.is_in_transaction() else nullcontext()
            try:
                async with attempt:
                    row = await _insert(conn, ctx, body, rel)
            except asyncpg.ForeignKeyViolationError:
                row = None  # the relationship went meanwhile (stale metadata): read first
        if row is not None:
            return row
    async with tenancy.tx(ctx) as conn:
        problems: list[dict[str, Any]] = []
        found = await referenced(conn, ctx, "relationships", body.relationship_id, "rel",
                                 "relationship_id", problems)
        if found is None:
            raise ValidationFailed(problems)
        await _live_record(conn, ctx, body.from_record_id, found["from_object_id"],
                           "from_record_id", problems)
        await _live_record(conn, ctx, body.to_record_id, found["to_object_id"], "to_record_id",
                           problems)
        raise_if(problems)
        rel = RelationshipDef(**{f.name: found[f.name] for f in fields(RelationshipDef)})
        row = await _insert(conn, ctx, body, rel)
        if row is None:  # a record was trashed between the read and the write
            raise Conflict("a concurrent change got in the way; retry")
        return row


async def _insert(conn: asyncpg.Connection, ctx: Context, body: LinkCreate,
                  rel: RelationshipDef) -> dict[str, Any] | None:
    values = {**body.model_dump(), "tenant_id": ctx.tenant_id, "id": new_id("rrec"),
              "relationship_id": rel.id, "rel_type": rel.type,
              "from_object_id": rel.from_object_id, "to_object_id": rel.to_object_id,
              "created_by": ctx.principal.actor}
    try:
        return await repo.insert_link(conn, values, entry(actor_of(ctx), "link", "created",
                                                          values["id"], rel.name))
    except asyncpg.UniqueViolationError as exc:
        message = _CARDINALITY.get(exc.constraint_name or "", "already linked")
        raise Conflict(message.format(type=rel.type),
                       [detail("to_record_id", "cardinality", message.format(
                           type=rel.type))]) from None


async def unlink(ctx: Context, link_id: str) -> None:
    """The link, its events and its audit entry in one statement."""
    if looks_like("rrec", link_id):
        async with tenancy.one(ctx) as conn:
            if await repo.delete_link(conn, ctx.tenant_id, link_id, ctx.principal.actor,
                                      entry(actor_of(ctx), "link", "deleted", link_id)):
                return
    raise not_found("relationship_records", link_id)


async def get_link(ctx: Context, link_id: str) -> dict[str, Any]:
    async with reading(ctx) as conn:
        row = await must_find(conn, ctx, "relationship_records", link_id, "rrec", by_name=False)
        return row


async def list_links(ctx: Context, request: PageRequest, filters: dict[str, str]
                     ) -> dict[str, Any]:
    async with reading(ctx) as conn:
        rows = await repo.list_page(conn, "relationship_records", ctx.tenant_id, request,
                                    where=filters, extra_sql=repo.LIVE_LINK_ENDS)
    return page(rows, request)
