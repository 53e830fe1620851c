"""Request bodies of /rest/v1 writes: JSON rows keyed by field name, narrowed by `columns=`.

Keys are checked against the object before any record is validated: a key that is no field
is PostgREST's PGRST204, a system column (set by the server) PostgreSQL's 428C9. `Rows` and
`Values` document the bodies in OpenAPI; the routes read them here, never through pydantic.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from pydantic import RootModel

from objectry.metadata.model import SYSTEM_COLUMNS, ObjectDef
from objectry.records.query import QueryError
from objectry.records.query.scan import Scanner
from objectry.rest.errors import column_not_found, invalid_body, system_column
from objectry.web.bodies import has_nul

_JSON_TYPES = ("application/json", "application/vnd.pgrst.object+json",
               "application/vnd.pgrst.object")


Row = dict[str, Any]


class Rows(RootModel[Row | list[Row]]):
    """POST: one row, or an array of rows (a bulk insert, all or nothing), keyed by field name.
    With `Prefer: resolution=merge-duplicates` and `on_conflict=<unique field>`, an upsert."""


class Values(RootModel[Row]):
    """PATCH: the values to set on every row the filters match, keyed by field name."""


async def read_json(request: Request) -> Any:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in _JSON_TYPES:
        raise QueryError("PGRST107", f"Content-Type not acceptable: {kind[:60]}",
                         hint="send the body as application/json", status=415)
    raw = await request.body()
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid_body("the body is empty or not JSON" if not raw.strip()
                           else "the body is not valid JSON") from None
    if has_nul(raw):
        raise invalid_body("text cannot contain the NUL character (\\u0000)")
    return value


def insert_rows(body: Any) -> tuple[list[dict[str, Any]], bool]:
    """(rows, single): one JSON object, or an array of them (a bulk insert)."""
    if isinstance(body, dict):
        return [body], True
    if isinstance(body, list) and all(isinstance(row, dict) for row in body):
        return body, False
    raise invalid_body("send one JSON object, or an array of JSON objects")


def patch_values(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid_body("a PATCH body is one JSON object of the values to set")
    return body


def columns(params: list[tuple[str, str]]) -> list[str] | None:
    """`columns=name,"email"`: the only keys taken from the body (others are ignored)."""
    given = [value for key, value in params if key == "columns"]
    if not given:
        return None
    if len(given) > 1:
        raise QueryError("PGRST100", "columns is given more than once")
    s = Scanner(given[0], "columns")
    names = []
    while True:
        s.skip_spaces()
        names.append(s.quoted() if s.peek() == '"' else s.until(",").strip())
        s.skip_spaces()
        if not s.eat(","):
            s.end()
            return names


def checked(rows: list[dict[str, Any]], obj: ObjectDef, wanted: list[str] | None,
            verb: str) -> list[dict[str, Any]]:
    """The rows narrowed to `wanted`; every remaining key must be one of the object's fields."""
    if wanted is not None:
        for name in wanted:
            _check_key(obj, name, verb)
        keep = set(wanted)
        rows = [{k: v for k, v in row.items() if k in keep} for row in rows]
    seen: set[str] = set()
    names = obj.fields_by_name.keys()
    for row in rows:
        if fresh := row.keys() - seen:  # set arithmetic in C: a bulk's rows share their keys
            for key in fresh - names:
                _check_key(obj, key, verb)  # raises: a system column, or no such field
            seen |= fresh
    return rows


def _check_key(obj: ObjectDef, key: str, verb: str) -> None:
    if key in SYSTEM_COLUMNS:
        raise system_column(key, verb)
    if key not in obj.fields_by_name:
        raise column_not_found(obj.name, key)
