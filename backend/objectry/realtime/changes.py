"""One committed change notification → the messages Supabase Realtime sends for it: records
loaded by id (the NOTIFY carries ids only), shaped as /rest/v1 rows (`select=*`), as
`postgres_changes` data `{schema, table, commit_timestamp, type, columns, record,
old_record, errors}`. A trash is a DELETE (old_record `{id}`), a restore an INSERT."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records.query import Query, memo
from objectry.records.shape import rest_shaper

CHANNEL = "objectry_changes"  # alembic 0009: the trigger on record_events
EVENT_OF_OP = {"create": "INSERT", "update": "UPDATE", "delete": "DELETE", "restore": "INSERT"}


@dataclass(frozen=True, slots=True)
class Change:
    """One record's change, shaped once for every subscriber."""

    obj: ObjectDef
    event: str  # INSERT | UPDATE | DELETE
    record: dict[str, Any] | None  # None for a DELETE
    record_id: str
    commit_timestamp: str
    columns: tuple[dict[str, str], ...]

    def data(self, table: str) -> dict[str, Any]:
        """The change as a subscriber of `table` (the name it used) receives it."""
        data: dict[str, Any] = {"schema": "public", "table": table,
                                "commit_timestamp": self.commit_timestamp,
                                "type": self.event, "columns": list(self.columns),
                                "errors": None}
        if self.record is not None:
            data["record"] = self.record
        if self.event != "INSERT":  # the primary key, as with REPLICA IDENTITY DEFAULT
            data["old_record"] = {"id": self.record_id}
        return data


def shaped(snapshot: Snapshot, rows: list[Any], op: str, at: str) -> list[Change]:
    """The changes of `rows` (records of any objects) for one notification's `op`. A record
    trashed again before delivery is not announced as written: its DELETE follows."""
    event = EVENT_OF_OP[op]
    out = []
    for row in rows:
        obj = snapshot.objects_by_id.get(row["object_id"])
        if obj is None or (event != "DELETE" and row["deleted_at"] is not None):
            continue
        shape, columns = _shaper(snapshot, obj)
        record = None if event == "DELETE" else shape(row)
        out.append(Change(obj, event, record, row["id"], at, columns))
    return out


def _shaper(snapshot: Snapshot, obj: ObjectDef) -> tuple[Any, tuple[dict[str, str], ...]]:
    plan = memo.planned(Query(), obj, snapshot)  # select=*: GET /rest/v1/<object>'s rows
    columns = tuple({"name": o.key, "type": o.column.cast if o.column else "jsonb"}
                    for o in plan.outputs)
    return rest_shaper(plan), columns
