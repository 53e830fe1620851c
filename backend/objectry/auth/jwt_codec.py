"""Session JWTs: HS256 only, with `sub`, `wsp` (workspace), `jti`, `fam` (refresh family),
`typ` ("access" or "refresh"), `iat`, `exp` and `iss`. The role is not a claim: it is read from
`workspace_members` on every request, so a demoted or removed member loses rights at once."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from objectry.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "objectry"
REQUIRED = ("sub", "wsp", "jti", "fam", "typ", "iat", "exp", "iss")


@dataclass(frozen=True, slots=True)
class Claims:
    sub: str
    wsp: str
    jti: str
    fam: str
    typ: str
    iat: int
    exp: int


def invalid(message: str = "the token is not valid") -> Unauthenticated:
    # RFC 6750: a rejected bearer token says why in WWW-Authenticate.
    return Unauthenticated(message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def encode(key: str, *, user_id: str, workspace_id: str, typ: str, family_id: str,
           lifetime_seconds: int) -> tuple[str, Claims]:
    now = int(time.time())
    claims = Claims(sub=user_id, wsp=workspace_id, jti=uuid.uuid4().hex, fam=family_id, typ=typ,
                    iat=now, exp=now + lifetime_seconds)
    payload = {"sub": claims.sub, "wsp": claims.wsp, "jti": claims.jti, "fam": claims.fam,
               "typ": claims.typ, "iat": claims.iat, "exp": claims.exp, "iss": ISSUER}
    return jwt.encode(payload, key, algorithm=ALGORITHM), claims


# Tokens this process has verified, by key and text, until their `exp`. PyJWT's verification
# (each segment's characters checked in Python, the key prepared, the HMAC) cost a signed-in
# request ~150 µs of Python, more than the rest of a GET by id (bench/notes.md, fourteenth
# round). A token's text fixes its claims and its signature, so once verified with a key it
# stays valid until it expires; what ends a session earlier (logout, revocation, a role change)
# is the session check that every request still makes (auth/credentials.py). Only verified
# tokens are kept, so the bound matters only for many sessions: the oldest is forgotten first.
_verified: dict[tuple[str, str], Claims] = {}
VERIFIED_MAX = 10_000


def decode(key: str, token: str, typ: str) -> Claims:
    """The verified claims of a token of this type, or 401. The algorithm list is pinned, so
    `alg: none` and tokens signed with another algorithm or key are refused."""
    claims = _verified.get((key, token))
    if claims is None:
        claims = _verify(key, token)
        if len(_verified) >= VERIFIED_MAX:
            del _verified[next(iter(_verified))]
        _verified[key, token] = claims
    elif claims.exp <= time.time():  # as PyJWT decides it (no leeway)
        _verified.pop((key, token), None)
        raise invalid("the token has expired")
    if claims.typ != typ:
        raise invalid(f"wrong kind of token (expected {typ})")
    return claims


def _verify(key: str, token: str) -> Claims:
    try:
        payload = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                             options={"require": list(REQUIRED)})
    except jwt.ExpiredSignatureError:
        raise invalid("the token has expired") from None
    except jwt.PyJWTError:
        raise invalid() from None
    texts = ("sub", "wsp", "jti", "fam", "typ")
    if not all(isinstance(payload[name], str) and payload[name] for name in texts):
        raise invalid()
    return Claims(**{name: payload[name] for name in (*texts, "iat", "exp")})
