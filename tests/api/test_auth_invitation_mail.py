"""With OBJECTRY_SMTP_URL set, an invitation's join link is also e-mailed — to a real SMTP
server on loopback (aiosmtpd); a mail server that fails never fails the invitation."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.api.conftest import invite, new_email, sign_up
from tests.conftest import running_app, settings_for
from tests.support.ports import free_port


class Inbox:
    """An aiosmtpd handler that keeps what it is sent, and who logged in to send it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)


@pytest.fixture
def mail_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    # AUTH without TLS is fine on loopback; the server runs in a thread of its own.
    controller = Controller(inbox, hostname="127.0.0.1", port=port, auth_require_tls=False,
                            authenticator=inbox.authenticate)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def _app(database_url: str, **settings: Any) -> AsyncIterator[Any]:
    # The session's database has seen many sign-ups from 127.0.0.1 already.
    async with running_app(settings_for(database_url, open_signup=True, signup_limit=100_000,
                                        **settings)) as app:
        yield app


@pytest.fixture
async def mailing_app(database_url: str, mail_server) -> AsyncIterator[Any]:
    _, port = mail_server
    url = f"smtp://ops%40example.org:p%3Ass@127.0.0.1:{port}?from=noreply@objectry.example.org"
    async for app in _app(database_url, smtp_url=url,
                          public_url="https://objectry.example.org/"):
        yield app


async def test_the_join_link_is_emailed(mailing_app, mail_server):
    inbox, _ = mail_server
    owner = await sign_up(mailing_app, full_name="Olga")
    email = new_email("mailed")
    invitation = await invite(mailing_app, owner, email, "editor")
    [mail] = inbox.messages
    assert (mail["To"], mail["From"]) == (email, "noreply@objectry.example.org")
    assert mail["Subject"] == "You are invited to Olga's workspace on Objectry"
    link = f"https://objectry.example.org/admin/#/join?token={invitation['token']}"
    assert link in mail.get_content()
    assert inbox.logins == [(b"ops@example.org", b"p:ss")]


async def test_without_a_public_url_the_link_uses_the_requests_address(database_url,
                                                                        mail_server):
    inbox, port = mail_server
    async for app in _app(database_url, smtp_url=f"smtp://127.0.0.1:{port}"):
        owner = await sign_up(app)
        invitation = await invite(app, owner, new_email("local"), "viewer")
    [mail] = inbox.messages
    assert mail["From"] == "objectry@objectry.test"
    assert f"http://objectry.test/admin/#/join?token={invitation['token']}" in \
        mail.get_content()
    assert inbox.logins == []


async def test_a_mail_server_that_fails_never_fails_the_invitation(database_url, caplog):
    caplog.set_level(logging.WARNING, logger="objectry")
    async for app in _app(database_url, smtp_url=f"smtp://127.0.0.1:{free_port()}"):
        owner = await sign_up(app)
        email = new_email("unmailed")
        invitation = await invite(app, owner, email, "viewer")
    assert f"could not e-mail an invitation to {email}" in caplog.text
    assert invitation["token"] not in caplog.text
