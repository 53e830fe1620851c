"""Autonumbers: each new record of an object takes the next numbers of its autonumber fields
from their counters (metadata/repo.py `take_numbers`), formatted as the field's config says."""

from __future__ import annotations

from typing import Any

import asyncpg

from objectry.fields.computed import autonumber_value
from objectry.metadata import repo
from objectry.metadata.model import ObjectDef


async def assign(conn: asyncpg.Connection, tenant_id: str, obj: ObjectDef,
                 datas: list[dict[str, Any]]) -> None:
    """Put the next numbers into new records' stored data, in input order."""
    if not datas:
        return
    for field in obj.autonumbers:
        start = field.config.get("start")
        first = await repo.take_numbers(conn, tenant_id, obj.id, field.id,
                                        1 if start is None else int(start), len(datas))
        for offset, data in enumerate(datas):
            data[field.id] = autonumber_value(field.config, first + offset)
