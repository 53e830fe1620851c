"""How a saved view fits the schema as it is now (pure: no I/O).

A view keeps field *names*, so a field detached, deleted or renamed after it was saved makes
parts of it stale. On write, every stale part is a 422 detail (a filter or order that does
not parse is a 400, as PostgREST says it); on read, the parts that still fit are applied and
the others reported as `problems` — a filter condition on a missing field is left out (what
Baserow does when a filtered field is deleted), so a read never fails because of a view.
Filters and orders go through the records query compiler (parse, then plan against the
object), so whatever a query may name — computed fields included — a view may name too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl

from objectry.metadata.model import SYSTEM_COLUMNS, FieldDef, ObjectDef, Snapshot
from objectry.records.query import Group, Order, Query, QueryError, memo, plan_read
from objectry.records.query.errors import syntax
from objectry.records.query.nodes import Condition
from objectry.records.query.parse import parse_order, parse_query

# What each view type needs, and which field types can fill the need.
NEEDS = {"kanban": "group_by", "calendar": "date_field"}
# A formula fills a need by what it gives (its result_type): a calendar by a computed date.
ACCEPTS = {"group_by": ("select",), "date_field": ("date", "datetime")}
_NOT_FILTERS = frozenset({"select", "order", "limit", "offset"})


@dataclass(frozen=True, slots=True)
class Issue:
    """One stale or invalid part of a view."""

    key: str  # the body key it belongs to: filter, order, fields, group_by, date_field
    at: str  # where in the body (a 422 detail's `field`), e.g. fields.2.name
    field: str  # the field name it is about ("" when none is named)
    code: str  # unknown_field | invalid | wrong_type | required | duplicate
    message: str  # what is wrong (a 422 detail's message)
    effect: str = ""  # what a read does about it (added to the problem's message)

    def problem(self) -> dict[str, str]:
        said = f"{self.message}; {self.effect}" if self.effect else self.message
        return {"field": self.field or self.key, "message": said}


@dataclass(frozen=True, slots=True)
class Applied:
    """What a read with the view adds to its query: conditions (ANDed) and an order."""

    where: tuple[Condition, ...] = ()
    order: tuple[Order, ...] = ()


def parse_filter(text: str) -> tuple[Condition, ...]:
    """`and=(stage.neq.lost,amount.gt.1000)&owner=eq.me`: filters only, no select/order/embeds;
    a QueryError (400, PGRST100) when it does not parse."""
    pairs = parse_qsl(text, keep_blank_values=True)
    for key, _ in pairs:
        logic = key.removeprefix("not.") in ("and", "or")
        if key in _NOT_FILTERS or ("." in key and not logic):
            raise syntax(f"failed to parse the view's filter ({key[:80]})",
                         "a view's filter holds filters only: column=op.value, and=(…), or=(…)")
    return parse_query(pairs).where


def parse_sort(text: str) -> tuple[Order, ...]:
    return parse_order(text) if text.strip() else ()


def _columns(obj: ObjectDef) -> set[str]:
    return {*SYSTEM_COLUMNS, *obj.fields_by_name}


def _refusal(obj: ObjectDef, key: str, column: str, error: QueryError, effect: str) -> Issue:
    if column in _columns(obj):
        return Issue(key, key, column, "invalid", f"{column!r}: {error.message}", effect)
    return Issue(key, key, column, "unknown_field", f"no field {column!r} on {obj.name}", effect)


def _pruned(cond: Condition, obj: ObjectDef, snapshot: Snapshot, issues: list[Issue]
            ) -> Condition | None:
    """`cond` without its leaves that no longer plan (an emptied group goes too)."""
    if isinstance(cond, Group):
        kept = [c for c in (_pruned(i, obj, snapshot, issues) for i in cond.items) if c]
        return replace(cond, items=tuple(kept)) if kept else None
    try:
        plan_read(Query(where=(cond,)), obj, snapshot)
    except QueryError as error:
        issues.append(_refusal(obj, "filter", cond.column, error,
                               "the condition is left out of reads"))
        return None
    return cond


def _sort_fits(item: Order, obj: ObjectDef, snapshot: Snapshot, issues: list[Issue]) -> bool:
    try:
        plan_read(Query(order=(item,)), obj, snapshot)
    except QueryError as error:
        issues.append(_refusal(obj, "order", item.column, error,
                               "reads are not ordered by it"))
        return False
    return True


def fit_query(filter_text: str, order_text: str, obj: ObjectDef, snapshot: Snapshot
              ) -> tuple[Applied, tuple[Issue, ...]]:
    """The parts of a stored filter and order that fit `obj` now, and the issues of the rest;
    once per snapshot (the metadata it is checked against)."""
    key = ("view", obj.id, filter_text, order_text)
    fitted = memo.recalled(snapshot, key)
    if fitted is None:
        issues: list[Issue] = []
        try:
            where = [c for c in (_pruned(c, obj, snapshot, issues)
                                 for c in parse_filter(filter_text)) if c]
            order = [o for o in parse_sort(order_text) if _sort_fits(o, obj, snapshot, issues)]
        except QueryError as error:  # saved before a grammar change: nothing of it applies
            where, order = [], []
            issues.append(Issue("filter", "filter", "", "invalid", error.message,
                                "neither filter nor order is applied"))
        fitted = (Applied(tuple(where), tuple(order)), tuple(issues))
        memo.remember(snapshot, key, fitted)
    return fitted


def _typed(obj: ObjectDef, key: str, name: str | None, view_type: str) -> list[Issue]:
    if name is None:
        if NEEDS.get(view_type) != key:
            return []
        kinds = " or ".join(ACCEPTS[key])
        return [Issue(key, key, "", "required", f"a {view_type} view needs {key}: a {kinds}"
                                                  " field")]
    field = obj.fields_by_name.get(name)
    if field is None:
        return [Issue(key, key, name, "unknown_field", f"no field {name!r} on {obj.name}")]
    if _holds(field) not in ACCEPTS[key]:
        kinds = " or ".join(ACCEPTS[key])
        held = field.type if field.type == _holds(field) else f"a {field.type} giving " \
            f"{_holds(field)}"
        return [Issue(key, key, name, "wrong_type",
                      f"{key} must be a {kinds} field; {name!r} is {held}")]
    return []


def _holds(field: FieldDef) -> str:
    """What a field's values are, for a view's layout: a formula's are its result type's."""
    if field.type == "formula":
        return str(field.config.get("result_type"))
    return field.type


def layout_issues(view: Mapping[str, Any], obj: ObjectDef) -> list[Issue]:
    """The columns, group_by and date_field of a view, against `obj` now."""
    issues: list[Issue] = []
    seen: set[str] = set()
    columns = _columns(obj)
    fields: Sequence[Mapping[str, Any]] = view.get("fields") or ()
    for i, column in enumerate(fields):
        name = column["name"]
        if name in seen:
            issues.append(Issue("fields", f"fields.{i}.name", name, "duplicate",
                                f"{name!r} is listed twice"))
        elif name not in columns:
            issues.append(Issue("fields", f"fields.{i}.name", name, "unknown_field",
                                f"no field {name!r} on {obj.name}", "the column is not shown"))
        seen.add(name)
    for key in ("group_by", "date_field"):
        issues += _typed(obj, key, view.get(key), view["type"])
    return issues


def all_issues(view: Mapping[str, Any], obj: ObjectDef, snapshot: Snapshot) -> list[Issue]:
    _, query_issues = fit_query(view["filter"], view["order"], obj, snapshot)
    return [*query_issues, *layout_issues(view, obj)]

