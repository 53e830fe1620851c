"""/openapi.json: FastAPI's document, finished here — security schemes, every error status each
operation can answer (in the error shape of its path's dialect), operation ids from the
endpoints' names.

Error statuses come from two places: `COMMON`, one table of what applies to every operation of
a kind (a guarded one can answer 401 and 403, one with a body 413, 415 and 422…), and a route's
own `responses=errors(404, 409)` for what only it answers. A status added to either is one line;
its description and body schema are filled in here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

# The OpenAPI document's security: declared here rather than as security dependencies, which
# FastAPI would solve on every request only to read headers that auth.credentials reads anyway.
# "Authorize" in /docs logs in through /api/auth/login or takes an API token.
SECURITY_SCHEMES = {
    "OAuth2PasswordBearer": {"type": "oauth2",
                             "flows": {"password": {"tokenUrl": "/api/auth/login", "scopes": {}}}},
    "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "apikey"},
}

API_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message", "details"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"}}}}}}
POSTGREST_ERROR = {"type": "object", "required": ["code", "message", "details", "hint"],
                   "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                                  "details": {}, "hint": {"type": ["string", "null"]}}}

# What each error status means, as every operation that answers it says.
DESCRIPTIONS = {
    400: "the request does not parse: query string, header, JSON body, a NUL character "
         "(/rest/v1: also a value PostgreSQL's checks refuse, code 23514)",
    401: "no credential, or one that is not valid (any more)",
    403: "the credential does not allow this",
    404: "no such item in this workspace",
    406: "no representation the Accept header asks for (/rest/v1: or not exactly one row "
         "for application/vnd.pgrst.object+json)",
    409: "the change conflicts with the stored data (a unique value, a link, a concurrent "
         "change), or the first request with this Idempotency-Key is still running",
    412: "the record is no longer at the version given (If-Match or `version`)",
    413: "the request body is larger than the server accepts",
    415: "the body is not sent as application/json",
    416: "the Range asks for rows past the end",
    422: "the JSON body is well formed but breaks the rules (`details` lists every problem), "
         "or the Idempotency-Key was first sent with another request",
    429: "too many attempts; retry after Retry-After seconds",
    503: "the database is busy or unreachable (query_timeout, unavailable); retry after "
         "Retry-After seconds",
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying",
                               "schema": {"type": "integer"}}}
_HEADERS = {429: RETRY_AFTER, 503: RETRY_AFTER}


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    entry: dict[str, Any]

    @property
    def postgrest(self) -> bool:
        return self.path == "/rest" or self.path.startswith("/rest/")

    @property
    def guarded(self) -> bool:
        return "security" in self.entry

    @property
    def has_body(self) -> bool:
        return "requestBody" in self.entry

    @property
    def has_path_params(self) -> bool:
        return "{" in self.path


# The paths that never reach the database (every other operation can answer 503).
NO_DATABASE = frozenset({"/health"})

# Which statuses apply to every operation of a kind, by dialect; a route adds its own with
# `responses=errors(...)`.
COMMON: tuple[tuple[int, Callable[[Operation], bool]], ...] = (
    (400, lambda op: True),  # a NUL character in the query string, on any path
    (401, lambda op: op.guarded),
    (403, lambda op: op.guarded),
    (404, lambda op: op.has_path_params),
    (406, lambda op: op.postgrest),  # Accept, Accept-Profile / Content-Profile
    # Every write can meet a unique value, a link or a concurrent change (SQLSTATE 23505,
    # 23503, 40001, 40P01 are 409s wherever they happen).
    (409, lambda op: op.method != "get" and op.path not in NO_DATABASE),
    (413, lambda op: op.has_body),
    (415, lambda op: op.has_body),
    (422, lambda op: op.has_body and not op.postgrest),  # /rest/v1: a 400 (23514)
    (503, lambda op: op.path not in NO_DATABASE),
)


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the error statuses only it answers (bodies filled in here)."""
    return {status: {"description": DESCRIPTIONS[status]} for status in statuses}


def document(app: FastAPI, public: set[str]) -> None:
    """/openapi.json as described above. Every /api and /rest operation needs a credential
    except the paths in `public`."""
    ids = _operation_ids(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app, public, ids)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI, public: set[str], ids: dict[tuple[str, str], str]) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    components = schema.setdefault("components", {})
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in schema["paths"].items():
        for method, entry in operations.items():
            if path not in public and path.startswith(("/api/", "/rest/")):
                entry["security"] = [{name: []} for name in SECURITY_SCHEMES]
            entry["operationId"] = ids[(path, method)]
            _declare_errors(Operation(path, method, entry))
            for parameter in entry.get("parameters", ()):
                parameter["schema"] = _not_null(parameter["schema"])
    # Our handlers answer every request problem in the documented shapes above, never
    # FastAPI's `HTTPValidationError`.
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update({"Error": API_ERROR, "PostgRESTError": POSTGREST_ERROR})
    return schema


def _declare_errors(op: Operation) -> None:
    responses = op.entry["responses"]
    declared = {int(s) for s in responses if s.isdigit() and int(s) >= 400}
    if "422" in responses and _is_fastapi_422(responses["422"]):
        declared.discard(422)
        del responses["422"]
    statuses = declared | {status for status, applies in COMMON if applies(op)}
    body = {"$ref": "#/components/schemas/" + ("PostgRESTError" if op.postgrest else "Error")}
    for status in sorted(statuses):
        entry = responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
        entry.setdefault("content", {"application/json": {"schema": body}})
        if status in _HEADERS:
            entry.setdefault("headers", _HEADERS[status])
    op.entry["responses"] = dict(sorted(responses.items()))


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without pydantic's `null` branch (`anyOf: [X, {type: null}]` for
    `X | None = None`): a parameter is absent, never null ("null" is a string to a server)."""
    branches = [b for b in schema.get("anyOf", ()) if b != {"type": "null"}]
    if len(branches) != 1 or len(branches) == len(schema["anyOf"]):
        return schema
    return {**branches[0], **{k: v for k, v in schema.items() if k != "anyOf"}}


def _is_fastapi_422(entry: dict[str, Any]) -> bool:
    schema = entry.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))


def _operation_ids(app: FastAPI) -> dict[tuple[str, str], str]:
    """(path, method) → the endpoint's function name (`create_record`): short and stable for
    client generators. Two documented operations with one name fail at start-up."""
    ids = {(route.path, method.lower()): route.name
           for route in app.routes if isinstance(route, APIRoute) and route.include_in_schema
           for method in route.methods or ()}
    names = list(ids.values())
    if twice := sorted({name for name in names if names.count(name) > 1}):
        raise RuntimeError(f"operation names must be unique: {', '.join(twice)}")
    return ids
