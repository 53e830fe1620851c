"""HTTP helpers shared by every router: the orjson response and JSON body parsing."""

from __future__ import annotations

import re
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_default, option=orjson.OPT_UTC_Z)


def _default(value: Any) -> Any:
    # orjson serialises datetimes itself; a Decimal (numeric aggregates) becomes a number.
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


# JSON can only carry a NUL character as the escape \u0000 (not preceded by an odd number of
# backslashes); PostgreSQL text and jsonb cannot store it, so it is refused at the door.
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def has_nul(raw: bytes) -> bool:
    return b"u0000" in raw and _NUL_ESCAPE.search(raw) is not None


def is_json(content_type: str | None) -> bool:
    """`application/json` or `application/*+json`, parameters (charset) allowed."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


async def json_body(request: Request) -> Any:
    """The request body as JSON, or a 415/400 in the documented shape. A body is JSON only when
    its Content-Type says so: one without a Content-Type is a 415 too."""
    from objectry.errors import BadRequest, UnsupportedMediaType

    content_type = request.headers.get("content-type")
    if content_type is not None and not is_json(content_type):
        raise UnsupportedMediaType("send the body as application/json")
    raw = await request.body()
    if not raw:
        raise BadRequest("the request needs a JSON body")
    if content_type is None:
        raise UnsupportedMediaType("send the body with Content-Type: application/json")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc.msg}") from None
    if has_nul(raw):
        raise BadRequest("text cannot contain the NUL character (\\u0000)")
    return value
