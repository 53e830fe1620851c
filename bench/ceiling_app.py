"""The ceiling: the thinnest Python REST layer over Objectry's table shape (issue 6).

A minimal Starlette app with raw asyncpg: no validation, no auth, no history, no RLS, one
statement per request, orjson responses. It answers the benchmark's operations over the same
`records` / `relationship_records` tables (data keyed by field id, as Objectry stores it) so
that Objectry can be compared with what Python on PostgreSQL can do at best.

Run by the harness as `uvicorn bench.ceiling_app:create_app --factory` with the settings of
`objectry serve`; configured by CEILING_* environment variables (see bench/ceiling_db.py).
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from objectry.ids import new_id

COLUMNS = "r.id, r.object_id, r.data, r.primary_value, r.version, r.created_at, r.updated_at"
# The ids also as literals, as Objectry renders them: the field indexes are partial on them,
# and a generic plan (PostgreSQL's pick after five runs of a prepared statement) can only use
# such an index when the query names them as constants.
LIVE = ("r.tenant_id = $1 AND r.object_id = $2 AND r.tenant_id = '{tenant}'"
        " AND r.object_id = '{object_id}' AND r.deleted_at IS NULL")
ORDER = "ORDER BY r.created_at DESC, r.id DESC LIMIT $4"


class Ceiling:
    """Configuration and the pool, created once per worker."""

    def __init__(self) -> None:
        env = os.environ
        self.url = env["CEILING_DATABASE_URL"]
        self.tenant = env["CEILING_TENANT"]
        self.object_id = env["CEILING_CONTACT_OBJECT"]
        self.relationship = env["CEILING_RELATIONSHIP"]
        self.ids: dict[str, str] = orjson.loads(env["CEILING_FIELDS"])  # name → field id
        self.names = {v: k for k, v in self.ids.items()}
        self.pool: asyncpg.Pool | None = None
        age, joined, name = self.ids["age"], self.ids["joined_on"], self.ids["name"]
        live = LIVE.format(tenant=self.tenant, object_id=self.object_id)  # ids from the harness
        self.sql_indexed = (f"SELECT {COLUMNS} FROM records r WHERE {live}"
                            f" AND ((r.data ->> '{age}')::numeric) = $3 {ORDER}")
        self.sql_unindexed = (f"SELECT {COLUMNS} FROM records r WHERE {live}"
                              f" AND ((r.data ->> '{joined}')::date) = $3 {ORDER}")
        self.sql_embedded = (
            f"SELECT {COLUMNS}, (SELECT json_build_object('name', c.data -> '{name}')"
            " FROM relationship_records l JOIN records c"
            " ON c.tenant_id = l.tenant_id AND c.id = l.from_record_id AND c.deleted_at IS NULL"
            f" WHERE l.tenant_id = r.tenant_id AND l.relationship_id = '{self.relationship}'"
            " AND l.to_record_id = r.id LIMIT 1) AS company"
            f" FROM records r WHERE {live} AND ((r.data ->> '{age}')::numeric) = $3 {ORDER}")

    def out(self, row: asyncpg.Record, embed: bool = False) -> dict[str, Any]:
        names = self.names
        record = {"id": row["id"], "object_id": row["object_id"],
                  "data": {names.get(k, k): v for k, v in row["data"].items()},
                  "primary_value": row["primary_value"], "version": row["version"],
                  "created_at": row["created_at"], "updated_at": row["updated_at"]}
        if embed:
            record["company"] = row["company"]
        return record


async def _init(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=lambda v: orjson.dumps(v).decode(),
                                  decoder=orjson.loads, schema="pg_catalog")


async def _keep(conn: asyncpg.Connection) -> None:
    return None


def json(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content), status, headers, media_type="application/json")


def error(status: int, code: str) -> Response:
    return json({"error": {"code": code}}, status)


def _ceiling(request: Request) -> Ceiling:
    return request.app.state.ceiling


async def create_record(request: Request) -> Response:
    c = _ceiling(request)
    body = orjson.loads(await request.body())
    data = {c.ids.get(k, k): v for k, v in body["data"].items()}
    rid = new_id("rec")  # as Objectry makes them (objectry/ids.py)
    row = await c.pool.fetchrow(
        "INSERT INTO records AS r (tenant_id, id, object_id, data, primary_value)"
        f" VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}",
        c.tenant, rid, c.object_id, data, body["data"].get("name"))
    return json(c.out(row), 201)


async def get_record(request: Request) -> Response:
    c = _ceiling(request)
    row = await c.pool.fetchrow(f"SELECT {COLUMNS} FROM records r WHERE r.tenant_id = $1"
                                " AND r.id = $2 AND r.deleted_at IS NULL",
                                c.tenant, request.path_params["record_id"])
    return json(c.out(row)) if row else error(404, "not_found")


async def patch_record(request: Request) -> Response:
    """Merge the given fields if the record is still at the If-Match version (any version
    without If-Match, as a /rest/v1 PATCH by id)."""
    c = _ceiling(request)
    body = orjson.loads(await request.body())
    match = request.headers.get("if-match")
    version = int(match.strip('"')) if match is not None else None
    data = {c.ids.get(k, k): v for k, v in body["data"].items()}
    rid = request.path_params["record_id"]
    row = await c.pool.fetchrow(
        "UPDATE records AS r SET data = r.data || $3, version = r.version + 1,"
        " updated_at = now() WHERE r.tenant_id = $1 AND r.id = $2"
        " AND ($4::integer IS NULL OR r.version = $4)"
        f" AND r.deleted_at IS NULL RETURNING {COLUMNS}", c.tenant, rid, data, version)
    if row is None:
        exists = await c.pool.fetchval("SELECT 1 FROM records WHERE tenant_id = $1 AND id = $2"
                                       " AND deleted_at IS NULL", c.tenant, rid)
        return error(412 if exists else 404, "version_mismatch" if exists else "not_found")
    return json(c.out(row), headers={"ETag": f'"{row["version"]}"'})


async def list_contacts(request: Request) -> Response:
    """?age=N (indexed) [&embed=company] or ?joined_on=YYYY-MM-DD (unindexed); 50 newest."""
    c = _ceiling(request)
    q = request.query_params
    limit = int(q.get("limit", "50"))
    embed = False
    if "joined_on" in q:
        sql, value = c.sql_unindexed, dt.date.fromisoformat(q["joined_on"])
    else:
        embed = q.get("embed") == "company"
        sql, value = (c.sql_embedded if embed else c.sql_indexed), int(q["age"])
    rows = await c.pool.fetch(sql, c.tenant, c.object_id, value, limit)
    return json({"items": [c.out(r, embed) for r in rows]})


async def health(request: Request) -> Response:
    return json({"status": "ok"})


def create_app() -> Starlette:
    ceiling = Ceiling()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        # reset=_keep: no `SELECT pg_advisory_unlock_all(); CLOSE ALL; …` round trip on every
        # release, since nothing here leaves session state behind.
        ceiling.pool = await asyncpg.create_pool(ceiling.url, min_size=2, max_size=10,
                                                 init=_init, reset=_keep)
        yield
        await ceiling.pool.close()

    app = Starlette(lifespan=lifespan, routes=[
        Route("/health", health),
        Route("/records", create_record, methods=["POST"]),
        Route("/records/{record_id}", get_record, methods=["GET"]),
        Route("/records/{record_id}", patch_record, methods=["PATCH"]),
        Route("/contacts", list_contacts, methods=["GET"]),
    ])
    app.state.ceiling = ceiling
    return app
