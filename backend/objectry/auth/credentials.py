"""Turn a request's credential into a Principal: a session JWT or an API token, checked against
the database on every request (revocation, logout and role changes apply at once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.datastructures import Headers

from objectry.auth import jwt_codec, repo
from objectry.auth.principal import TOKEN_ROLE, Principal, Session
from objectry.auth.secret_hash import digest
from objectry.auth.sessions import repo as sessions_repo
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


def presented(headers: Headers) -> str:
    """The credential: `Authorization: Bearer …` wins; else the `apikey` header (Supabase)."""
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise jwt_codec.invalid("use Authorization: Bearer <token>")
        return value.strip()
    apikey = (headers.get("apikey") or "").strip()
    if not apikey:
        raise missing()
    return apikey


async def authenticate(state: State, headers: Headers) -> Principal:
    return await verify(state, presented(headers))


async def verify(state: State, credential: str) -> Principal:
    """Who a credential is: an API token or a session JWT (also /realtime/v1's sockets)."""
    if secret.looks_like_token(credential):
        return await api_token(state, credential)
    return await session(state, credential)


async def session(state: State, token: str) -> Principal:
    claims = jwt_codec.decode(state.secret_key, token, "access")
    async with tenancy.unscoped(state.pool) as conn:
        # One round trip, outside any transaction: the function scopes itself to claims.wsp.
        row = await sessions_repo.session_check(conn, claims.wsp, claims.sub, claims.jti,
                                                claims.fam)
    if row is None:
        raise jwt_codec.invalid("this account is no longer a member of the workspace")
    if row["blacklisted"] or row["family_revoked"]:
        raise jwt_codec.invalid("this session has ended; sign in again")
    return Principal(workspace_id=claims.wsp, role=row["role"], user_id=claims.sub,
                     session=Session(claims.jti, claims.fam, claims.exp))


async def api_token(state: State, token: str) -> Principal:
    if not secret.well_formed(token):
        raise jwt_codec.invalid()
    now, token_hash = datetime.now(UTC), digest(token)
    row = state.tokens.get(token_hash)
    if row is None:
        async with tenancy.unscoped(state.pool) as conn:
            row = await tokens_repo.by_hash(conn, token_hash)
        if row is None or row["revoked_at"] is not None:
            raise jwt_codec.invalid("this API token is not valid or has been revoked")
        state.tokens.put(token_hash, row)
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise jwt_codec.invalid("this API token has expired")
    if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_RESOLUTION:
        row["last_used_at"] = now
        await _touch(state, row)
    return Principal(workspace_id=row["tenant_id"], role=TOKEN_ROLE, token_id=row["id"],
                     scopes=frozenset(row["scopes"]))


async def _touch(state: State, row: dict[str, object]) -> None:
    async with tenancy.unscoped(state.pool, transaction=True) as conn:
        await repo.set_tenant(conn, str(row["tenant_id"]))
        await tokens_repo.touch(conn, str(row["tenant_id"]), str(row["id"]))
