"""`/realtime/v1/websocket?apikey=…&vsn=1.0.0|2.0.0`: the socket Supabase's clients open."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from objectry.auth import credentials
from objectry.errors import APIError
from objectry.realtime.protocol import VERSIONS
from objectry.realtime.socket import Socket
from objectry.web.context import Context

router = APIRouter()
POLICY_VIOLATION = 1008


@router.websocket("/realtime/v1/websocket")
async def websocket(ws: WebSocket) -> None:
    state = ws.app.state.objectry  # lifespan.State (not imported: lifespan imports this package)
    vsn = ws.query_params.get("vsn", "1.0.0")
    credential = (ws.query_params.get("apikey") or ws.headers.get("apikey") or "").strip()
    if vsn not in VERSIONS or not credential:
        await ws.close(POLICY_VIOLATION)  # before accept: the upgrade is refused (403)
        return
    try:
        ctx = Context(state, await credentials.verify(state, credential))
    except APIError:
        await ws.close(POLICY_VIOLATION)
        return
    await ws.accept()
    await Socket(ctx, state.realtime, ws, vsn, credential).run()
