"""OBJECTRY_SMTP_URL as the mailer reads it, and the join link (no network)."""

from __future__ import annotations

import pytest

from objectry.auth.members.invitation_mail import Smtp, join_link, parse_url


@pytest.mark.parametrize(("url", "parsed"), [
    ("smtp://mail.example.org", Smtp("smtp", "mail.example.org", 25, False, None, None, None)),
    ("smtp://u:p@mail.example.org?starttls=true",
     Smtp("smtp", "mail.example.org", 587, True, "u", "p", None)),
    ("smtps://a%40b.c:p%2Fw@mail.example.org:2465?from=me@example.org",
     Smtp("smtps", "mail.example.org", 2465, False, "a@b.c", "p/w", "me@example.org")),
    ("smtps://mail.example.org", Smtp("smtps", "mail.example.org", 465, False, None, None, None)),
])
def test_smtp_urls(url, parsed):
    assert parse_url(url) == parsed


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org",
                                 "smtps://mail.example.org?starttls=true"])
def test_bad_smtp_urls_are_refused(url):
    with pytest.raises(ValueError, match="OBJECTRY_SMTP_URL"):
        parse_url(url)


def test_the_join_link_is_the_admins_join_screen():
    assert join_link("https://x.example/", "abc") == "https://x.example/admin/#/join?token=abc"
    assert join_link("http://h:8000", "abc") == "http://h:8000/admin/#/join?token=abc"
