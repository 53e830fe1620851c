"""Session JWT encoding and the checks decode() makes (no database)."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from objectry.auth import jwt_codec
from objectry.errors import Unauthenticated

KEY = "k" * 48


def make(typ: str = "access", lifetime: int = 60) -> str:
    token, _ = jwt_codec.encode(KEY, user_id="usr_a", workspace_id="wsp_a", typ=typ,
                                family_id="fam", lifetime_seconds=lifetime)
    return token


def payload(**changes):
    now = int(time.time())
    base = {"sub": "usr_a", "wsp": "wsp_a", "jti": "j", "fam": "f", "typ": "access",
            "iat": now, "exp": now + 60, "iss": "objectry", **changes}
    return {k: v for k, v in base.items() if v is not None}


def test_a_token_round_trips_with_every_claim():
    claims = jwt_codec.decode(KEY, make(), "access")
    assert (claims.sub, claims.wsp, claims.fam, claims.typ) == ("usr_a", "wsp_a", "fam",
                                                                "access")
    assert claims.exp - claims.iat == 60 and len(claims.jti) == 32
    header = json.loads(base64.urlsafe_b64decode(make().split(".")[0] + "=="))
    assert header["alg"] == "HS256"


def test_two_tokens_never_share_a_jti():
    assert jwt_codec.decode(KEY, make(), "access").jti != jwt_codec.decode(
        KEY, make(), "access").jti


@pytest.mark.parametrize("token", [
    pytest.param(make("refresh"), id="wrong kind"),
    pytest.param(make(lifetime=-5), id="expired"),
    pytest.param(jwt.encode(payload(), "x" * 48, algorithm="HS256"), id="other key"),
    pytest.param(jwt.encode(payload(), KEY, algorithm="HS384"), id="other algorithm"),
    pytest.param(jwt.encode(payload(), None, algorithm="none"), id="alg none"),
    pytest.param(jwt.encode(payload(iss="x"), KEY), id="other issuer"),
    pytest.param(jwt.encode(payload(fam=None), KEY), id="no family"),
    pytest.param(jwt.encode(payload(wsp=""), KEY), id="empty workspace"),
    pytest.param(jwt.encode(payload(sub=["usr_a"]), KEY), id="list subject"),
    pytest.param("not-a-token", id="garbage"),
])
def test_decode_refuses(token):
    with pytest.raises(Unauthenticated) as caught:
        jwt_codec.decode(KEY, token, "access")
    assert caught.value.headers == {"WWW-Authenticate": 'Bearer error="invalid_token"'}
