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
from objectry.db.replica import parse_lsn, request_needs
from objectry.errors import BadRequest, detail
from objectry.lifespan import State
from objectry.web.read_your_writes import LSN, MIN_LSN


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
    principal = await credentials.authenticate(state, request.headers)
    if (needs := request_needs.get()) is not None:  # a read replica (web/read_your_writes.py)
        needs.principal = principal.actor
        if (given := request.headers.get(MIN_LSN)) is not None:
            needs.given = _lsn(given)
    return Context(state, principal)


def _lsn(given: str) -> int:
    lsn = parse_lsn(given)
    if lsn is None:
        raise BadRequest(f"{MIN_LSN} must be a WAL position such as 0/16B3748, as given in "
                         f"{LSN}", [detail(MIN_LSN, "format", "is not a WAL position")])
    return lsn


Ctx = Annotated[Context, Depends(context)]
