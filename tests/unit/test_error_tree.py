"""The error tree drawn in objectry/errors.py is the truth: every class is drawn where it sits,
and renders in both dialects with the status and code the drawing gives; the dialect follows
the path (web/error_dialects.py)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from objectry import errors
from objectry.errors import (
    APIError,
    Conflict,
    MethodNotAllowed,
    NoRoute,
    QueryError,
    Unauthenticated,
    ValidationFailed,
    detail,
    from_db_error,
)
from objectry.web.error_dialects import (
    render_api,
    render_gotrue,
    render_postgrest,
    renderer_for,
)

# `├── Name   400 bad_request   400 PGRST100   (note)`, or `its own …` for QueryError.
ROW = re.compile(r"^(?P<lead>[ │├└─]*)(?P<name>[A-Z]\w+)\s+(?P<api>\d{3}) (?P<api_code>\w+)\s+"
                 r"(?:(?P<rest>\d{3}) (?P<rest_code>\w+)|its own)")
CREDENTIAL = {"authorization": "Bearer x"}
PROBLEM = detail("title", "required", "a title is required")


def drawn() -> list[dict[str, Any]]:
    rows = []
    for line in (errors.__doc__ or "").splitlines():
        if match := ROW.match(line):
            rows.append({**match.groupdict(), "depth": len(match["lead"]) // 4})
    return rows


def classes(base: type[APIError] = APIError) -> set[type[APIError]]:
    found = {base}
    for sub in base.__subclasses__():
        found |= classes(sub)
    return found


def example(cls: type[APIError]) -> APIError:
    """One error of this class, as its raise sites make them."""
    makers: dict[type[APIError], Any] = {
        ValidationFailed: lambda: ValidationFailed([PROBLEM]),
        NoRoute: lambda: NoRoute("/nowhere"),
        MethodNotAllowed: lambda: MethodNotAllowed("TRACE", "GET, POST"),
        QueryError: lambda: QueryError("PGRST100", "a bad query"),
        errors.QueryTimeout: errors.QueryTimeout,
    }
    return makers.get(cls, lambda: cls("refused"))()


def body(response: Any) -> Any:
    return orjson.loads(response.body)


def test_the_drawing_has_every_class_under_its_parent():
    rows = drawn()
    assert {row["name"] for row in rows} == {cls.__name__ for cls in classes()}
    for i, row in enumerate(rows[1:], start=1):
        parent = next(r for r in reversed(rows[:i]) if r["depth"] == row["depth"] - 1)
        assert getattr(errors, row["name"]).__bases__ == (getattr(errors, parent["name"]),)


@pytest.mark.parametrize("row", drawn(), ids=lambda row: row["name"])
def test_every_class_renders_in_both_dialects_as_drawn(row):
    exc = example(getattr(errors, row["name"]))
    api = render_api(exc, CREDENTIAL)
    assert (api.status_code, body(api)["error"]["code"]) == (int(row["api"]), row["api_code"])
    assert set(body(api)) == {"error"} and set(body(api)["error"]) == {"code", "message",
                                                                        "details"}
    assert api.headers["content-type"] == "application/json"
    rest = render_postgrest(exc, CREDENTIAL)
    if row["rest"]:
        assert (rest.status_code, body(rest)["code"]) == (int(row["rest"]), row["rest_code"])
    assert set(body(rest)) == {"code", "message", "details", "hint"}
    assert rest.headers["proxy-status"] == f"PostgREST; error={body(rest)['code']}"
    assert rest.headers["content-type"] == "application/json; charset=utf-8"
    for response in (api, rest):  # headers the error carries go out in both dialects
        assert all(response.headers[k] == v for k, v in (exc.headers or {}).items())


def test_validation_problems_are_the_details_in_both_dialects():
    exc = ValidationFailed([PROBLEM])
    assert body(render_api(exc, {}))["error"]["details"] == [PROBLEM]
    assert body(render_postgrest(exc, {}))["details"] == [PROBLEM]
    assert body(render_postgrest(errors.Forbidden("no"), {}))["details"] is None


def test_a_query_error_is_postgrests_own_and_a_bad_request_on_api():
    exc = QueryError("PGRST201", "ambiguous", [{"embedding": "a"}], "pick one", status=300,
                     headers={"X-Why": "test"})
    rest = render_postgrest(exc, {})
    assert rest.status_code == 300 and body(rest) == {
        "code": "PGRST201", "message": "ambiguous", "details": [{"embedding": "a"}],
        "hint": "pick one"}
    assert rest.headers["x-why"] == "test"
    api = render_api(exc, {})
    assert api.status_code == 400 and body(api)["error"] == {
        "code": "bad_request", "message": "ambiguous", "details": [
            detail("query", "PGRST201", "[{'embedding': 'a'}]"),
            detail("query", "PGRST201", "pick one")]}
    bare = body(render_api(QueryError("42703", "no such column"), {}))["error"]["details"]
    assert bare == [detail("query", "42703", "no such column")]


def test_postgrest_tells_a_refused_credential_from_none():
    assert body(render_postgrest(Unauthenticated("no"), CREDENTIAL))["code"] == "PGRST301"
    assert body(render_postgrest(Unauthenticated("no"), {"apikey": "x"}))["code"] == "PGRST301"
    assert body(render_postgrest(Unauthenticated("no"), {}))["code"] == "PGRST302"


def test_a_restrict_link_is_postgresqls_foreign_key_violation():
    blocked = Conflict("in use", [detail("company", "restrict", "linked records")])
    assert body(render_postgrest(blocked, {}))["code"] == "23503"
    assert body(render_api(blocked, {}))["error"]["code"] == "conflict"


def test_no_route_and_a_wrong_method_in_each_dialects_words():
    assert body(render_postgrest(NoRoute("/rest/v1/a/b"), {}))["message"] == (
        "Invalid path specified in request URL")
    assert body(render_api(NoRoute("/nowhere"), {}))["error"]["message"] == (
        "nothing is served at /nowhere")
    wrong = MethodNotAllowed("TRACE", "GET, POST")
    assert body(render_postgrest(wrong, {}))["message"] == "Unsupported HTTP method: TRACE"
    assert body(render_api(wrong, {}))["error"]["message"] == "TRACE is not allowed on this path"
    assert MethodNotAllowed("TRACE", None).headers is None


class FakeDbError(Exception):
    def __init__(self, sqlstate: str) -> None:
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("sqlstate", "api", "rest"), [
    ("23505", (409, "conflict"), (409, "23505")),
    ("23503", (409, "conflict"), (409, "23503")),
    ("40P01", (409, "conflict"), (409, "40P01")),
    ("23514", (422, "validation_failed"), (400, "23514")),
    ("54000", (422, "validation_failed"), (400, "54000")),
    ("22P02", (400, "bad_request"), (400, "22P02")),
    ("22021", (400, "bad_request"), (400, "22021")),
    ("OB413", (400, "response_too_large"), (400, "response_too_large")),
    ("57014", (503, "query_timeout"), (503, "query_timeout")),
    # The database going away, restarting, or out of connection slots.
    ("08006", (503, "unavailable"), (503, "unavailable")),
    ("08003", (503, "unavailable"), (503, "unavailable")),
    ("57P01", (503, "unavailable"), (503, "unavailable")),
    ("57P02", (503, "unavailable"), (503, "unavailable")),
    ("57P03", (503, "unavailable"), (503, "unavailable")),
    ("53300", (503, "unavailable"), (503, "unavailable")),
])
def test_database_errors_by_sqlstate_in_both_dialects(sqlstate, api, rest):
    exc = from_db_error(FakeDbError(sqlstate))
    assert exc is not None
    as_api, as_rest = render_api(exc, {}), render_postgrest(exc, {})
    assert (as_api.status_code, body(as_api)["error"]["code"]) == api
    assert (as_rest.status_code, body(as_rest)["code"]) == rest
    assert body(as_rest)["details"] is None  # PostgREST passes on the SQLSTATE alone
    assert body(as_rest)["message"] == body(as_api)["error"]["message"]
    if api[0] == 503:
        assert as_api.headers["retry-after"] == as_rest.headers["retry-after"]


def test_a_database_error_not_in_the_table_is_a_bug():
    assert from_db_error(FakeDbError("XX000")) is None
    assert from_db_error(Exception("no sqlstate")) is None


@pytest.mark.parametrize(("path", "dialect"), [
    ("/rest", render_postgrest), ("/rest/v1/note", render_postgrest), ("/rest/", render_postgrest),
    ("/restaurant", render_api), ("/api/objects", render_api), ("/", render_api),
    ("/admin/index.html", render_api), ("/auth/v1/token", render_gotrue),
    ("/auth/v1", render_gotrue), ("/auth/v10", render_api)])
def test_the_path_picks_the_dialect(path, dialect):
    assert renderer_for(path) is dialect


def test_errors_imports_only_the_standard_library():
    """So the pure query compiler can raise its errors."""
    tree = ast.parse(Path(errors.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {name.split(".")[0] for name in imported} <= set(sys.stdlib_module_names)


@pytest.mark.parametrize(("error", "status", "error_code"), [
    (errors.BadRequest("x"), 400, "bad_json"),
    (errors.Unauthenticated("x"), 401, "no_authorization"),
    (errors.Forbidden("x"), 403, "not_admin"),
    (errors.NoRoute("/auth/v1/nope"), 404, "not_found"),
    (errors.Conflict("x"), 409, "conflict"),
    (errors.ValidationFailed([errors.detail("email", "format", "bad")]), 400,
     "validation_failed"),
    (errors.RateLimited("x", headers={"Retry-After": "3"}), 429, "over_request_rate_limit"),
    (errors.Unavailable(), 503, "unexpected_failure"),
    (errors.APIError("bug"), 500, "unexpected_failure"),
    (errors.Unauthenticated("x").as_gotrue("invalid_credentials", 400, "Invalid login"), 400,
     "invalid_credentials"),
])
def test_gotrue_faces(error, status, error_code):
    response = render_gotrue(error, {})
    body = orjson.loads(response.body)
    assert response.status_code == status
    assert body == {"code": status, "error_code": error_code,
                    "msg": error.gotrue_message or body["msg"]}
    for name, value in (error.headers or {}).items():
        assert response.headers[name] == value


def test_a_refused_password_is_gotrues_weak_password_with_its_reasons():
    refused = errors.ValidationFailed([
        errors.detail("password", "too_short", "must be at least 10 characters")])
    response = render_gotrue(refused, {})
    assert response.status_code == 422
    assert orjson.loads(response.body) == {
        "code": 422, "error_code": "weak_password", "weak_password": {"reasons": ["length"]},
        "msg": "password: must be at least 10 characters"}
