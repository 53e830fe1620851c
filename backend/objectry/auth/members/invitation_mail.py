"""E-mail an invitation's join link when OBJECTRY_SMTP_URL is set.

`smtp://host[:port]` sends in the clear (port 25), `smtp://…?starttls=true` upgrades with
STARTTLS (port 587), `smtps://host[:port]` speaks TLS from the start (port 465); `user:pass@`
logs in, `?from=` sets the sender. smtplib runs in a worker thread; a failure is logged and
never fails the invitation, whose link the inviter has in hand anyway.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("objectry")

TIMEOUT_SECONDS = 10
_PORTS = {("smtp", False): 25, ("smtp", True): 587, ("smtps", False): 465}


@dataclass(frozen=True, slots=True)
class Smtp:
    scheme: str  # smtp or smtps
    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None
    sender: str | None


def parse_url(url: str) -> Smtp:
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    starttls = query.get("starttls", "").lower() in ("1", "true", "yes", "on")
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname or \
            (parts.scheme == "smtps" and starttls):
        raise ValueError("OBJECTRY_SMTP_URL must look like smtp[s]://[user:pass@]host[:port]")
    return Smtp(parts.scheme, parts.hostname, parts.port or _PORTS[parts.scheme, starttls],
                starttls, unquote(parts.username) if parts.username else None,
                unquote(parts.password) if parts.password else None, query.get("from"))


def join_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/admin/#/join?token={token}"


def message(sender: str, to: str, link: str, workspace: str, expires_at: datetime) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = sender, to
    mail["Subject"] = f"You are invited to {workspace} on Objectry"
    until = expires_at.astimezone(UTC)
    mail.set_content(
        f"You have been invited to join the workspace {workspace} on Objectry.\n\n"
        f"Open this link to join (it works once, until {until:%Y-%m-%d %H:%M} UTC):\n\n"
        f"{link}\n\nIf you did not expect this invitation, ignore this e-mail.\n")
    return mail


def deliver(smtp: Smtp, mail: EmailMessage) -> None:
    context = ssl.create_default_context()
    client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS, context=context) \
        if smtp.scheme == "smtps" else smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS)
    with client:
        if smtp.starttls:
            client.starttls(context=context)
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        client.send_message(mail)


async def send(smtp_url: str | None, to: str, link: str, workspace: str,
               expires_at: datetime) -> None:
    """Send the link to `to`, or log why not; never raises."""
    if not smtp_url:
        return
    try:
        smtp = parse_url(smtp_url)
        sender = smtp.sender or f"objectry@{urlsplit(link).hostname or 'localhost'}"
        await asyncio.to_thread(deliver, smtp, message(sender, to, link, workspace, expires_at))
    except (ValueError, OSError, smtplib.SMTPException) as exc:
        # The link is a credential: it is never logged.
        log.warning("could not e-mail an invitation to %s: %s", to, exc)
