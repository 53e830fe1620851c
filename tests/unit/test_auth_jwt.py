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


def test_a_token_is_verified_once_and_then_remembered(monkeypatch):
    calls = []
    verify = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: calls.append(1) or verify(*a, **k))
    token = make()
    first, again = jwt_codec.decode(KEY, token, "access"), jwt_codec.decode(KEY, token, "access")
    assert first == again and len(calls) == 1


def test_a_remembered_token_still_expires():
    token = make(lifetime=1)
    claims = jwt_codec.decode(KEY, token, "access")
    time.sleep(max(0.0, claims.exp - time.time()) + 0.01)
    with pytest.raises(Unauthenticated) as caught:
        jwt_codec.decode(KEY, token, "access")
    assert caught.value.message == "the token has expired"


def test_a_remembered_token_is_not_accepted_with_another_key():
    token = make()
    jwt_codec.decode(KEY, token, "access")
    with pytest.raises(Unauthenticated):
        jwt_codec.decode("x" * 48, token, "access")


def test_a_remembered_token_keeps_its_kind():
    token = make("refresh")
    assert jwt_codec.decode(KEY, token, "refresh").typ == "refresh"
    with pytest.raises(Unauthenticated) as caught:
        jwt_codec.decode(KEY, token, "access")
    assert caught.value.message == "wrong kind of token (expected access)"


def test_a_refused_token_is_refused_again_and_not_remembered():
    head, body, signature = make().split(".")
    forged = ".".join((head, body, ("A" if signature[0] != "A" else "B") + signature[1:]))
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            jwt_codec.decode(KEY, forged, "access")
    assert (KEY, forged) not in jwt_codec._verified


def test_the_remembered_tokens_are_bounded(monkeypatch):
    monkeypatch.setattr(jwt_codec, "VERIFIED_MAX", 3)
    monkeypatch.setattr(jwt_codec, "_verified", {})
    tokens = [make() for _ in range(5)]
    for token in tokens:
        jwt_codec.decode(KEY, token, "access")
    assert list(jwt_codec._verified) == [(KEY, t) for t in tokens[2:]]
    assert jwt_codec.decode(KEY, tokens[0], "access").wsp == "wsp_a"  # verified again
