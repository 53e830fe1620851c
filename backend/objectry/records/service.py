"""One record through /api/records: create, get (with `expand`), PATCH/PUT (optimistic, the
write and its history event in one statement) and its history. Trash and restore are in
lifecycle.py, lists in listing.py, bulk writes in bulk.py."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import asyncpg

from objectry import offload
from objectry.db.tenancy import one, reading
from objectry.errors import BadRequest, NotFound, ValidationFailed, VersionMismatch, detail
from objectry.ids import looks_like, new_id
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records import autonumber, changes, repo
from objectry.records.access import authorize, may, shown, unseen_readonly
from objectry.records.computed_values import with_computed
from objectry.records.conflicts import unique_conflict
from objectry.records.schemas import RecordWrite, keys
from objectry.records.shape import record_out
from objectry.records.validate import validator_for
from objectry.web.context import Context


async def object_for(ctx: Context, ref: Any, *, field: str | None = None
                     ) -> tuple[Snapshot, ObjectDef]:
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    obj = snapshot.object(ref) if isinstance(ref, str) else None
    if obj is None:
        message = f"no object {ref!r} in this workspace"
        if field is not None:
            raise ValidationFailed([detail(field, "not_found", message)])
        raise NotFound(message)
    return snapshot, obj


async def create(ctx: Context, object_ref: Any, data: Any) -> dict[str, Any]:
    snapshot, obj = await object_for(ctx, object_ref, field="object")
    authorize(ctx, obj, "create")
    if not isinstance(data, dict):
        raise ValidationFailed([detail("data", "type", "must be an object of field values")])
    validator = validator_for(snapshot, obj)
    stored = await offload.run(lambda: validator.for_create(data), validator.weight(data))
    async with one(ctx) as conn:
        await autonumber.assign(conn, ctx.tenant_id, obj, [stored])
        try:
            rows = await repo.insert_many(conn, ctx.tenant_id, obj.id, [new_id("rec")], [stored],
                                          [validator.primary_value(stored)], ctx.principal.actor)
        except asyncpg.UniqueViolationError as exc:
            raise unique_conflict(obj, exc) from None
        rows = await with_computed(conn, snapshot, obj, rows)
    return shown(ctx, snapshot, obj, rows[0])


async def _live(conn: asyncpg.Connection, ctx: Context, record_id: str, *,
                for_update: bool = False) -> asyncpg.Record:
    row = await repo.get(conn, ctx.tenant_id, record_id, for_update=for_update) \
        if looks_like("rec", record_id) else None
    if row is None or row["deleted_at"] is not None:
        raise NotFound(f"no record {record_id!r} in this workspace")
    return row


async def get(ctx: Context, record_id: str, expand: list[str]) -> dict[str, Any]:
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    async with reading(ctx) as conn:
        row = await _live(conn, ctx, record_id)
        obj = snapshot.objects_by_id[row["object_id"]]
        authorize(ctx, obj, "read")
        row = (await with_computed(conn, snapshot, obj, [row]))[0]
        out = record_out(snapshot, obj, row)
        if expand:
            out["related"] = await _expand(conn, ctx, snapshot, obj, row["id"], expand)
    return out


async def _expand(conn: asyncpg.Connection, ctx: Context, snapshot: Snapshot, obj: ObjectDef,
                  record_id: str, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    by_name = {r.name: r for r in snapshot.relationships_of(obj.id)}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise BadRequest(f"unknown expand name: {', '.join(unknown)}",
                         [detail("expand", "unknown", n) for n in unknown])
    others = {name: _other_end(snapshot, by_name[name], obj) for name in names}
    for other in others.values():  # an expansion carries the other object's records
        authorize(ctx, other, "read")
    if ctx.state.settings.max_embed_depth < 1:  # an expand is one level of embedding
        raise BadRequest("embedding is limited to 0 levels", [detail("expand", "depth", n)
                                                              for n in names])
    related: dict[str, list[dict[str, Any]]] = {}
    left = ctx.state.settings.max_response_bytes  # for all expanded records together
    for name in dict.fromkeys(names):
        rel = by_name[name]
        forward = rel.from_object_id == obj.id
        rows = await repo.related(conn, ctx.tenant_id, rel.id, record_id, forward,
                                  ctx.state.settings.max_page_size, left)
        left -= rows[-1]["_bytes"] if rows else 0
        rows = await with_computed(conn, snapshot, others[name], rows)
        related[name] = [record_out(snapshot, others[name], r) for r in rows]
    return related


def _other_end(snapshot: Snapshot, rel: Any, obj: ObjectDef) -> ObjectDef:
    forward = rel.from_object_id == obj.id
    return snapshot.objects_by_id[rel.to_object_id if forward else rel.from_object_id]


def expected_version(if_match: str | None, body: dict[str, Any]) -> int | None:
    """`If-Match: 3`, `If-Match: "3"` (an ETag) or `version` in the body."""
    if if_match is not None:
        value = if_match.strip().removeprefix("W/").strip('"')
        if not (value.isascii() and value.isdigit()):  # "¹".isdigit() too
            raise BadRequest("If-Match must be a record version, e.g. If-Match: 3")
        return int(value)
    version = body.get("version")
    if isinstance(version, float) and version.is_integer():
        version = int(version)  # JSON Schema's integer: 3.0 is one
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValidationFailed([detail("version", "type", "must be an integer")])
    return version


_WRITE_KEYS = keys(RecordWrite)


def _checked_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise ValidationFailed([detail("data", "type", "must be an object of field values")])
    unknown = set(body) - _WRITE_KEYS
    if unknown:
        raise ValidationFailed([detail(k, "extra_forbidden", "is not a known property")
                                for k in sorted(unknown)])
    return body


# Optimistic tries before a write that keeps losing races takes the row lock instead.
_OPTIMISTIC_ATTEMPTS = 2


async def update(ctx: Context, record_id: str, body: Any, if_match: str | None, *,
                 replace: bool) -> dict[str, Any]:
    """Optimistic: read, validate, then write only if the version is still the one read (one
    statement with its history event). Two round trips, no lock held while Python works."""
    body = _checked_body(body)
    expected = expected_version(if_match, body)
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    if not replace and (done := await _patch_at_once(ctx, snapshot, record_id, body["data"],
                                                     expected)) is not None:
        return done
    async with one(ctx) as conn:
        for attempt in range(_OPTIMISTIC_ATTEMPTS + 1):
            locked = attempt == _OPTIMISTIC_ATTEMPTS  # the last try cannot lose: it locks
            async with conn.transaction() if locked else nullcontext():
                row = await _live(conn, ctx, record_id, for_update=locked)
                obj = snapshot.objects_by_id[row["object_id"]]
                authorize(ctx, obj, "update")
                if problems := unseen_readonly(ctx, obj, body["data"]):
                    raise ValidationFailed(problems)
                if expected is not None and expected != row["version"]:
                    raise VersionMismatch(f"the record is at version {row['version']}, not "
                                          f"{expected}", headers={"ETag": f'"{row["version"]}"'})
                written = await _write_version(conn, ctx, snapshot, obj, row, body["data"],
                                               replace)
            if written is not None:
                written = (await with_computed(conn, snapshot, obj, [written]))[0]
                return shown(ctx, snapshot, obj, written)
    raise AssertionError("a locked write cannot lose its race")


async def _patch_at_once(ctx: Context, snapshot: Snapshot, record_id: str, data: dict[str, Any],
                         expected: int | None) -> dict[str, Any] | None:
    """A PATCH in one round trip, when the record's object is the only one with every field the
    patch names (`patch_plan` says when else). None: take the read-then-write path, which also
    gives every refusal (404, 403, 400) in its order; only a version mismatch is answered here."""
    obj = snapshot.only_object_with(data)
    if obj is None or not looks_like("rec", record_id):
        return None
    patch = await patch_plan(ctx, snapshot, obj, data)
    if patch is None:
        return None
    async with one(ctx) as conn:
        row = await patch_written(conn, ctx, obj, record_id, expected, patch)
        if row is None:
            return None
        written = (await with_computed(conn, snapshot, obj, [row]))[0]
    return shown(ctx, snapshot, obj, written)


@dataclass(frozen=True, slots=True)
class PatchPlan:
    """What a PATCH does to any record of its object: `for_patch`'s values set and fields
    cleared, and the primary value when the patch sets or clears the primary field."""
    sets: dict[str, Any]
    clears: list[str]
    primary_given: bool
    primary_value: str | None


async def patch_plan(ctx: Context, snapshot: Snapshot, obj: ObjectDef, data: dict[str, Any]
                     ) -> PatchPlan | None:
    """The PATCH of a record of `obj` as one statement's values, when the caller may update
    the object and the patch is valid without the record (records/validate.py for_patch): no
    read-only field, no refused value. None: the read-then-write path decides and words it."""
    if not may(ctx, obj, "update"):
        return None
    validator = validator_for(snapshot, obj)
    patch = await offload.run(lambda: validator.for_patch(data), validator.weight(data))
    if patch is None:
        return None
    sets, clears = patch
    primary = validator.primary_id
    given = primary is not None and (primary in sets or primary in clears)
    return PatchPlan(sets, clears, given, validator.primary_value(sets) if given else None)


async def patch_written(conn: asyncpg.Connection, ctx: Context, obj: ObjectDef,
                        record_id: str, expected: int | None, patch: PatchPlan
                        ) -> asyncpg.Record | None:
    """`patch` written to the live record `record_id` of `obj` with its history event, in one
    statement: the record as written. None: no such record (or it changed meanwhile); a
    version other than `expected` is a VersionMismatch, a duplicate a unique conflict."""
    try:
        written = await repo.patch_at_version(
            conn, ctx.tenant_id, obj.id, record_id, expected, patch.sets, patch.clears,
            patch.primary_given, patch.primary_value, ctx.principal.actor)
    except asyncpg.UniqueViolationError as exc:
        raise unique_conflict(obj, exc) from None
    if isinstance(written, int):  # the version the record is at
        raise VersionMismatch(f"the record is at version {written}, not {expected}",
                              headers={"ETag": f'"{written}"'})
    return written  # None: not a live record of that object (or of this workspace)


async def _write_version(conn: asyncpg.Connection, ctx: Context, snapshot: Snapshot,
                         obj: ObjectDef, row: asyncpg.Record, data: dict[str, Any],
                         replace: bool) -> asyncpg.Record | None:
    """Validate against the row read and write it if its version has not moved (else None)."""
    validator = validator_for(snapshot, obj)
    current = row["data"]
    stored = await offload.run(lambda: validator.for_replace(data, current) if replace
                               else validator.for_update(data, current), validator.weight(data))
    try:
        return await repo.update_if_version(conn, ctx.tenant_id, row["id"], row["version"],
                                            stored, validator.primary_value(stored),
                                            ctx.principal.actor, changes.diff(current, stored))
    except asyncpg.UniqueViolationError as exc:
        raise unique_conflict(obj, exc) from None


async def history(ctx: Context, record_id: str, limit: int, cursor: str | None
                  ) -> dict[str, Any]:
    before = None
    if cursor is not None:
        if not cursor.isdigit():
            raise BadRequest("the cursor is not valid; use next_cursor from a previous page")
        before = int(cursor)
    snapshot = await ctx.state.metadata.get(ctx.tenant_id)
    async with one(ctx) as conn:
        row = await repo.get(conn, ctx.tenant_id, record_id) \
            if looks_like("rec", record_id) else None
        if row is None:
            raise NotFound(f"no record {record_id!r} in this workspace")
        obj = snapshot.objects_by_id.get(row["object_id"])
        if obj is None:  # only a stale snapshot: records go with their object
            raise NotFound(f"no record {record_id!r} in this workspace")
        authorize(ctx, obj, "read")  # history carries the record's values
        events = await repo.history(conn, ctx.tenant_id, row["id"], before, limit + 1)
    items = [_link_event(ctx, snapshot, e) if e["relationship_id"] is not None else
             {"at": e["at"], "actor": e["actor"], "op": e["op"],
              "changes": changes.by_name(obj, e["changes"])} for e in events[:limit]]
    more = len(events) > limit
    return {"items": items, "next_cursor": str(events[limit - 1]["id"]) if more else None}


def _link_event(ctx: Context, snapshot: Snapshot, e: asyncpg.Record) -> dict[str, Any]:
    """A link or unlink in a record's history: the relationship as this record sees it (its
    label for the other side; name and label null once it is deleted) and the other record
    (its object's name and its current primary value, null once it is purged; the primary
    value also null for a caller who may not read that object)."""
    rel = snapshot.relationships_by_id.get(e["relationship_id"])
    label = None if rel is None else rel.to_label if e["forward"] else rel.from_label
    other = snapshot.objects_by_id.get(e["other_object_id"] or "")
    return {"at": e["at"], "actor": e["actor"], "op": e["op"], "changes": {},
            "relationship": {"id": e["relationship_id"], "name": rel.name if rel else None,
                             "label": label},
            "record": {"id": e["other_record_id"], "object": other.name if other else None,
                       "primary_value": e["other_primary_value"]
                       if other is not None and may(ctx, other, "read") else None}}
