"""Which webhooks an event goes to: its type, the webhook's objects, and its PostgREST filter
(compiled by records/query against its one object, run over the record as the event saw it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

import asyncpg

from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records import query
from objectry.records.query import ReadPlan
from objectry.records.query.errors import syntax
from objectry.records.repo import compiled_rows

# The outbox's op → the event type sent.
TYPES = {"create": "record.created", "update": "record.updated", "delete": "record.deleted",
         "restore": "record.restored"}
# A filter says which records; these keys would shape a response, which a webhook has not.
_NOT_FILTERS = frozenset({"select", "order", "limit", "offset", "on_conflict", "columns"})


def filter_plan(snapshot: Snapshot, obj: ObjectDef, text: str) -> ReadPlan:
    """The filter's checked plan; QueryError (its message says why) when it does not compile."""
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs:
        raise syntax("the filter is empty: write it as column=operator.value")
    shaping = sorted({key for key, _ in pairs if key in _NOT_FILTERS})
    if shaping:
        raise syntax(f"a webhook filter only filters: {', '.join(shaping)} is not "
                               "allowed")
    return query.plan_read(query.parse_rest(pairs), obj, snapshot)


def wants(webhook: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """The event's type and object; the filter is checked in SQL (`matching`)."""
    objects = webhook["object_ids"]
    return (TYPES[event["op"]] in webhook["events"]
            and (not objects or event["object_id"] in objects))


async def matching(conn: asyncpg.Connection, snapshot: Snapshot, webhook: Mapping[str, Any],
                   events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events this webhook gets, in order."""
    candidates = [e for e in events if wants(webhook, e)]
    if not candidates or not webhook["filter"]:
        return candidates
    obj = snapshot.objects_by_id.get(webhook["object_ids"][0])
    if obj is None:  # the object was deleted: nothing of it can match any more
        return []
    try:
        plan = filter_plan(snapshot, obj, webhook["filter"])
    except query.QueryError:  # a field it names was deleted or renamed since: it matches nothing
        return []
    rows = await compiled_rows(conn, query.render_match_snapshots(
        plan, [e["record"] for e in candidates]))
    kept = {r["n"] for r in rows}
    return [e for n, e in enumerate(candidates, start=1) if n in kept]
