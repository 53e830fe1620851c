"""A small client for Objectry's public API: credentials (when accounts exist) and helpers.

`connect()` registers the first user, logs in and creates an all-scopes API token, then sends
`Authorization: Bearer <token>` on every request; while the auth routes do not exist yet (404)
it falls back to no credentials, which the server then accepts as the default workspace owner.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

SCOPES = ["records:read", "records:write", "schema:read", "schema:write", "admin"]
USER = {"email": "bench@example.com", "password": "bench-password-0123456789",
        "full_name": "Bench Runner"}


class ApiError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"{response.request.method} {response.request.url} → "
                         f"{response.status_code}: {response.text[:500]}")
        self.status = response.status_code


@dataclass
class Api:
    client: httpx.AsyncClient
    headers: dict[str, str]  # the credential, also handed to the load generator
    auth_mode: str  # "api token" or "none (no auth routes yet)"

    async def call(self, method: str, path: str, body: Any = None, *,
                   ok: Iterable[int] = (200, 201, 204), **params: Any) -> Any:
        content = None if body is None else orjson.dumps(body)
        headers = dict(self.headers)
        if content is not None:
            headers["content-type"] = "application/json"
        response = await self.client.request(method, path, content=content, headers=headers,
                                             params=params or None)
        if response.status_code not in ok:
            raise ApiError(response)
        return orjson.loads(response.content) if response.content else None

    async def status_of(self, method: str, path: str, body: Any = None,
                        headers: dict[str, str] | None = None) -> int:
        """One probe request: its HTTP status (used to tell pending endpoints apart)."""
        content = None if body is None else orjson.dumps(body)
        merged = {**self.headers, **(headers or {})}
        if content is not None:
            merged["content-type"] = "application/json"
        response = await self.client.request(method, path, content=content, headers=merged)
        return response.status_code

    async def aclose(self) -> None:
        await self.client.aclose()


async def connect(base_url: str, transport: httpx.AsyncBaseTransport | None = None,
                  user: dict[str, str] = USER) -> Api:
    """`transport`: e.g. httpx.ASGITransport to call an app in this process; `user`: another
    account (and so another workspace; a second sign-up needs OBJECTRY_OPEN_SIGNUP=1)."""
    client = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(600.0),
                               limits=httpx.Limits(max_connections=64), transport=transport)
    api = Api(client, {}, "none (no auth routes yet)")
    register = await client.post("/api/auth/register", json=user)
    if register.status_code in (404, 405):
        return api
    if register.status_code not in (200, 201):
        raise ApiError(register)
    login = await client.post("/api/auth/login",
                              json={"email": user["email"], "password": user["password"]})
    if login.status_code != 200:
        raise ApiError(login)
    api.headers = {"authorization": f"Bearer {login.json()['access_token']}"}
    token = await api.call("POST", "/api/tokens", {"name": "bench", "scopes": SCOPES})
    api.headers = {"authorization": f"Bearer {token['token']}"}
    api.auth_mode = "api token (Authorization: Bearer)"
    return api


async def session_jwt(api: Api, user: dict[str, str] = USER) -> str:
    """An access token of `user`, signed in anew: what a signed-in app (supabase-js after
    sign-in) sends instead of an API token."""
    return str((await api.call("POST", "/api/auth/login", {
        "email": user["email"], "password": user["password"]}))["access_token"])


async def bounded(jobs: Iterable[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    """Run the jobs with at most `limit` in flight; results in input order."""
    jobs = list(jobs)
    results: list[Any] = [None] * len(jobs)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(jobs)):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            results[i] = await jobs[i]()

    await asyncio.gather(*(worker() for _ in range(max(1, min(limit, len(jobs))))))
    return results
