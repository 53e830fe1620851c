"""Session tokens that must never be accepted: alg none, another key or algorithm, tampered,
expired, of the wrong kind or issuer, missing claims, or naming a workspace the user is not in."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest

from tests.api.conftest import client, refused, sign_up


def _segment(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims(session, **changes):
    now = int(time.time())
    base = {"sub": session.user_id, "wsp": session.workspace_id, "jti": uuid.uuid4().hex,
            "fam": uuid.uuid4().hex, "typ": "access", "iat": now, "exp": now + 600,
            "iss": "objectry"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def tampered(token: str, **changes) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_segment({**data, **changes})}.{signature}"


FORGERIES = {
    "alg none": lambda key, s: f"{_segment({'alg': 'none', 'typ': 'JWT'})}."
                               f"{_segment(claims(s))}.",
    "foreign key": lambda key, s: jwt.encode(claims(s), "k" * 64, algorithm="HS256"),
    "other algorithm": lambda key, s: jwt.encode(claims(s), key, algorithm="HS512"),
    "expired": lambda key, s: jwt.encode(claims(s, iat=int(time.time()) - 1000,
                                                exp=int(time.time()) - 10), key),
    "refresh as access": lambda key, s: s.refresh_token,
    "other issuer": lambda key, s: jwt.encode(claims(s, iss="elsewhere"), key),
    "no jti": lambda key, s: jwt.encode(claims(s, jti=None), key),
    "no exp": lambda key, s: jwt.encode(claims(s, exp=None), key),
    "numeric sub": lambda key, s: jwt.encode(claims(s, sub=7), key),
    "tampered role": lambda key, s: tampered(s.access_token, role="owner", sub="usr_x"),
    "tampered signature": lambda key, s: s.access_token[:-4] + "AAAA",
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
async def test_forged_session_tokens_are_401(app, session, forgery):
    token = FORGERIES[forgery](app.state.objectry.secret_key, session)
    async with client(app, {"Authorization": f"Bearer {token}"}) as caller:
        refused(await caller.get("/api/objects"), 401, "unauthenticated")
        refused(await caller.get("/api/auth/me"), 401, "unauthenticated")


async def test_a_signed_token_for_a_workspace_the_user_is_not_in_is_401(app, session):
    # Even with the real key (a leaked one, say), membership is checked in the database.
    victim = await sign_up(app)
    forged = jwt.encode(claims(session, wsp=victim.workspace_id), app.state.objectry.secret_key)
    moved = tampered(session.access_token, wsp=victim.workspace_id)
    for token in (forged, moved):
        async with client(app, {"Authorization": f"Bearer {token}"}) as caller:
            refused(await caller.get("/api/objects"), 401, "unauthenticated")


async def test_the_real_token_still_works(app, session):
    async with client(app, session.headers) as caller:
        assert (await caller.get("/api/auth/me")).status_code == 200
