"""/docs shows how to call every auth, member, invitation and token write: its request body is
the pydantic model the route parses (no database: the app is built, never started)."""

from __future__ import annotations

from typing import Any

import pytest

from objectry.auth import schemas as s
from objectry.main import create_app
from objectry.settings import Settings

WORKSPACE = "/api/workspaces/{workspace_id}"
BODIES = {
    ("post", "/api/auth/register"): s.Register,
    ("post", "/api/auth/login"): s.Login,
    ("post", "/api/auth/refresh"): s.Refresh,
    ("post", WORKSPACE + "/members"): s.MemberAdd,
    ("patch", WORKSPACE + "/members/{user_id}"): s.MemberUpdate,
    ("post", "/api/invitations/accept"): s.InvitationAccept,
    ("post", "/api/tokens"): s.TokenCreate,
}
# Writes that take no body.
NO_BODY = {("post", "/api/auth/logout"), ("delete", WORKSPACE + "/members/{user_id}"),
           ("delete", WORKSPACE + "/invitations/{invitation_id}"),
           ("delete", "/api/tokens/{token_id}")}
WRITES = ("post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def paths() -> dict[str, Any]:
    return create_app(Settings.from_env()).openapi()["paths"]


def without_nulls(value: Any) -> Any:
    """What FastAPI publishes of a JSON Schema: its document drops every null (`default: None`)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def auth_writes(paths: dict[str, Any]) -> set[tuple[str, str]]:
    prefixes = ("/api/auth/", "/api/workspaces/", "/api/invitations/", "/api/tokens")
    return {(method, path) for path, operations in paths.items() if path.startswith(prefixes)
            for method in operations if method in WRITES}


def test_every_auth_write_is_listed_here(paths: dict[str, Any]) -> None:
    assert auth_writes(paths) == set(BODIES) | NO_BODY


@pytest.mark.parametrize(("method", "path"), sorted(BODIES))
def test_the_request_body_is_the_model_the_route_parses(paths: dict[str, Any], method: str,
                                                       path: str) -> None:
    body = paths[path][method]["requestBody"]
    assert body["required"] is True
    schema = BODIES[method, path].model_json_schema()
    assert body["content"]["application/json"]["schema"] == without_nulls(schema)


def test_sign_in_documents_the_oauth2_password_form_too(paths: dict[str, Any]) -> None:
    form = paths["/api/auth/login"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["username", "password"]


@pytest.mark.parametrize(("method", "path"), sorted(NO_BODY))
def test_writes_without_a_body_document_none(paths: dict[str, Any], method: str,
                                             path: str) -> None:
    assert "requestBody" not in paths[path][method]
