"""What a /rest/v1 answer looks like: `Content-Range`, the status it implies, and the body.

`Content-Range` follows PostgREST (`RangeQuery.rangeStatusHeader`): `<first>-<last>/<total>`,
`*` for the range when no row is returned (or the total is 0) and for an unknown total. A
read whose total is known is 206 when the rows returned are fewer than the total, 416 when
the offset is past it, else 200.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from fastapi import Response

from objectry.records.query import QueryError
from objectry.rest.csv import as_csv
from objectry.rest.errors import not_singular
from objectry.rest.negotiate import RestRequest

ARRAY_JSON = "application/json; charset=utf-8"
OBJECT_JSON = "application/vnd.pgrst.object+json; charset=utf-8"
CSV = "text/csv; charset=utf-8"


@dataclass
class Result:
    status: int
    rows: list[dict[str, Any]] | None  # None: no body (return=minimal)
    headers: dict[str, str] = field(default_factory=dict)
    # return=representation asked by a caller who may not read the rows: not applied.
    withheld: bool = False


def content_range(lower: int, count: int, total: int | None) -> str:
    upper = lower + count - 1
    span = f"{lower}-{upper}" if total != 0 and lower <= upper else "*"
    return f"{span}/{'*' if total is None else total}"


def read_status(lower: int, count: int, total: int | None) -> int:
    if total is None:
        return 200
    if lower > total:
        raise QueryError("PGRST103", "Requested range not satisfiable",
                         f"An offset of {lower} was requested, but there are only {total} rows.",
                         status=416, headers={"Content-Range": f"*/{total}"})
    return 206 if count < total else 200


def check_singular(req: RestRequest, count: int, *, counted: bool = True) -> None:
    """`Accept: application/vnd.pgrst.object+json` needs exactly one row (else 406, and a write
    is rolled back, as PostgREST does). Without `read` (`counted` false) the 406 does not say
    how many rows there were."""
    if req.singular and count != 1:
        if not counted:
            raise QueryError("PGRST116", "Cannot coerce the result to a single JSON object",
                             "The result does not contain exactly one row", status=406)
        raise not_singular(count)


def render(req: RestRequest, result: Result) -> Response:
    headers = dict(result.headers)
    applied = _applied(req, result)
    if applied:
        headers["Preference-Applied"] = applied
    if result.rows is None or result.status == 204:
        return Response(status_code=result.status, headers=headers)
    rows = [_without_nulls(row) for row in result.rows] if req.strip_nulls else result.rows
    if req.csv:
        body_csv = b"" if req.head else as_csv(rows)
        return Response(body_csv, status_code=result.status, headers=headers, media_type=CSV)
    body: Any = rows[0] if req.singular and rows else rows
    media = OBJECT_JSON if req.singular else ARRAY_JSON
    if req.head:
        return Response(status_code=result.status, headers=headers, media_type=media)
    return Response(orjson.dumps(body), status_code=result.status, headers=headers,
                    media_type=media)


def _applied(req: RestRequest, result: Result) -> str:
    if not result.withheld:
        return req.prefer.applied
    kept = {k: v for k, v in req.prefer.values.items() if k != "return"}
    return replace(req.prefer, values=kept).applied


def _without_nulls(value: Any) -> Any:
    """json_strip_nulls: drop null-valued keys of objects, at every depth (arrays keep theirs)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
