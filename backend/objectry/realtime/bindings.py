"""A channel's `postgres_changes` bindings: what a subscriber asked for (`event`, `table`,
`filter: "<field>=<op>.<value>"`), checked against the workspace's objects at join, and
matched against each change. A filter compares the record's value as /rest/v1 shows it with
the filter's text read as that value's JSON type (number, boolean, text), as Supabase
Realtime compares a column with its filter cast to the column's type; a null never matches."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from objectry.metadata.model import SYSTEM_COLUMNS, ObjectDef, Snapshot

EVENTS = {"INSERT", "UPDATE", "DELETE", "*"}
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: bool(a == b), "neq": lambda a, b: bool(a != b),
    "lt": lambda a, b: bool(a < b), "lte": lambda a, b: bool(a <= b),
    "gt": lambda a, b: bool(a > b), "gte": lambda a, b: bool(a >= b),
}


class BindingError(ValueError):
    """A binding this workspace cannot serve; the message is Supabase's wording."""


@dataclass(frozen=True, slots=True)
class Filter:
    field: str
    op: str  # a COMPARE key, or "in"
    values: tuple[str, ...]

    def matches(self, record: dict[str, Any]) -> bool:
        value = record.get(self.field)
        if value is None:
            return False
        wanted = [_as_type_of(value, v) for v in self.values]
        if self.op == "in":
            return value in wanted
        try:
            return COMPARE[self.op](value, wanted[0])
        except TypeError:  # a text filter on a number, say: SQL would refuse the cast
            return False


@dataclass(frozen=True, slots=True)
class Binding:
    id: int  # what the client matches changes to its callbacks with
    event: str
    table: str
    object_id: str
    filter: Filter | None
    echo: dict[str, Any]  # the binding as the client sent it, returned in the join reply

    def wants(self, event: str, record: dict[str, Any] | None) -> bool:
        if self.event not in ("*", event):
            return False
        return self.filter is None or record is None or self.filter.matches(record)


def bind(raw: Any, snapshot: Snapshot) -> Binding:
    """One requested binding, checked: a known object (name or plural name), a known column."""
    if not isinstance(raw, dict) or raw.get("event") not in EVENTS:
        raise BindingError("event must be one of INSERT, UPDATE, DELETE, *")
    table, schema = raw.get("table"), raw.get("schema", "public")
    obj = snapshot.objects_by_name.get(table) if isinstance(table, str) else None
    if schema != "public" or obj is None:
        raise BindingError(_unable(raw))
    text = raw.get("filter")
    parsed = _parse_filter(text, obj, raw) if text else None
    echo = answered(raw)
    return Binding(echo["id"], raw["event"], str(table), obj.id, parsed, echo)


def answered(raw: Any) -> dict[str, Any]:
    """The binding as the join reply returns it: as sent, with its `id`. Supabase's id is a
    hash of the binding's parameters (the same binding, the same id), and the client checks
    that event, schema, table and filter come back unchanged."""
    sent = raw if isinstance(raw, dict) else {}
    echo = {k: sent[k] for k in ("event", "schema", "table", "filter") if k in sent}
    echo.setdefault("schema", "public")
    return {**echo, "id": zlib.crc32(orjson.dumps(echo, option=orjson.OPT_SORT_KEYS))}


def _parse_filter(text: Any, obj: ObjectDef, raw: dict[str, Any]) -> Filter:
    field, _, rest = str(text).partition("=")
    op, _, value = rest.partition(".")
    if field not in SYSTEM_COLUMNS and field not in obj.fields_by_name:
        raise BindingError(_unable(raw))
    if op == "in":
        return Filter(field, op, tuple(v.strip().strip('"') for v in
                                       value.strip().removeprefix("(").removesuffix(")")
                                       .split(",")))
    if op not in COMPARE:
        raise BindingError(_unable(raw))
    return Filter(field, op, (value,))


def _unable(raw: dict[str, Any]) -> str:
    return ("Unable to subscribe to changes with given parameters. Please check Realtime is"
            " enabled for the given connect parameters: [event: {}, schema: {}, table: {},"
            " filters: [{}]]".format(raw.get("event"), raw.get("schema", "public"),
                                      raw.get("table"), raw.get("filter") or ""))


def _as_type_of(value: Any, text: str) -> Any:
    """The filter's text as a value of the record's value type (its JSON type)."""
    if isinstance(value, bool):
        return text.lower() in ("true", "t", "1", "yes", "on")
    if isinstance(value, int | float):
        try:
            return float(text)
        except ValueError:
            return text
    return text
