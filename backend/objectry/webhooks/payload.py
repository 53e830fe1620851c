"""The body of a delivery: `{type, timestamp, data: {object, record, previous?, changes?}}`,
the record shaped as /api/records returns it (records/shape.py), from the outbox's copy of it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from objectry.metadata.model import Snapshot
from objectry.records.changes import by_name
from objectry.records.shape import record_shaper
from objectry.webhooks.matching import TYPES

TEST = "webhook.test"


def render(body: Mapping[str, Any]) -> str:
    return orjson.dumps(body).decode()


def record_event(snapshot: Snapshot, event: Mapping[str, Any]) -> str:
    row: dict[str, Any] = dict(event["record"])
    obj = snapshot.objects_by_id.get(event["object_id"])
    data: dict[str, Any] = {"object": obj.name if obj else None}
    if obj is None:  # deleted since the write: its record as stored (field ids)
        data["record"] = row
    else:
        shape = record_shaper(snapshot, obj)
        data["record"] = shape(row)
        if event["op"] == "update":
            changes = event["changes"] or {}
            data["previous"] = shape(_before(row, changes))
            data["changes"] = by_name(obj, changes)
    return render({"type": TYPES[event["op"]], "timestamp": _iso(event["at"]), "data": data})


def test_event(webhook_id: str) -> str:
    return render({"type": TEST, "timestamp": _iso(datetime.now(UTC)),
                   "data": {"webhook_id": webhook_id}})


def _before(row: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The record before an update, from the update's `{field id: [old, new]}`."""
    data = dict(row["data"] or {})
    for field_id, (old, _new) in changes.items():
        if old is None:
            data.pop(field_id, None)
        else:
            data[field_id] = old
    return {**row, "data": data, "version": row["version"] - 1}


def _iso(at: Any) -> str:
    return at.isoformat() if isinstance(at, datetime) else str(at)
