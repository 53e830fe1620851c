"""FastAPI dependencies that make handlers read like prose: `ctx: Ctx` gives state + principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from objectry.auth import credentials
from objectry.auth.principal import Principal
from objectry.lifespan import State


def get_state(request: Request) -> State:
    return request.app.state.objectry


# Declared for the OpenAPI docs ("Authorize" logs in through /api/auth/login); the headers are
# read by auth.credentials, which also accepts an API token in either header.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/login", auto_error=False)
apikey_scheme = APIKeyHeader(name="apikey", auto_error=False)


async def current_principal(request: Request,
                            _bearer: Annotated[str | None, Depends(oauth2_scheme)],
                            _apikey: Annotated[str | None, Depends(apikey_scheme)]) -> Principal:
    """The one place that decides who is calling: the request's session JWT or API token,
    checked against the database on every request. No valid credential is a 401."""
    return await credentials.authenticate(get_state(request), request.headers)


@dataclass(frozen=True, slots=True)
class Context:
    state: State
    principal: Principal

    @property
    def tenant_id(self) -> str:
        return self.principal.workspace_id


async def context(request: Request,
                  principal: Annotated[Principal, Depends(current_principal)]) -> Context:
    return Context(get_state(request), principal)


Ctx = Annotated[Context, Depends(context)]
