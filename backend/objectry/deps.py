"""FastAPI dependencies that make handlers read like prose: `ctx: Ctx` gives state + principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from objectry.auth.principal import Principal
from objectry.lifespan import State


def get_state(request: Request) -> State:
    return request.app.state.objectry


async def current_principal(request: Request) -> Principal:
    """Until accounts exist every request acts as the owner of the default workspace.

    This is the one place that decides who is calling; the auth issue replaces its body.
    """
    state = get_state(request)
    return Principal(workspace_id=state.default_workspace_id, role="owner")


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
