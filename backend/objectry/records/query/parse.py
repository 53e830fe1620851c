"""PostgREST query string → `Query` (the AST), with no metadata.

Input is the request's (key, value) pairs, repeated keys allowed. `select`, `order`, `limit`,
`offset` and the logic keys (`or`, `and`, `not.or`, `not.and`) are read here; keys the caller
handles itself are passed in `ignore`; every other key is a filter `column=op.value`, or an
embed's option when it has a dotted path (`company.name=eq.Acme`, `company.limit=5`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from objectry.records.query.errors import QueryError, syntax
from objectry.records.query.nodes import Condition, Embed, Filter, Group, Order, Query, SelectItem
from objectry.records.query.operators import FTS_OPERATORS, IS_VALUES, OPERATORS
from objectry.records.query.scan import IDENT, Scanner
from objectry.records.query.select import parse_select

REST_IGNORE = frozenset({"on_conflict", "columns"})
RECORDS_IGNORE = frozenset({"cursor", "count", "object", "expand"})
LOGIC_KEYS = frozenset({"or", "and", "not.or", "not.and"})
MAX_LOGIC_DEPTH = 16  # deeper and/or nesting is refused before Python's stack is at risk
MAX_LIST = 10_000  # values in one in.(…) list
MAX_ORDER = 32
_NESTED = re.compile(r"(not\.)?(and|or)\(")
_OPERATOR = re.compile(r"[a-z]+")
_COUNT = re.compile(r"[0-9]+")
# Beyond this a limit or offset can only mean "everything" / "past the end"; it also keeps the
# number a bigint (and clear of Python's limit on converting long digit strings).
MAX_COUNT = 10**18


@dataclass
class _Options:
    """What the query string says about one embed (by path), before it meets the select."""

    where: list[Condition] = field(default_factory=list)
    order: list[Order] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


def parse_rest(pairs: Iterable[tuple[str, str]]) -> Query:
    """The /rest/v1 dialect."""
    return parse_query(pairs, ignore=REST_IGNORE)


def parse_records(pairs: Iterable[tuple[str, str]]) -> Query:
    """The /api/records dialect: `q=` searches primary_value; cursor, count, object, expand
    are the caller's."""
    return parse_query(pairs, ignore=RECORDS_IGNORE, search_key="q")


def parse_query(pairs: Iterable[tuple[str, str]], *, ignore: Iterable[str] = (),
                search_key: str | None = None) -> Query:
    skip = frozenset(ignore)
    top = _Options()
    embeds: dict[tuple[str, ...], _Options] = {}
    single: dict[str, str] = {}  # select / limit / offset / search: at most once each
    for key, value in pairs:
        if key in skip:
            continue
        if key in ("select", "limit", "offset") or key == search_key:
            if key in single:
                raise syntax(f"{key} is given more than once")
            single[key] = value
        elif key == "order":
            top.order.extend(parse_order(value))
        elif key in LOGIC_KEYS:
            top.where.append(parse_logic(key, value))
        else:
            _option(key, value, top, embeds)
    select = parse_select(single["select"]) if "select" in single else None
    if embeds:
        select = _attach(select or (), embeds)
    if len(top.order) > MAX_ORDER:
        raise syntax(f"order has more than {MAX_ORDER} columns")
    return Query(select=select, where=tuple(top.where), order=tuple(top.order),
                 limit=_count("limit", single.get("limit")),
                 offset=_count("offset", single.get("offset")),
                 search=single.get(search_key) if search_key else None)


def _option(key: str, value: str, top: _Options, embeds: dict[tuple[str, ...], _Options]
            ) -> None:
    """A filter, or an embed option (`path.filter`, `path.order`, `path.limit`, `path.or`)."""
    parts = key.split(".")
    if parts[-1] in ("or", "and"):
        cut = 2 if len(parts) > 1 and parts[-2] == "not" else 1
        path, what = parts[:-cut], ".".join(parts[-cut:])
    else:
        path, what = parts[:-1], parts[-1]
    for name in (*path, what) if what not in LOGIC_KEYS else path:
        if not IDENT.fullmatch(name):
            hint = "JSON paths (->, ->>) are not supported" if "->" in key else None
            raise syntax(f"failed to parse filter ({_short(key)})",
                         f"{name!r} is not a column name", hint)
    target = embeds.setdefault(tuple(path), _Options()) if path else top
    if what in LOGIC_KEYS:
        target.where.append(parse_logic(what, value))
    elif path and what == "order":
        target.order.extend(parse_order(value))
    elif path and what in ("limit", "offset"):
        if getattr(target, what) is not None:
            raise syntax(f"{key} is given more than once")
        setattr(target, what, _count(key, value))
    else:
        target.where.append(parse_filter(what, value))


def parse_filter(column: str, text: str) -> Filter:
    """`[not.]op[(config)].value` for one column (a top-level filter: the value is verbatim)."""
    s = Scanner(text, f"filter ({_short(column + '=' + text)})")
    negated = s.eat("not.")
    op, config = _operator(s)
    if op == "in":
        value: str | tuple[str, ...] = _list(s)
        s.end()
    else:
        value = _checked(s, op, s.rest)
    return Filter(column, op, value, negated, config)


def parse_logic(key: str, text: str) -> Group:
    """`or=(a.eq.1,and(b.gt.2,c.is.null))`, and `and=`, `not.or=`, `not.and=`."""
    s = Scanner(text, f"logic tree ({_short(key + '=' + text)})")
    group = _group(s, key.removeprefix("not."), key.startswith("not."), 1)
    s.end()
    return group


def parse_order(text: str) -> tuple[Order, ...]:
    """`col.asc.nullsfirst,col2.desc,col3`."""
    items = []
    for raw in text.split(","):
        column, *mods = raw.strip().split(".")
        if not IDENT.fullmatch(column):
            hint = "ordering by an embedded column is not supported" if "(" in raw else None
            raise syntax(f"failed to parse order ({_short(text)})",
                         f"{column!r} is not a column name", hint)
        desc, nulls_first = False, None
        if mods and mods[0] in ("asc", "desc"):
            desc = mods.pop(0) == "desc"
        if mods and mods[0] in ("nullsfirst", "nullslast"):
            nulls_first = mods.pop(0) == "nullsfirst"
        if mods:
            raise syntax(f"failed to parse order ({_short(text)})",
                         f"unexpected {mods[0]!r}: expecting asc, desc, nullsfirst or nullslast")
        items.append(Order(column, desc, nulls_first))
    if len(items) > MAX_ORDER:
        raise syntax(f"order has more than {MAX_ORDER} columns")
    return tuple(items)


def _group(s: Scanner, op: str, negated: bool, depth: int) -> Group:
    if depth > MAX_LOGIC_DEPTH:
        raise syntax(f"failed to parse {s.what}",
                     f"and/or groups are nested more than {MAX_LOGIC_DEPTH} deep")
    s.expect("(")
    items = [_logic_item(s, depth)]
    while s.eat(","):
        items.append(_logic_item(s, depth))
    s.expect(")")
    return Group(op, tuple(items), negated)


def _logic_item(s: Scanner, depth: int) -> Condition:
    s.skip_spaces()
    nested = _NESTED.match(s.text, s.pos)
    if nested:
        s.pos = nested.end() - 1
        return _group(s, nested.group(2), nested.group(1) is not None, depth + 1)
    column = s.identifier()
    s.expect(".")
    negated = s.eat("not.")
    op, config = _operator(s)
    if op == "in":
        value: str | tuple[str, ...] = _list(s)
    else:
        value = _checked(s, op, _logic_value(s))
    return Filter(column, op, value, negated, config)


def _logic_value(s: Scanner) -> str:
    """A value inside or=(…): quoted, a `{…}` array, a `[…]` JSON array, or up to `,`/`)`."""
    first = s.peek()
    if first == '"':
        value = s.quoted()
        if s.peek() not in (",", ")"):
            raise s.fail('expecting "," or ")" after a quoted value')
        return value
    if first in ("{", "["):
        return s.balanced(first, "}" if first == "{" else "]")
    return s.until(",)")


def _operator(s: Scanner) -> tuple[str, str | None]:
    match = _OPERATOR.match(s.text, s.pos)
    name = match.group() if match else ""
    if name not in OPERATORS:
        raise QueryError("PGRST100", f"failed to parse {s.what}",
                         f"unknown operator {name or s.peek(10)!r}",
                         "operators: " + ", ".join(OPERATORS))
    s.pos += len(name)
    config = None
    if s.eat("("):
        if name not in FTS_OPERATORS:
            raise s.fail(f"{name}(…) modifiers are not supported (only fts(config))")
        config = s.identifier()
        s.expect(")")
    s.expect(".")
    return name, config


def _list(s: Scanner) -> tuple[str, ...]:
    """`(a,b,"c,d")`: elements may be double-quoted to hold commas, parens or spaces."""
    s.expect("(")
    if s.eat(")"):
        return ()
    items: list[str] = []
    while True:
        s.skip_spaces()
        items.append(s.quoted() if s.peek() == '"' else s.until(",)").strip())
        s.skip_spaces()
        if len(items) > MAX_LIST:
            raise syntax(f"an in.(…) list has more than {MAX_LIST} values")
        if not s.eat(","):
            s.expect(")")
            return tuple(items)


def _checked(s: Scanner, op: str, value: str) -> str:
    if op == "is" and value.lower() not in IS_VALUES:
        raise syntax(f"failed to parse {s.what}",
                     f"is.{_short(value)}: expecting one of " + ", ".join(IS_VALUES))
    return value.lower() if op == "is" else value


def _count(name: str, text: str | None) -> int | None:
    """A limit or offset of any size: a huge limit is capped later like any other."""
    if text is None:
        return None
    digits = text.strip()
    if not _COUNT.fullmatch(digits):
        raise syntax(f"{name} must be a non-negative integer", f"got {_short(text)!r}")
    digits = digits.lstrip("0") or "0"
    return MAX_COUNT if len(digits) > 18 else int(digits)


def _attach(items: tuple[SelectItem, ...], options: dict[tuple[str, ...], _Options]
            ) -> tuple[SelectItem, ...]:
    """Give each embed its options by path; an option for an embed not selected is an error."""
    used: set[tuple[str, ...]] = set()
    attached = _attach_level(items, options, (), used)
    for path in options.keys() - used:
        name = ".".join(path)
        raise QueryError("PGRST108", f"'{name}' is not an embedded resource in this request",
                         hint=f"Verify that '{name}' is included in the 'select' query parameter.")
    return attached


def _attach_level(items: tuple[SelectItem, ...], options: dict[tuple[str, ...], _Options],
                  path: tuple[str, ...], used: set[tuple[str, ...]]) -> tuple[SelectItem, ...]:
    out: list[SelectItem] = []
    for item in items:
        if isinstance(item, Embed):
            here = (*path, item.key)
            item = replace(item, select=_attach_level(item.select, options, here, used))
            found = options.get(here)
            if found is not None:
                used.add(here)
                item = replace(item, where=item.where + tuple(found.where),
                               order=item.order + tuple(found.order),
                               limit=found.limit, offset=found.offset)
        out.append(item)
    return tuple(out)


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[:size - 3] + "..."
