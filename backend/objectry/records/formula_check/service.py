"""A draft formula checked as the field would be at save time, on a throwaway copy of the
snapshot that holds it, and its value on a sample record read by the query compiler — the
same SQL (metadata/value_sql.py) a saved formula reads with, never a second evaluator."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import asyncpg

from objectry.db.tenancy import one
from objectry.errors import ValidationFailed, detail
from objectry.metadata import computed as meta
from objectry.metadata.model import FieldDef, ObjectDef, Snapshot
from objectry.records import repo
from objectry.records.access import authorize
from objectry.records.formula_check.schemas import FormulaCheck
from objectry.records.query import Column, Filter, Order, Query, plan_read, render_read
from objectry.records.service import object_for
from objectry.records.shape import rest_shaper
from objectry.web.context import Context

# A new formula's stand-ins: no field name starts with "_", so the draft shadows nothing.
DRAFT_ID, DRAFT_NAME = "fld_formula_check", "_formula_check"


async def check(ctx: Context, ref: str, body: FormulaCheck) -> dict[str, Any]:
    ctx.principal.require("schema:read")
    snapshot, obj = await object_for(ctx, ref)
    authorize(ctx, obj, "read")  # the preview shows a record's values
    edited = _edited(obj, body.field)
    draft_snapshot, draft = _with_draft(snapshot, obj, edited, body.expression, body.result_type)
    problems = meta.field_problems(draft_snapshot, draft_snapshot.objects_by_id[obj.id], draft)
    if problems:
        raise ValidationFailed([{**p, "field": p["field"].removeprefix("config.")}
                                for p in problems])
    checked = meta.checked_formula(draft_snapshot, draft_snapshot.objects_by_id[obj.id], draft)
    if body.result_type is None:  # read it as the type it gives (numbers as numbers)
        draft_snapshot, draft = _with_draft(snapshot, obj, edited, body.expression, checked.type)
    async with one(ctx) as conn:
        record_id, value = await _sample(conn, draft_snapshot, obj.id, draft, body.record_id)
    return {"type": checked.type, "references": sorted(checked.references),
            "deterministic": checked.deterministic, "record_id": record_id, "value": value}


def _edited(obj: ObjectDef, ref: str | None) -> FieldDef | None:
    if ref is None:
        return None
    found = obj.fields_by_id.get(ref) or obj.fields_by_name.get(ref)
    if found is None or found.type != "formula":
        raise ValidationFailed([detail("field", "not_found",
                                       f"{obj.name!r} has no formula field {ref!r}")])
    return found


def _with_draft(snapshot: Snapshot, obj: ObjectDef, edited: FieldDef | None, expression: str,
                result_type: str | None) -> tuple[Snapshot, FieldDef]:
    """A copy of `snapshot` (with empty memos: nothing compiled for the draft leaks into the
    shared one) where `obj` carries the draft formula, in place of `edited` when given."""
    config = {"expression": expression, "result_type": result_type}
    if edited is None:
        draft = FieldDef(id=DRAFT_ID, name=DRAFT_NAME, label="Formula", type="formula",
                         config=config)
        fields = (*obj.fields, draft)
    else:
        draft = replace(edited, config=config, is_indexed=False, is_unique=False)
        fields = tuple(draft if f.id == edited.id else f for f in obj.fields)
    objects = tuple(replace(o, fields=fields) if o.id == obj.id else o for o in snapshot.objects)
    return replace(snapshot, objects=objects, compiled={}, plans={}), draft


async def _sample(conn: asyncpg.Connection, snapshot: Snapshot, object_id: str, draft: FieldDef,
                  record_id: str | None) -> tuple[str | None, Any]:
    """(the sample record's id, the draft's value on it); (None, None) for an object without
    live records. A `record_id` that is not a live record of the object is a 422."""
    where = (Filter("id", "eq", record_id),) if record_id is not None else ()
    query = Query(select=(Column("id"), Column(draft.name, alias="value")), where=where,
                  order=(Order("created_at"), Order("id")), limit=1)
    plan = plan_read(query, snapshot.objects_by_id[object_id], snapshot)
    rows = await repo.compiled_rows(conn, render_read(plan, trashed=False))
    if not rows:
        if record_id is not None:
            raise ValidationFailed([detail("record_id", "not_found",
                                           f"no live record {record_id[:100]!r} of this object")])
        return None, None
    row = rest_shaper(plan)(rows[0])
    return row["id"], row["value"]
