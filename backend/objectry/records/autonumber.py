"""Autonumbers: each new record of an object takes the next numbers of its autonumber fields
from their counters (metadata/repo.py `take_numbers`), formatted as the field's config says."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg

from objectry.fields.computed import autonumber_value
from objectry.metadata import repo
from objectry.metadata.model import ObjectDef

Taken = list[tuple[Mapping[str, Any], str, int]]  # (field config, field id, first number taken)


async def assign(conn: asyncpg.Connection, tenant_id: str, obj: ObjectDef,
                 datas: list[dict[str, Any]]) -> None:
    """Put the next numbers into new records' stored data, in input order."""
    if datas:
        put(await take(conn, tenant_id, obj, len(datas)), datas, 0)


async def take(conn: asyncpg.Connection, tenant_id: str, obj: ObjectDef, count: int) -> Taken:
    """The next `count` numbers of each autonumber field of `obj`, for `put`."""
    taken = []
    for field in obj.autonumbers:
        start = field.config.get("start")
        first = await repo.take_numbers(conn, tenant_id, obj.id, field.id,
                                        1 if start is None else int(start), count)
        taken.append((field.config, field.id, first))
    return taken


def put(taken: Taken, datas: list[dict[str, Any]], offset: int) -> None:
    """Numbers `offset`, `offset` + 1, … of what `take` took into these records' data."""
    for config, field_id, first in taken:
        for position, data in enumerate(datas, first + offset):
            data[field_id] = autonumber_value(config, position)
