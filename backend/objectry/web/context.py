"""FastAPI dependencies that make handlers read like prose: `ctx: Ctx` gives state + principal.

`Ctx` is a single dependency on purpose: each extra level of `Depends` costs FastAPI's solver
more than the whole credential check (measured, bench/PROFILE.md), and every request pays it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

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
