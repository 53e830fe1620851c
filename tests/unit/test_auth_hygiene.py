"""Sign-up hygiene without a database: the one spelling of an e-mail, the password policy, and
which address a request comes from behind trusted proxies."""

from __future__ import annotations

import ipaddress

import pytest
from starlette.requests import Request

from objectry.auth.client_address import client_address
from objectry.auth.common_passwords import is_common
from objectry.auth.schemas import Register, lookup_email, normal_email
from objectry.errors import ValidationFailed
from objectry.settings import Settings
from objectry.web.bodies import parse


@pytest.mark.parametrize(("typed", "stored"), [
    ("Ada@EXAMPLE.com", "ada@example.com"),
    ("ＡＤＡ@example.com", "ada@example.com"),  # full-width
    ("ada＠ｅｘａｍｐｌｅ.ｃｏｍ", "ada@example.com"),
    (" ada@example.com ", "ada@example.com"),
    ("ada@bücher.de", "ada@bücher.de"),
    ("ada@xn--bcher-kva.de", "ada@bücher.de"),
    ("ADA@BÜCHER.DE", "ada@bücher.de"),
    ("Ünïcode@Example.com", "ünïcode@example.com"),
])
def test_every_spelling_of_an_address_is_one(typed, stored):
    assert normal_email(typed) == stored
    assert lookup_email(typed) == stored


def test_an_address_that_does_not_parse_is_looked_up_folded():
    assert lookup_email(" ＮＯＢＯＤＹ ") == "nobody"


@pytest.mark.parametrize(("password", "code"), [
    ("123456789", "too_short"),
    ("short", "too_short"),
    ("1234567890", "too_common"),
    ("QwertyUIOP", "too_common"),  # the list is compared lower-cased
    ("basketball", "too_common"),
    ("x" * 1025, "too_long"),
])
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationFailed) as caught:
        parse(Register, {"email": "a@example.com", "password": password})
    assert [(d["field"], d["code"]) for d in caught.value.details] == [("password", code)]


def test_the_common_list_has_ten_thousand_entries_and_passes_the_rest():
    assert is_common("password") and is_common("PASSWORD") and is_common("123456")
    assert not is_common("correct horse battery staple")
    assert parse(Register, {"email": "a@example.com", "password": "0123456789x"}).password


TRUSTED = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "2001:db8::/32"))


def request(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 1234), "headers": headers})


@pytest.mark.parametrize(("peer", "forwarded", "seen"), [
    ("198.51.100.7", (), "198.51.100.7"),
    ("198.51.100.7", ("203.0.113.9",), "198.51.100.7"),  # an untrusted peer's header is ignored
    ("10.0.0.5", (), "10.0.0.5"),
    ("10.0.0.5", ("203.0.113.9",), "203.0.113.9"),
    ("10.0.0.5", ("1.2.3.4, 203.0.113.9",), "203.0.113.9"),  # what the client wrote is skipped
    ("10.0.0.5", ("203.0.113.9, 10.1.2.3",), "203.0.113.9"),  # past every trusted hop
    ("10.0.0.5", ("1.2.3.4", "203.0.113.9, 10.1.2.3"), "203.0.113.9"),  # several headers
    ("10.0.0.5", ("10.9.9.9, 10.1.2.3",), "10.9.9.9"),  # all ours: the left-most
    ("10.0.0.5", ("garbage, 10.1.2.3",), "garbage"),
    ("2001:db8::1", ("2001:db9::7",), "2001:db9::7"),
])
def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy(peer, forwarded,
                                                                           seen):
    assert client_address(request(peer, *forwarded), TRUSTED) == seen


def test_without_trusted_proxies_the_peer_is_the_client():
    assert client_address(request("10.0.0.5", "203.0.113.9"), ()) == "10.0.0.5"


def test_the_hygiene_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("OBJECTRY_SIGNUP_LIMIT", "7")
    monkeypatch.setenv("OBJECTRY_TRUSTED_PROXIES", " 10.0.0.0/8, 192.0.2.1 ,2001:db8::/32")
    monkeypatch.setenv("OBJECTRY_SMTP_URL", "smtp://mail.example.org")
    monkeypatch.setenv("OBJECTRY_PUBLIC_URL", "https://objectry.example.org")
    settings = Settings.from_env()
    assert settings.signup_limit == 7
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "192.0.2.1/32",
                                                         "2001:db8::/32"]
    assert (settings.smtp_url, settings.public_url) == ("smtp://mail.example.org",
                                                        "https://objectry.example.org")
    monkeypatch.setenv("OBJECTRY_TRUSTED_PROXIES", "not a network")
    with pytest.raises(ValueError):
        Settings.from_env()


def test_by_default_there_is_no_proxy_no_mail_and_twenty_sign_ups(monkeypatch):
    for name in ("OBJECTRY_SIGNUP_LIMIT", "OBJECTRY_TRUSTED_PROXIES", "OBJECTRY_SMTP_URL",
                 "OBJECTRY_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert (settings.signup_limit, settings.trusted_proxies, settings.smtp_url,
            settings.public_url) == (20, (), None, None)
