"""The parsed query (the AST): what the request says, before anything is checked.

`parse.py` builds these from the query string with no metadata; `plan.py` checks them.
Filter values stay request text here (`in` lists are tuples of texts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Filter:
    """`column=[not.]op[(config)].value`."""

    column: str
    op: str
    value: str | tuple[str, ...]
    negated: bool = False
    config: str | None = None  # fts(english)


@dataclass(frozen=True, slots=True)
class Group:
    """`and=(…)` / `or=(…)`, nestable, optionally negated (`not.or=(…)`)."""

    op: str  # "and" | "or"
    items: tuple[Condition, ...]
    negated: bool = False


Condition = Filter | Group


@dataclass(frozen=True, slots=True)
class Order:
    column: str
    desc: bool = False
    nulls_first: bool | None = None  # None: PostgreSQL's default (last for asc, first for desc)


@dataclass(frozen=True, slots=True)
class Star:
    """`*`: every column."""


@dataclass(frozen=True, slots=True)
class Column:
    """`name` or `alias:name`."""

    name: str
    alias: str | None = None

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True, slots=True)
class Embed:
    """`alias:name!hint!inner(select…)` plus its `name.filter=…`, `name.order=…` options."""

    name: str
    alias: str | None = None
    hint: str | None = None
    inner: bool = False
    select: tuple[SelectItem, ...] = (Star(),)  # () embeds for filtering only: not output
    where: tuple[Condition, ...] = ()
    order: tuple[Order, ...] = ()
    limit: int | None = None
    offset: int | None = None

    @property
    def key(self) -> str:
        return self.alias or self.name


SelectItem = Star | Column | Embed


@dataclass(frozen=True, slots=True)
class Query:
    select: tuple[SelectItem, ...] | None = None  # None: not given (every column)
    where: tuple[Condition, ...] = ()  # all must hold
    order: tuple[Order, ...] = ()
    limit: int | None = None
    offset: int | None = None
    search: str | None = None  # /api/records `q=`
