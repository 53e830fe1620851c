"""Metadata scale: grow the workspace to N objects × M fields through the API (bounded
concurrency), so create/get/list can be measured again against the 2-object workspace."""

from __future__ import annotations

import time
from typing import Any

from bench.api import Api, bounded

TYPES = ("text", "number", "boolean", "date", "email")


def _field(obj: int, j: int) -> dict[str, Any]:
    return {"name": f"m{obj}_f{j}", "label": f"Field {j}", "type": TYPES[j % len(TYPES)]}


async def grow(api: Api, objects: int, fields: int, concurrency: int) -> dict[str, Any]:
    """Add `objects` objects with `fields` fields each; returns counts and timings."""
    started = time.perf_counter()
    await bounded([lambda i=i: api.call("POST", "/api/objects",
                                        {"name": f"meta_{i}", "label": f"Meta {i}"})
                   for i in range(objects)], concurrency)
    made_objects = time.perf_counter()
    await bounded([lambda i=i, j=j: api.call("POST", f"/api/objects/meta_{i}/fields",
                                             _field(i, j))
                   for i in range(objects) for j in range(fields)], concurrency)
    done = time.perf_counter()
    return {"objects": objects, "fields_per_object": fields,
            "object_seconds": made_objects - started, "field_seconds": done - made_objects,
            "fields_per_second": objects * fields / max(done - made_objects, 1e-9)}
