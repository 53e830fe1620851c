"""Parse a JSON request body into a pydantic model, with every problem in `details`."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from objectry.errors import ValidationFailed, detail
from objectry.http import json_body

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
