"""A joined `realtime:<name>` topic: its bindings, the credential it reads with, and what it
does with a change, a broadcast, a new access token. It only ever queues (Socket.send)."""

from __future__ import annotations

import itertools
import logging
import time
from typing import TYPE_CHECKING, Any

from objectry.auth import credentials
from objectry.auth.principal import Principal
from objectry.auth.secret_hash import digest
from objectry.auth.tokens import secret
from objectry.errors import APIError, Unauthenticated
from objectry.metadata.model import ObjectDef
from objectry.realtime.bindings import Binding
from objectry.realtime.changes import Change
from objectry.realtime.protocol import Message
from objectry.records.access import may
from objectry.web.context import Context

if TYPE_CHECKING:
    from objectry.realtime.socket import Socket

_numbers = itertools.count(1)
log = logging.getLogger("objectry.realtime")


class Joined:
    def __init__(self, socket: Socket, topic: str, join_ref: str | None,
                 principal: Principal, credential: str, bindings: list[Binding],
                 config: dict[str, Any]) -> None:
        self.socket, self.topic, self.join_ref = socket, topic, join_ref
        self.principal, self.credential = principal, credential
        self.bindings = bindings
        broadcast = config.get("broadcast") if isinstance(config.get("broadcast"), dict) else {}
        self.self_broadcast = bool((broadcast or {}).get("self", False))
        self.ack_broadcast = bool((broadcast or {}).get("ack", False))
        self.key = f"{socket.hub.process_key}-{next(_numbers)}"

    @property
    def name(self) -> str:
        return self.topic.removeprefix("realtime:")

    def push(self, event: str, payload: Any) -> None:
        self.socket.send(Message(self.topic, event, payload, None, self.join_ref))

    def deliver(self, obj: ObjectDef, changes: list[Change]) -> None:
        wanted = [b for b in self.bindings if b.object_id == obj.id]
        if not wanted:
            return
        if _expired(self.principal):
            self.socket.shut(self, "Token has expired")
            return
        if not may(Context(self.socket.ctx.state, self.principal), obj, "read"):
            return  # as row-level security hides rows from a Supabase subscriber
        for change in changes:
            ids = [b.id for b in wanted if b.wants(change.event, change.record)]
            if ids:
                self.push("postgres_changes", {"ids": ids, "data": change.data(wanted[0].table)})

    def relay(self, payload: dict[str, Any], sender: str) -> None:
        if sender != self.key or self.self_broadcast:
            self.push("broadcast", payload)

    def token_hash(self) -> str | None:
        return digest(self.credential) if secret.looks_like_token(self.credential) else None

    async def reauthenticate(self, credential: str) -> None:
        """An `access_token` message, or a token change announced: the channel goes on with the
        new credential of the same workspace, or stops (system error, phx_close)."""
        try:
            principal = await credentials.verify(self.socket.ctx.state, credential)
        except Unauthenticated as exc:
            self.socket.shut(self, exc.message)
            return
        except APIError:  # the database away, say: the credential was not refused; next time
            log.warning("realtime: could not check a channel's credential", exc_info=True)
            return
        if principal.workspace_id != self.principal.workspace_id:
            self.socket.shut(self, "the access token belongs to another workspace")
            return
        self.principal, self.credential = principal, credential


def _expired(principal: Principal) -> bool:
    return principal.session is not None and principal.session.expires_at <= time.time()
