"""Hypothesis strategies for the differential test: objects' fields, records of valid values,
and filter/order trees with values drawn from the stored ones and near them — plus how each
tree is written in the PostgREST query grammar.

Text is lower-case ASCII letters and digits only, so that orderings agree between Python and
the database's collation (see model.py).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from tests.property.model import Flt, Grp, Node, OrderKey

# The field pool (one workspace-level field each): name → (API type, model kind)
FIELDS = {"t0": ("text", "text"), "t1": ("text", "text"), "n0": ("number", "number"),
          "n1": ("number", "number"), "b0": ("boolean", "boolean"), "d0": ("date", "date"),
          "s0": ("datetime", "datetime"), "m0": ("multi_select", "multi")}
OPTIONS = ("a", "b", "c")
SCALAR_OPS = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "is", "isdistinct"]
OPS = {"text": SCALAR_OPS + ["like", "ilike", "match", "imatch"], "number": SCALAR_OPS,
       "date": SCALAR_OPS, "datetime": SCALAR_OPS,
       "boolean": ["eq", "neq", "in", "is", "isdistinct"],
       "multi": ["cs", "cd", "ov", "is", "eq"], "id": ["eq", "neq", "gt", "lt", "in", "is"]}
REGEXES = ["a", "^a", "b$", "0.", "^[ab]1", "a|1", "A", ".", "^$", "1*", "^b.*0$"]
TEXT = st.text(alphabet="ab01", max_size=3)
_DAY0, _TIME0 = date(2024, 2, 25), datetime(2024, 1, 1, tzinfo=UTC)
_ZONES = [UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))]

STORED = {  # JSON values a record may hold, per kind
    "text": TEXT,
    "number": st.integers(-40, 40).map(lambda n: n // 2 if n % 2 == 0 else n / 2),
    "boolean": st.booleans(),
    "date": st.integers(0, 8).map(lambda d: (_DAY0 + timedelta(days=d)).isoformat()),
    "datetime": st.integers(0, 8).map(lambda h: (_TIME0 + timedelta(hours=7 * h)).isoformat()),
    "multi": st.lists(st.sampled_from(OPTIONS), unique=True, max_size=3),
}


def records(fields: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    optional = {name: STORED[FIELDS[name][1]] for name in fields}
    return st.lists(st.fixed_dictionaries({}, optional=optional), max_size=10)


def near(kind: str, present: list[Any]) -> st.SearchStrategy[Any]:
    """A value like the stored ones: one of them, a neighbour of one, or any valid value."""
    fresh = {"text": TEXT, "number": STORED["number"].map(lambda v: Decimal(str(v))),
             "boolean": st.booleans(), "id": st.just("rec_0"),
             "date": STORED["date"].map(date.fromisoformat),
             "datetime": STORED["datetime"].map(datetime.fromisoformat)}[kind]
    if not present:
        return fresh
    base = st.sampled_from(present)
    steps = {"text": lambda v: st.sampled_from([v, v + "a", v[:-1], v + "0"]),
             "number": lambda v: st.sampled_from([v, v + Decimal("0.5"), v - 1]),
             "date": lambda v: st.sampled_from([v, v + timedelta(days=1), v - timedelta(1)]),
             "datetime": lambda v: st.sampled_from([v, v + timedelta(seconds=1),
                                                    v - timedelta(hours=7)]),
             "boolean": st.just, "id": lambda v: st.sampled_from([v, v + "0", v[:-1]])}[kind]
    return st.one_of(base, base.flatmap(steps), fresh)


@st.composite
def a_filter(draw: Any, columns: dict[str, str], present: dict[str, list[Any]]) -> Flt:
    name = draw(st.sampled_from(sorted(columns)))
    kind = columns[name]
    op = draw(st.sampled_from(OPS[kind]))
    values = present[name]
    if op == "is":
        words = ["null", "not_null"] + (["true", "false", "unknown"] if kind == "boolean" else [])
        value: Any = draw(st.sampled_from(words))
    elif op == "in":
        value = draw(st.lists(near(kind, values), max_size=3))
    elif op in ("cs", "cd", "ov") or kind == "multi":
        value = draw(st.lists(st.sampled_from(OPTIONS), unique=True, max_size=3))
    elif op in ("like", "ilike"):
        value = draw(st.text(alphabet="ab01*%_AB", max_size=4))
    elif op in ("match", "imatch"):
        value = draw(st.sampled_from(REGEXES))
    else:
        value = draw(near(kind, values))
    return Flt(name, kind, op, value, draw(st.booleans()))


def conditions(columns: dict[str, str], present: dict[str, list[Any]]
               ) -> st.SearchStrategy[list[Node]]:
    tree = st.recursive(
        a_filter(columns, present),
        lambda kids: st.builds(Grp, st.sampled_from(["and", "or"]),
                               st.lists(kids, min_size=1, max_size=3).map(tuple), st.booleans()),
        max_leaves=6)
    return st.lists(tree, max_size=3)


def orders(orderable: list[str]) -> st.SearchStrategy[list[OrderKey]]:
    key = st.tuples(st.sampled_from(orderable), st.booleans(),
                    st.sampled_from([None, True, False]))
    return st.lists(key, max_size=2, unique_by=lambda k: k[0])


# --- the query grammar -----------------------------------------------------------------------
def text_of(kind: str, value: Any, quoted: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.astimezone(_ZONES[value.hour % 3]).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if kind == "multi" and isinstance(value, list):
        return json.dumps(value, separators=(",", ":"))
    return f'"{value}"' if quoted else str(value)


def _operand(f: Flt, nested: bool) -> str:
    if f.op == "in":
        return "(" + ",".join(text_of(f.kind, v, f.kind in ("text", "id")) for v in f.value) + ")"
    if f.op in ("cs", "cd", "ov"):
        return "{" + ",".join(f.value) + "}"
    quote = nested and f.kind in ("text", "id") and f.op not in ("is",)
    return text_of(f.kind, f.value, quote)


def params(where: list[Node], order: list[OrderKey], limit: int | None,
           offset: int | None) -> list[tuple[str, str]]:
    out = [("select", "id")]
    for node in where:
        if isinstance(node, Flt):
            out.append((node.column, ("not." if node.negated else "") + f"{node.op}."
                        + _operand(node, False)))
        else:
            out.append((("not." if node.negated else "") + node.op, _group_items(node)))
    if order:
        out.append(("order", ",".join(
            c + (".desc" if d else ".asc") + ("" if n is None else ".nullsfirst" if n
                                                else ".nullslast") for c, d, n in order)))
    out += [(k, str(v)) for k, v in (("limit", limit), ("offset", offset)) if v is not None]
    return out


def _group_items(group: Grp) -> str:
    return "(" + ",".join(_nested(item) for item in group.items) + ")"


def _nested(node: Node) -> str:
    neg = "not." if node.negated else ""
    if isinstance(node, Grp):
        return f"{neg}{node.op}" + _group_items(node)
    return f"{node.column}.{neg}{node.op}." + _operand(node, True)
