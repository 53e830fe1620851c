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


def decode(key: str, token: str, typ: str) -> Claims:
    """The verified claims of a token of this type, or 401. The algorithm list is pinned, so
    `alg: none` and tokens signed with another algorithm or key are refused."""
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
    if payload["typ"] != typ:
        raise invalid(f"wrong kind of token (expected {typ})")
    return Claims(**{name: payload[name] for name in (*texts, "iat", "exp")})
