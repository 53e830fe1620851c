"""The data plane's route class: documented by FastAPI, run without FastAPI's request machinery.

A `DirectRoute` endpoint has the signature `(ctx: Ctx, request: Request, <path params>)` and
returns a Response. FastAPI still builds its OpenAPI entry from that signature (plus
`openapi_extra` for query parameters and headers), but a request calls it directly: no
per-request parameter parsing, dependency solving or response serialisation, which cost a GET
by id about a third of its CPU in-process (bench/PROFILE.md). The endpoint reads query
parameters, headers and the body from `request` itself, with the helpers below, so a bad value
gets the same 400 as FastAPI's own parsing would give.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from objectry.errors import BadRequest, detail
from objectry.web.context import context

Handler = Callable[[Request], Coroutine[Any, Any, Response]]  # what APIRoute declares


class DirectRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        _check_signature(endpoint, path_params=self.param_convertors)  # names compile_path found

    def get_route_handler(self) -> Handler:
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            return await endpoint(await context(request), request, **request.path_params)

        return handler


def _check_signature(endpoint: Callable[..., Any], path_params: Iterable[str]) -> None:
    """Fail at start-up, not per request, when an endpoint expects FastAPI to fill in more."""
    names = list(inspect.signature(endpoint).parameters)
    expected = sorted(path_params)
    if names[:2] != ["ctx", "request"] or sorted(names[2:]) != expected:
        raise TypeError(f"{endpoint.__qualname__}: a DirectRoute endpoint takes (ctx, request, "
                        f"{', '.join(expected) or 'no path parameters'}) and reads query "
                        "parameters and headers from the request")


def query_doc(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An OpenAPI parameter entry for `openapi_extra={"parameters": [...]}`."""
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def header_doc(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "schema": {"type": "string"},
            "description": description}


_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})


def bool_param(request: Request, name: str, default: bool = False) -> bool:
    """As FastAPI (pydantic) reads a boolean query parameter."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise _invalid(name, "bool_parsing", "Input should be a valid boolean")


def int_param(request: Request, name: str, default: int, *, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise _invalid(name, "int_parsing", "Input should be a valid integer") from None
    if value < minimum:
        raise _invalid(name, "greater_than_equal",
                       f"Input should be greater than or equal to {minimum}")
    return value


def _invalid(name: str, code: str, message: str) -> BadRequest:
    return BadRequest("the query string is not valid", [detail(name, code, message)])
