"""Differential test: for generated objects, records and filter/order trees, GET /rest/v1 must
answer exactly what a plain-Python evaluation of the same query (model.py) answers over the
same records — the same ids in the same order, and the same exact count."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.builders import ok
from tests.api.conftest import client, sign_up
from tests.property import strategies as gen
from tests.property.model import Record, evaluate, python_value

# Orderings of text agree with Python's code-point order under these collations for the
# generated alphabet (a, b, 0, 1); under any other, text is not ordered by the test.
CODE_POINT_COLLATIONS = ("C", "POSIX", "C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8")
_names = itertools.count()


@pytest.fixture(scope="module")
async def lab(app, owner_db):
    """A workspace with the field pool; each example attaches some fields to a new object."""
    account = await sign_up(app)
    collation = await owner_db.fetchval(
        "SELECT datcollate FROM pg_database WHERE datname = current_database()")
    async with client(app, account.headers) as api:
        ids = {}
        for name, (type_, _) in gen.FIELDS.items():
            config = {"options": [{"value": v, "label": v} for v in gen.OPTIONS]} \
                if type_ == "multi_select" else {}
            field = await ok(await api.post("/api/fields", json={
                "name": name, "label": name, "type": type_, "config": config}), 201)
            ids[name] = field["id"]
        yield api, ids, collation in CODE_POINT_COLLATIONS


async def _object(api: Any, field_ids: list[str]) -> str:
    name = f"dx{next(_names)}"
    obj = await ok(await api.post("/api/objects", json={"name": name, "label": name}), 201)
    for field_id in field_ids:
        await ok(await api.post("/api/object-fields",
                                json={"object_id": obj["id"], "field_id": field_id}), 201)
    return name


def _model(rows: list[dict[str, Any]], fields: list[str]) -> list[Record]:
    kinds = {name: gen.FIELDS[name][1] for name in fields}
    return [{"id": row["id"], "created_at": python_value("created_at", row["created_at"]),
             **{name: python_value(kind, row.get(name)) for name, kind in kinds.items()}}
            for row in rows]


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
async def test_rest_reads_match_a_python_model(lab, data):
    api, field_ids, text_ordered = lab
    fields = data.draw(st.lists(st.sampled_from(sorted(gen.FIELDS)), min_size=1, max_size=4,
                                unique=True), label="fields")
    name = await _object(api, [field_ids[f] for f in fields])
    try:
        body = data.draw(gen.records(fields), label="records")
        rows = await ok(await api.post(f"/rest/v1/{name}", json=body,
                                       headers={"Prefer": "return=representation"}), 201)
        records = _model(rows, fields)
        for _ in range(data.draw(st.integers(1, 3), label="queries")):
            await _one_query(api, name, fields, records, data, text_ordered)
    finally:
        await ok(await api.delete(f"/api/objects/{name}"), 204)


async def _one_query(api: Any, name: str, fields: list[str], records: list[Record],
                     data: Any, text_ordered: bool) -> None:
    columns = {f: gen.FIELDS[f][1] for f in fields} | {"id": "id"}
    present = {c: sorted({r[c] for r in records if r.get(c) is not None and c != "m0"})
               for c in columns}
    where = data.draw(gen.conditions(columns, present), label="where")
    orderable = [c for c, kind in columns.items()
                 if kind != "multi" and (text_ordered or kind not in ("text", "id"))]
    order = data.draw(gen.orders(orderable + ["created_at"]), label="order")
    limit = data.draw(st.none() | st.integers(0, 6), label="limit")
    offset = data.draw(st.none() | st.integers(0, 6), label="offset")
    query = gen.params(where, order, limit, offset)
    response = await api.get(f"/rest/v1/{name}", params=query,
                             headers={"Prefer": "count=exact"})
    assert response.status_code in (200, 206, 416), (query, response.text)
    expected, total = evaluate(records, where, order, limit, offset)
    assert int(response.headers["content-range"].split("/")[1]) == total, query
    if response.status_code != 416:
        assert [row["id"] for row in response.json()] == expected, query
