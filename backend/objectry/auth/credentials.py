"""Turn a request's credential into a Principal: a session JWT or an API token, checked against
the database on every request (revocation, logout and role changes apply at once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.datastructures import Headers

from objectry.auth import apitokens, jwt_codec
from objectry.auth.principal import TOKEN_ROLE, Principal, Session
from objectry.errors import Unauthenticated
from objectry.lifespan import State
from objectry.workspaces import set_tenant

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
    credential = presented(headers)
    if apitokens.looks_like_token(credential):
        return await api_token(state, credential)
    return await session(state, credential)


async def session(state: State, token: str) -> Principal:
    claims = jwt_codec.decode(state.secret_key, token, "access")
    async with state.pool.acquire() as conn:
        # One round trip, outside any transaction: the function scopes itself to claims.wsp.
        row = await conn.fetchrow("SELECT * FROM objectry_session_check($1, $2, $3, $4)",
                                  claims.wsp, claims.sub, claims.jti, claims.fam)
    if row is None:
        raise jwt_codec.invalid("this account is no longer a member of the workspace")
    if row["blacklisted"] or row["family_revoked"]:
        raise jwt_codec.invalid("this session has ended; sign in again")
    return Principal(workspace_id=claims.wsp, role=row["role"], user_id=claims.sub,
                     session=Session(claims.jti, claims.fam, claims.exp))


async def api_token(state: State, token: str) -> Principal:
    if not apitokens.well_formed(token):
        raise jwt_codec.invalid()
    now, digest = datetime.now(UTC), apitokens.digest(token)
    row = state.tokens.get(digest)
    if row is None:
        async with state.pool.acquire() as conn:
            found = await conn.fetchrow("SELECT * FROM objectry_token_lookup($1)", digest)
        if found is None or found["revoked_at"] is not None:
            raise jwt_codec.invalid("this API token is not valid or has been revoked")
        row = dict(found)
        state.tokens.put(digest, row)
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise jwt_codec.invalid("this API token has expired")
    if row["last_used_at"] is None or now - row["last_used_at"] >= LAST_USED_RESOLUTION:
        row["last_used_at"] = now
        await _touch(state, row)
    return Principal(workspace_id=row["tenant_id"], role=TOKEN_ROLE, token_id=row["id"],
                     scopes=frozenset(row["scopes"]))


async def _touch(state: State, row: dict[str, object]) -> None:
    async with state.pool.acquire() as conn, conn.transaction():
        await set_tenant(conn, str(row["tenant_id"]))
        await conn.execute("UPDATE api_tokens SET last_used_at = now()"
                           " WHERE tenant_id = $1 AND id = $2", row["tenant_id"], row["id"])
