"""Request bodies: JSON only when the Content-Type says so (415 otherwise), NUL refused, and
parsed into a pydantic model with every problem in `details`; and their OpenAPI entry."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, ValidationError

from objectry.errors import ValidationFailed, detail

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


M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known property",
    "string_pattern_mismatch": "must be a slug: a lower-case letter, then letters, digits or _"
                               " (at most 63 characters)",
}


def problems(exc: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    out = []
    for err in exc.errors(include_url=False):
        path = prefix + ".".join(str(p) for p in err["loc"])
        out.append(detail(path, err["type"], _MESSAGES.get(err["type"], err["msg"])))
    return out


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problems(exc)) from None


async def body(request: Request, model: type[M]) -> M:
    return parse(model, await json_body(request))


def documented(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` that documents `model` as the route's JSON request body, for endpoints
    that read and check their body themselves (DirectRoutes on the hot path, and routes whose
    errors must keep their documented shape): /docs shows the body, FastAPI never parses it."""
    schema = model.model_json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": _inlined(schema, schema.pop("$defs", {}))}}}}


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with pydantic's `#/$defs/…` references replaced by what they name: inside an
    OpenAPI document `#` is the document, where those definitions are not (no body model is
    recursive)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inlined(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(value, defs) for value in node]
    return node
