"""Who may do what to an object's records: one rule for /api/records, bulk and /rest/v1.

The role's right (narrowed by a token's scopes) comes first; the object's `permissions` may
then narrow it per role (never an owner's). A caller who may write but not read gets its
writes done and answered without data.
"""

from __future__ import annotations

from typing import Any

from objectry.errors import Forbidden, detail
from objectry.metadata.model import ObjectDef, Snapshot
from objectry.records.shape import record_out
from objectry.web.context import Context

ACTION_RIGHT = {"read": "records:read", "create": "records:write", "update": "records:write",
                "delete": "records:write"}


def may(ctx: Context, obj: ObjectDef, action: str) -> bool:
    """The one rule: the role's right (narrowed by a token's scopes), then the object's
    `permissions`, which may narrow it per role (never an owner's)."""
    if not ctx.principal.can(ACTION_RIGHT[action]):
        return False
    narrowed = (obj.permissions or {}).get(ctx.principal.role)
    return ctx.principal.role == "owner" or narrowed is None or action in narrowed


def authorize(ctx: Context, obj: ObjectDef, action: str) -> None:
    """`may`, or a 403 that says which of the two said no."""
    ctx.principal.require(ACTION_RIGHT[action])
    if not may(ctx, obj, action):
        raise Forbidden(f"the {ctx.principal.role} role may not {action} {obj.name} records")


def shown(ctx: Context, snapshot: Snapshot, obj: ObjectDef, row: Any) -> dict[str, Any]:
    """A written record as its writer may see it: all of it with `read`, else `{id, version}`."""
    if may(ctx, obj, "read"):
        return record_out(snapshot, obj, row)
    return id_and_version(row)


def id_and_version(row: Any) -> dict[str, Any]:
    """What a writer who may not read the object sees of a record it wrote."""
    return {"id": row["id"], "version": row["version"]}


def unseen_readonly(ctx: Context, obj: ObjectDef, data: Any) -> list[dict[str, Any]]:
    """Writing a read-only field is allowed when the value is the one the record holds; a caller
    who may not read the record would learn that value by guessing, so for it any value is a
    `read_only` problem."""
    if may(ctx, obj, "read") or not isinstance(data, dict):
        return []
    return [detail(f.name, "read_only", "is read-only") for f in obj.fields
            if f.is_readonly and f.name in data]
