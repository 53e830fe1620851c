"""Reading the audit log: the filters checked and read, a newest-first page, entries shaped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from objectry.audit import repo
from objectry.audit.recorder import KINDS
from objectry.db import tenancy
from objectry.errors import BadRequest
from objectry.ids import looks_like
from objectry.web.context import Context
from objectry.web.pagination import PageRequest, page


def _moment(name: str, raw: str | None) -> datetime | None:
    """An ISO 8601 time; one without an offset (or a bare date) is read as UTC."""
    if raw is None or not raw.strip():  # `since=` from an empty form field: no bound
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
        # In UTC here: a time at the calendar's edge whose UTC is outside it is refused now,
        # rather than failing as the database driver converts it.
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise BadRequest(f"{name} must be an ISO 8601 time, e.g. 2026-12-05T10:00:00Z") from None


def _words(raw: str | None) -> list[str] | None:
    words = [w.strip() for w in (raw or "").split(",") if w.strip()]
    return words or None


def _actor_column(actor: str) -> str:
    """The actor filter takes a user id, an API token id or an e-mail."""
    if looks_like("usr", actor):
        return "actor_user_id"
    if looks_like("tok", actor):
        return "credential_id"
    if "@" in actor:
        return "actor_email"
    raise BadRequest("actor must be a user id (usr_…), an API token id (tok_…) or an e-mail")


def filters(*, actor: str | None, kind: str | None, action: str | None, since: str | None,
            until: str | None) -> repo.Filters:
    kinds = _words(kind)
    unknown = sorted(set(kinds or ()) - set(KINDS))
    if unknown:
        raise BadRequest(f"unknown kind {', '.join(unknown)}; kinds are {', '.join(KINDS)}")
    actor = (actor or "").strip() or None
    return repo.Filters(kinds=kinds, actions=_words(action),
                        actor_column=_actor_column(actor) if actor else None, actor=actor,
                        since=_moment("since", since), until=_moment("until", until))


def shape(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "at": row["at"], "kind": row["kind"], "action": row["action"],
        "target": {"id": row["target_id"], "name": row["target_name"]},
        "actor": {"user_id": row["actor_user_id"], "email": row["actor_email"]},
        "credential": {"type": row["credential_type"], "id": row["credential_id"],
                       "name": row["credential_name"]},
        "changes": row["changes"],
    }


async def list_(ctx: Context, chosen: repo.Filters, request: PageRequest) -> dict[str, Any]:
    """Newest first; `ctx` needs the admin right (routes.py)."""
    async with tenancy.one(ctx) as conn:
        rows = await repo.page(conn, ctx.tenant_id, chosen, request.after, request.limit + 1)
    listed = page(rows, request, key="at")
    return {**listed, "items": [shape(row) for row in listed["items"]]}
