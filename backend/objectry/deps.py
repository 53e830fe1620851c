"""FastAPI dependencies that make handlers read like prose: `ctx: Ctx` gives state + principal.

`Ctx` is a single dependency on purpose: each extra level of `Depends` costs FastAPI's solver
more than the whole credential check (measured, bench/PROFILE.md), and every request pays it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi

from objectry.auth import credentials
from objectry.auth.principal import Principal
from objectry.lifespan import State


def get_state(request: Request) -> State:
    return request.app.state.objectry


@dataclass(frozen=True, slots=True)
class Context:
    state: State
    principal: Principal

    @property
    def tenant_id(self) -> str:
        return self.principal.workspace_id


async def context(request: Request) -> Context:
    """The one place that decides who is calling: the request's session JWT or API token,
    checked on every request (auth.credentials). No valid credential is a 401."""
    state = get_state(request)
    return Context(state, await credentials.authenticate(state, request.headers))


Ctx = Annotated[Context, Depends(context)]

# The OpenAPI document's security: declared here rather than as security dependencies, which
# FastAPI would solve on every request only to read headers that auth.credentials reads anyway.
# "Authorize" in /docs logs in through /api/auth/login or takes an API token.
SECURITY_SCHEMES = {
    "OAuth2PasswordBearer": {"type": "oauth2",
                             "flows": {"password": {"tokenUrl": "/api/auth/login", "scopes": {}}}},
    "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "apikey"},
}


def document_security(app: FastAPI, public: set[str]) -> None:
    """Every operation needs a credential except the paths in `public`."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            for path, operations in schema["paths"].items():
                if path not in public and path.startswith(("/api/", "/rest/")):
                    for operation in operations.values():
                        operation["security"] = [{name: []} for name in SECURITY_SCHEMES]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
