"""The JSON response every handler returns: orjson-rendered bytes, never a dict for FastAPI to
serialise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi.responses import Response

from objectry import offload


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        """Starlette's, without its checks for what a JSON answer with a body never needs
        (every record answer is one of these); anything else takes Starlette's own."""
        if (self.status_code < 200 or self.status_code in (204, 304)
                or self.media_type.startswith("text/")
                or (headers and _BODY_HEADERS.intersection(map(str.lower, headers)))):
            return super().init_headers(headers)
        raw = [] if not headers else [(k.lower().encode("latin-1"), v.encode("latin-1"))
                                      for k, v in headers.items()]
        raw += [(b"content-length", str(len(self.body)).encode()),
                (b"content-type", self.media_type.encode("latin-1"))]
        self.raw_headers = raw


_BODY_HEADERS = frozenset({"content-length", "content-type"})  # then Starlette's init_headers


def dumps(content: Any) -> bytes:
    """JSON as every /api answer writes it (UTC times with `Z`; what else a webhook body uses)."""
    return orjson.dumps(content, default=_default, option=orjson.OPT_UTC_Z)


def no_store(content: Any) -> JSONResponse:
    # RFC 6749 §5.1: responses carrying tokens must not be cached.
    return JSONResponse(content, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _default(value: Any) -> Any:
    # orjson serialises datetimes itself; a Decimal (numeric aggregates) becomes a number.
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


async def rendered(content: Any, *, status_code: int = 200, weight: int) -> JSONResponse:
    """A JSON response rendered in a worker thread when `weight` (≈ µs) says it is heavy: a
    10,000-record answer takes the event loop tens of milliseconds to encode."""
    return await offload.run(lambda: JSONResponse(content, status_code=status_code), weight)
