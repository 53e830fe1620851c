"""Rights of roles and token scopes, and the sign-up body's checks (no database)."""

from __future__ import annotations

import pytest

from objectry.auth import passwords
from objectry.auth.principal import ROLE_RIGHTS, TOKEN_ROLE, Principal
from objectry.auth.schemas import Register
from objectry.errors import Forbidden, ValidationFailed
from objectry.web.bodies import parse


def token(*scopes: str) -> Principal:
    return Principal("wsp_a", TOKEN_ROLE, token_id="tok_a", scopes=frozenset(scopes))


@pytest.mark.parametrize(("role", "rights"), [
    ("viewer", {"records:read", "schema:read", "members:read"}),
    ("editor", {"records:read", "records:write", "schema:read", "members:read"}),
    ("admin", {"records:read", "records:write", "schema:read", "schema:write", "admin",
               "members:read"}),
    ("owner", {"records:read", "records:write", "schema:read", "schema:write", "admin",
               "members:read", "owner"}),
])
def test_each_role_has_exactly_its_rights(role, rights):
    everything = set().union(*ROLE_RIGHTS.values())
    user = Principal("wsp_a", role, user_id="usr_a")
    assert {r for r in everything if user.can(r)} == rights


def test_a_token_has_its_scopes_and_never_more_than_an_admin():
    reader = token("records:read")
    assert reader.can("records:read") and not reader.can("records:write")
    assert not reader.can("members:read") and not reader.can("admin")
    with pytest.raises(Forbidden, match="this token may not do that"):
        reader.require("schema:write")
    admin = token("admin")
    assert all(admin.can(r) for r in ROLE_RIGHTS["admin"]) and not admin.can("owner")
    assert reader.actor == "tok_a" and Principal("w", "viewer", user_id="usr_b").actor == "usr_b"


def test_sign_up_normalises_the_email_and_checks_the_password():
    body = parse(Register, {"email": " Ana.Lima@Example.COM ", "password": "12345678zx"})
    assert (body.email, body.full_name) == ("ana.lima@example.com", "")
    with pytest.raises(ValidationFailed) as caught:
        parse(Register, {"email": "ana@", "password": "123456789"})
    assert [(d["field"], d["code"]) for d in caught.value.details] == [
        ("email", "format"), ("password", "too_short")]
    with pytest.raises(ValidationFailed) as caught:
        parse(Register, {"email": "a@b.io", "password": "x" * (passwords.MAX_LENGTH + 1)})
    assert caught.value.details[0]["code"] == "too_long"


async def test_password_hashes_verify_and_report_old_parameters():
    hashed = await passwords.hash_password("secret password")
    assert hashed.startswith("$argon2id$")
    assert await passwords.verify(hashed, "secret password")
    assert not await passwords.verify(hashed, "Secret password")
    assert not await passwords.verify(None, "secret password")
    assert not await passwords.verify("not a hash", "secret password")
    assert not passwords.needs_rehash(hashed) and passwords.needs_rehash("not a hash")
