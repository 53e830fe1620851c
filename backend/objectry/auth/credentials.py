"""Turn a request's credential into a Principal: a session JWT or an API token, checked against
the database on every request (revocation, logout and role changes apply at once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.datastructures import Headers

from objectry.auth import jwt_codec, repo
from objectry.auth.principal import TOKEN_ROLE, Principal, Session
from objectry.auth.secret_hash import digest
from objectry.auth.sessions import repo as sessions_repo
from objectry.auth.sessions.cache import Key
from objectry.auth.tokens import repo as tokens_repo
from objectry.auth.tokens import secret
from objectry.db import tenancy
from objectry.errors import Unauthenticated
from objectry.lifespan import State

# last_used_at is a hint for humans: writing it at most once a minute per token keeps a busy
# app's reads from each turning into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def missing() -> Unauthenticated:
    return Unauthenticated("sign in, or send an API token (Authorization: Bearer <token>)",
                           headers={"WWW-Authenticate": "Bearer"})


@dataclass(frozen=True, slots=True)
class Presented:
    bearer: str | None  # Authorization: Bearer …
    apikey: str | None  # apikey: … (Supabase's clients send it on every request)


def presented(headers: Headers) -> Presented:
    authorization = headers.get("authorization")
    bearer = None
    if authorization is not None:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise jwt_codec.invalid("use Authorization: Bearer <token>")
        bearer = value.strip()
    apikey = (headers.get("apikey") or "").strip() or None
    if bearer is None and apikey is None:
        raise missing()
    return Presented(bearer, apikey)


async def authenticate(state: State, headers: Headers) -> Principal:
    """Who acts: the Bearer credential, else the `apikey`. When both are sent and differ, the
    apikey must still be a valid credential of the same workspace: a signed-in user of one
    workspace cannot be paired with another workspace's project key."""
    given = presented(headers)
    if given.bearer is None:
        return await _apikey(state, str(given.apikey))
    principal = await _bearer(state, given.bearer)
    if given.apikey is not None and given.apikey != given.bearer:
        project = await _apikey(state, given.apikey)
        if project.workspace_id != principal.workspace_id:
            raise jwt_codec.invalid("the apikey belongs to another workspace than the"
                                    " Authorization credential")
    return principal


async def _bearer(state: State, credential: str) -> Principal:
    try:
        return await resolve(state, credential)
    except Unauthenticated as refused:
        if secret.looks_like_token(credential):
            raise
        # GoTrue answers a session JWT it cannot verify with 403 bad_jwt (an ended session:
        # session_not_found); a refused apikey stays a 401, as the API gateway answers it.
        raise refused.as_gotrue(refused.gotrue_code if refused.gotrue_status else "bad_jwt",
                                refused.gotrue_status or 403) from None


async def _apikey(state: State, credential: str) -> Principal:
    try:
        return await resolve(state, credential)
    except Unauthenticated as refused:
        raise refused.as_gotrue("no_authorization", 401) from None  # the gateway's 401


async def resolve(state: State, credential: str) -> Principal:
    if secret.looks_like_token(credential):
        return await api_token(state, credential)
    return await session(state, credential)


async def session(state: State, token: str) -> Principal:
    claims = jwt_codec.decode(state.secret_key, token, "access")
    key = (claims.wsp, claims.sub, claims.jti, claims.fam)
    row = state.sessions.get(key)
    if row is None:
        row = await _checked_session(state, key)
    if row is None:
        raise jwt_codec.invalid("this account is no longer a member of the workspace"
                                ).as_gotrue("session_not_found", 403)
    if row["blacklisted"] or row["family_revoked"]:
        raise jwt_codec.invalid("this session has ended; sign in again"
                                ).as_gotrue("session_not_found", 403)
    return Principal(workspace_id=claims.wsp, role=row["role"], user_id=claims.sub,
                     session=Session(claims.jti, claims.fam, claims.exp))


async def _checked_session(state: State, key: Key) -> dict[str, Any] | None:
    """The session's row from the database, remembered while it is valid (a logged-out or
    revoked one is refused on every request anyway, and such requests are rare)."""
    generation = state.sessions.generation
    async with tenancy.unscoped(state.pool) as conn:
        # One round trip, outside any transaction: the function scopes itself to the workspace.
        found = await sessions_repo.session_check(conn, *key)
    if found is None:
        return None
    row = dict(found)
    if not row["blacklisted"] and not row["family_revoked"]:
        state.sessions.put(key, row, generation)
    return row


async def api_token(state: State, token: str) -> Principal:
    if not secret.well_formed(token):
        raise jwt_codec.invalid()
    now, token_hash = datetime.now(UTC), digest(token)
    row = state.tokens.get(token_hash)
    if row is None:
        generation = state.tokens.generation
        async with tenancy.unscoped(state.pool) as conn:
            row = await tokens_repo.by_hash(conn, token_hash)
        if row is None or row["revoked_at"] is not None:
            raise jwt_codec.invalid("this API token is not valid or has been revoked")
        state.tokens.put(token_hash, row, generation)
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise jwt_codec.invalid("this API token has expired")
    if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_RESOLUTION:
        row["last_used_at"] = now
        await _touch(state, row)
    principal: Principal | None = row.get("principal")
    if principal is None:  # made once per cached row: it is immutable, like the row's grants
        principal = row["principal"] = Principal(
            workspace_id=row["tenant_id"], role=TOKEN_ROLE, token_id=row["id"],
            scopes=frozenset(row["scopes"]))
    return principal


async def _touch(state: State, row: dict[str, object]) -> None:
    async with tenancy.unscoped(state.pool, transaction=True) as conn:
        await repo.set_tenant(conn, str(row["tenant_id"]))
        await tokens_repo.touch(conn, str(row["tenant_id"]), str(row["id"]))
