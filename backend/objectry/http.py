"""HTTP helpers shared by every router: the orjson response and JSON body parsing."""

from __future__ import annotations

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


async def json_body(request: Request) -> Any:
    """The request body as JSON, or a 415/400 in the documented shape."""
    from objectry.errors import BadRequest, UnsupportedMediaType

    content_type = request.headers.get("content-type", "")
    if content_type and "json" not in content_type.split(";")[0]:
        raise UnsupportedMediaType("send the body as application/json")
    raw = await request.body()
    if not raw:
        raise BadRequest("the request needs a JSON body")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc.msg}") from None
