"""Phoenix channel messages and the two serializers Supabase's clients speak: `vsn=1.0.0`
JSON objects `{join_ref, ref, topic, event, payload}` (the Python client) and `vsn=2.0.0`
JSON arrays `[join_ref, ref, topic, event, payload]` (supabase-js). Replies follow Phoenix:
`phx_reply` with `{status, response}` and the request's `ref`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

VERSIONS = ("1.0.0", "2.0.0")
PHOENIX = "phoenix"  # the socket's own topic: heartbeats


class BadMessage(ValueError):
    """A frame that is not a message of the socket's serializer."""


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    event: str
    payload: Any
    ref: str | None = None
    join_ref: str | None = None


def decode(vsn: str, frame: str | bytes) -> Message:
    try:
        raw = orjson.loads(frame)
    except orjson.JSONDecodeError as exc:
        raise BadMessage(str(exc)) from None
    if vsn == "2.0.0":
        if not isinstance(raw, list) or len(raw) != 5:
            raise BadMessage("expected [join_ref, ref, topic, event, payload]")
        join_ref, ref, topic, event, payload = raw
    else:
        if not isinstance(raw, dict):
            raise BadMessage("expected {topic, event, payload, ref}")
        join_ref, ref, topic, event, payload = (raw.get("join_ref"), raw.get("ref"),
                                                raw.get("topic"), raw.get("event"),
                                                raw.get("payload"))
    if not isinstance(topic, str) or not isinstance(event, str):
        raise BadMessage("topic and event must be strings")
    return Message(topic, event, payload if isinstance(payload, dict) else {},
                   _text(ref), _text(join_ref))


def encode(vsn: str, message: Message) -> str:
    if vsn == "2.0.0":
        raw: Any = [message.join_ref, message.ref, message.topic, message.event,
                    message.payload]
    else:
        raw = {"topic": message.topic, "event": message.event, "payload": message.payload,
               "ref": message.ref, "join_ref": message.join_ref}
    return orjson.dumps(raw).decode()


def reply(to: Message, status: str = "ok", response: Any = None) -> Message:
    return Message(to.topic, "phx_reply", {"status": status, "response": response or {}},
                   to.ref, to.join_ref)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
