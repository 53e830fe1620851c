"""The `select=` grammar: `id,full:full_name,company:works_at!inner(name,domain),*`.

Columns, `alias:column`, `*`, and embeds `alias:name!hint!inner(…)` nested to a bounded depth.
PostgREST features the compiler does not offer (casts `col::text`, JSON paths `col->x`,
spreads `...embed(…)`) are refused with a parse error rather than ignored.
"""

from __future__ import annotations

from objectry.records.query.errors import syntax
from objectry.records.query.nodes import Column, Embed, SelectItem, Star
from objectry.records.query.scan import IDENT, Scanner

MAX_SELECT_DEPTH = 8  # parse bound only; plan.py allows 3 levels of embedding
MAX_SELECT_ITEMS = 1000


def parse_select(text: str) -> tuple[SelectItem, ...]:
    """The select list; an empty `select=` means every column, like `*`."""
    if not text.strip():
        return (Star(),)
    s = Scanner(text, "select")
    items = _items(s, 0)
    s.end()
    return items


def parse_expand(text: str) -> tuple[Embed, ...]:
    """The /api/records `expand=a,b`: each name an embed of every column."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if not IDENT.fullmatch(name):
            raise syntax("failed to parse expand", f"{name[:60]!r} is not a relationship name")
    return tuple(Embed(name) for name in names)


def _items(s: Scanner, depth: int) -> tuple[SelectItem, ...]:
    items = [_item(s, depth)]
    while s.eat(","):
        items.append(_item(s, depth))
        if len(items) > MAX_SELECT_ITEMS:
            raise syntax(f"select has more than {MAX_SELECT_ITEMS} items")
    return tuple(items)


def _item(s: Scanner, depth: int) -> SelectItem:
    s.skip_spaces()
    if s.eat("*"):
        s.skip_spaces()
        return Star()
    if s.peek(3) == "...":
        raise s.fail("spread embeds (...) are not supported")
    name = s.identifier()
    alias = None
    if s.peek() == ":" and s.peek(2) != "::":
        s.pos += 1
        alias, name = name, s.identifier()
    if s.peek(2) == "::":
        raise s.fail("casts (::type) are not supported")
    if s.peek(2) == "->":
        raise s.fail("JSON paths (->, ->>) are not supported")
    hints = []
    while s.eat("!"):
        hints.append(s.identifier())
    if s.eat("("):
        return _embed(s, depth, name, alias, hints)
    if hints:
        raise s.fail(f'expecting "(" after {name}!{hints[0]}')
    s.skip_spaces()
    return Column(name, alias)


def _embed(s: Scanner, depth: int, name: str, alias: str | None, hints: list[str]) -> Embed:
    if depth + 1 >= MAX_SELECT_DEPTH:
        raise s.fail(f"embeds are nested more than {MAX_SELECT_DEPTH} deep")
    s.skip_spaces()
    select = () if s.peek() == ")" else _items(s, depth + 1)
    s.expect(")")
    s.skip_spaces()
    inner, hint = False, None
    for word in hints:
        if word in ("inner", "left"):
            inner = word == "inner"
        elif hint is None:
            hint = word
        else:
            raise s.fail(f"{name} has two hints ({hint}, {word}); give one relationship")
    return Embed(name, alias, hint, inner, select)
