"""Compiled reads, remembered. Parsing is a pure function of the query string, and a plan a
pure function of (query, object, options) within one metadata snapshot; apps repeat the same
few queries, and compiling one cost a 50-row list about as much Python as shaping its rows
(bench/PROFILE.md). Bounded, least recently used first: a flood of distinct queries cannot
push out the ones in use."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from typing import Any, TypeVar, cast

from objectry.ids import looks_like
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records.query.nodes import Query
from objectry.records.query.parse import parse_records, parse_rest
from objectry.records.query.plan import plan_read
from objectry.records.query.planned import ReadPlan
from objectry.records.query.render import Statement, render_read

T = TypeVar("T")
MAX_PLANS = 1024  # entries per snapshot (which lives until the workspace's metadata changes)
# Stands for the record of an `id=eq.<id>` query in the parse, plan and SQL all such queries
# share (`one_record`); a valid id, which no id made by ids.new_id has (16 zeros).
ONE_ID = "rec_0000000000000000"


@lru_cache(maxsize=2048)
def _parsed(dialect: str, pairs: tuple[tuple[str, str], ...]) -> Query:
    return parse_rest(pairs) if dialect == "rest" else parse_records(pairs)


def parsed_rest(pairs: list[tuple[str, str]]) -> Query:
    return _parsed("rest", tuple(pairs))


def parsed_records(pairs: list[tuple[str, str]]) -> Query:
    return _parsed("records", tuple(pairs))


def one_record(pairs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], str | None]:
    """A query that names one record by `id=eq.<id>` (supabase-js's `.eq('id', id)`) with the
    id replaced by ONE_ID, and the id: every id then shares one parse, plan and SQL — each
    was a plan of its own, ~160 µs of Python, and pushed hot plans out of the cache — with the
    id bound when the statement runs (`bound`). Any other query: (pairs, None)."""
    found = [i for i, (key, value) in enumerate(pairs) if key == "id" and value[:3] == "eq."]
    if len(found) != 1 or any(ONE_ID in key or ONE_ID in value for key, value in pairs):
        return pairs, None
    record_id = pairs[found[0]][1][3:]
    if not looks_like("rec", record_id):
        return pairs, None
    shared = list(pairs)
    shared[found[0]] = ("id", f"eq.{ONE_ID}")
    return shared, record_id


def bound(statement: Statement, record_id: str | None) -> Statement:
    """A statement of a `one_record` query, for its record: ONE_ID's parameter set to it."""
    if record_id is None:
        return statement
    sql, args = statement
    if ONE_ID in sql:  # the compiler wrote the id into the text: not a statement to share
        raise AssertionError("an id=eq. filter was rendered as a literal")
    return sql, [record_id if arg == ONE_ID else arg for arg in args]


def planned(query: Query, obj: ObjectDef, snapshot: Snapshot, **options: Any) -> ReadPlan:
    """`plan_read(query, obj, snapshot, **options)`, once per snapshot."""
    key = (obj.id, query, tuple(sorted(options.items())))
    plan = _recalled(snapshot.plans, key)
    if plan is None:
        plan = plan_read(query, obj, snapshot, **options)
        _keep(snapshot.plans, key, plan)
    return plan


def recalled(snapshot: Snapshot, key: Hashable) -> Any:
    """What `remember` kept for this snapshot under `key`, else None."""
    return _recalled(snapshot.plans, key)


def remember(snapshot: Snapshot, key: Hashable, value: Any) -> None:
    """Keep `value` — derived from this snapshot's metadata and nothing else that can change
    without dropping the snapshot — for its later requests."""
    _keep(snapshot.plans, key, value)


def _recalled(plans: dict[Any, Any], key: Hashable) -> Any:
    """The entry for `key`, moved to the newest end: the cache forgets the least recently used,
    so a stream of one-off queries (`id=eq.<each record>`) never pushes out a hot list's plan."""
    value = plans.pop(key, None)
    if value is not None:
        plans[key] = value
    return value


def _keep(plans: dict[Any, Any], key: Hashable, value: Any) -> None:
    if len(plans) >= MAX_PLANS:
        del plans[next(iter(plans))]  # the least recently used (dicts keep insertion order)
    plans[key] = value


def rendered(plan: ReadPlan, snapshot: Snapshot, *, after: Sequence[Any] | None = None,
             peek: bool = False, trashed: bool = False, share: bool = False) -> Statement:
    """`render_read(plan, after=…, peek=…, trashed=…, share=…)` of a plan from `planned`; a
    first page's once per snapshot (a later page carries its cursor's values, so it is
    rendered each time)."""
    if after is not None:
        return render_read(plan, after=after, peek=peek, trashed=trashed, share=share)
    return kept(snapshot, ("sql", peek, trashed, share), plan,
                lambda: render_read(plan, peek=peek, trashed=trashed, share=share))


def kept(snapshot: Snapshot, kind: Hashable, plan: ReadPlan, make: Callable[[], T]) -> T:
    """`make()` — something derived from `plan` alone (its SQL, its row shaper) — once per plan
    of `planned` and snapshot. The entry holds its plan, so the plan's id cannot be taken by
    another while it lives."""
    key = (kind, id(plan))
    hit = _recalled(snapshot.plans, key)
    if hit is not None and hit[0] is plan:
        return cast(T, hit[1])
    value = make()
    _keep(snapshot.plans, key, (plan, value))
    return value
