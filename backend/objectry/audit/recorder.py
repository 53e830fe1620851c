"""The one place an audit entry is written. Each service calls `record` inside the transaction
of its change (beside the schema_version bump for metadata), so the entry commits with the
change or not at all; who acted comes from the request's principal, never from the body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from objectry.audit import repo
from objectry.ids import new_id
from objectry.web.context import Context

# What an entry may be about; a new kind of thing is one word here (and its services' calls).
KINDS = ("object", "field", "object_field", "relationship", "link", "application", "member",
         "invitation", "token", "webhook", "view")
# Never copied into `changes`, whatever a service passes: an audit log is read by every admin.
SECRET_KEYS = frozenset({"token", "token_hash", "hashed_password", "secret", "password"})


def changed(before: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{key: [old, new]}` for each key of `values` (what a PATCH asked for) that differs from
    the row before it."""
    return {key: [before.get(key), value] for key, value in values.items()
            if before.get(key) != value}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, in which workspace, with which credential."""

    workspace_id: str
    user_id: str | None
    credential_type: str  # "session" or "token"
    credential_id: str | None  # the session's family id, or the token's id


def actor_of(ctx: Context, workspace_id: str | None = None) -> Actor:
    principal = ctx.principal
    if principal.token_id is not None:
        return Actor(workspace_id or ctx.tenant_id, principal.user_id, "token",
                      principal.token_id)
    return Actor(workspace_id or ctx.tenant_id, principal.user_id, "session",
                 principal.session.family_id if principal.session else None)


async def record(conn: asyncpg.Connection, ctx: Context, kind: str, action: str,
                 target_id: str, target_name: str | None = None,
                 changes: Mapping[str, Any] | None = None, *,
                 workspace_id: str | None = None) -> None:
    """Write one entry on `conn` (the change's transaction). `workspace_id` when the change is
    in another workspace than the caller's own (accepting an invitation joins a new one)."""
    await record_as(conn, actor_of(ctx, workspace_id), kind, action, target_id, target_name,
                    changes)


async def record_as(conn: asyncpg.Connection, actor: Actor, kind: str, action: str,
                    target_id: str, target_name: str | None = None,
                    changes: Mapping[str, Any] | None = None) -> None:
    """`record` where no request context exists yet: a sign-up that joins by invitation acts
    as the account it has just made (a session credential with no id)."""
    await repo.insert(conn, entry(actor, kind, action, target_id, target_name, changes))


def entry(actor: Actor, kind: str, action: str, target_id: str, target_name: str | None = None,
          changes: Mapping[str, Any] | None = None) -> repo.Entry:
    """The entry `record_as` writes; for a statement that writes it as one of its steps
    (repo.insert_sql with a source)."""
    assert kind in KINDS, kind
    shown = {k: v for k, v in (changes or {}).items() if k not in SECRET_KEYS} or None
    return repo.Entry(
        tenant_id=actor.workspace_id, id=new_id("aud"), kind=kind, action=action,
        target_id=target_id, target_name=target_name, actor_user_id=actor.user_id,
        credential_type=actor.credential_type, credential_id=actor.credential_id,
        changes=shown)
