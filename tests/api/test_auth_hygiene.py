"""Sign-up hygiene over HTTP: sign-ups throttled per client address (behind trusted proxies
too), weak passwords refused, and one account per address however it is spelt."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.api.builders import codes, ok
from tests.api.conftest import PASSWORD, client, login, new_email, refused
from tests.conftest import running_app, settings_for

PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)


@pytest.fixture
async def strict_app(database_url: str) -> AsyncIterator[Any]:
    """Three sign-ups and three failed sign-ins per address, behind proxies in 10.0.0.0/8."""
    settings = settings_for(database_url, open_signup=True, signup_limit=3,
                            login_max_failures_per_address=3, trusted_proxies=PROXIES)
    async with running_app(settings) as application:
        yield application


def address() -> str:
    """An address no other test uses: the counts live in the shared database."""
    return str(ipaddress.ip_address("198.18.0.0") + secrets.randbelow(2**17))


async def register(app, peer: str, forwarded: str | None = None, **body: str):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    payload = {"email": new_email("hygiene"), "password": PASSWORD, **body}
    async with client(app, headers, address=peer) as anonymous:
        return await anonymous.post("/api/auth/register", json=payload)


async def test_sign_ups_are_throttled_per_address(strict_app):
    crowded, other = address(), address()
    await ok(await register(strict_app, crowded), 201)
    refused(await register(strict_app, crowded, email="not an address"), 422,
            "validation_failed")  # a refused sign-up counts too
    await ok(await register(strict_app, crowded), 201)
    throttled = await register(strict_app, crowded)
    refused(throttled, 429, "rate_limited")
    assert 3500 <= int(throttled.headers["retry-after"]) <= 3600
    await ok(await register(strict_app, other), 201)


async def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(strict_app):
    client_ip, spoofed = address(), address()
    for proxy in ("10.0.0.5", "10.0.0.6", "10.0.0.5"):
        # What the client wrote on the left is not believed; the proxy's entry is.
        await ok(await register(strict_app, proxy, f"{address()}, {client_ip}"), 201)
    refused(await register(strict_app, "10.0.0.7", f"{client_ip}, 10.20.30.40"), 429,
            "rate_limited")
    await ok(await register(strict_app, "10.0.0.5", spoofed), 201)


async def test_an_untrusted_peer_cannot_choose_its_address(strict_app):
    peer = address()
    for _ in range(3):
        await ok(await register(strict_app, peer, address()), 201)
    refused(await register(strict_app, peer, address()), 429, "rate_limited")


async def test_sign_in_throttling_counts_the_same_address(strict_app):
    client_ip = address()
    email = new_email("victim")
    await ok(await register(strict_app, address(), email=email), 201)
    for proxy in ("10.0.0.5", "10.0.0.6", "10.0.0.7"):
        async with client(strict_app, {"X-Forwarded-For": client_ip}, address=proxy) as api:
            refused(await api.post("/api/auth/login", json={
                "email": new_email("guess"), "password": "wrong password"}), 401,
                "unauthenticated")
    async with client(strict_app, {"X-Forwarded-For": client_ip}, address="10.0.0.8") as api:
        refused(await api.post("/api/auth/login", json={"email": email, "password": PASSWORD}),
                429, "rate_limited")
    async with client(strict_app, {"X-Forwarded-For": address()}, address="10.0.0.8") as api:
        await ok(await api.post("/api/auth/login", json={"email": email, "password": PASSWORD}))


async def test_weak_passwords_are_refused_at_sign_up(app):
    async with client(app) as anonymous:
        for password, code, message in (
                ("nine char", "too_short", "must be at least 10 characters"),
                ("Basketball", "too_common",
                 "is one of the most common passwords; choose one that is harder to guess")):
            weak = await anonymous.post("/api/auth/register", json={
                "email": new_email(), "password": password})
            refused(weak, 422, "validation_failed")
            assert codes(weak) == [("password", code)]
            assert weak.json()["error"]["details"][0]["message"] == message
        await ok(await anonymous.post("/api/auth/register", json={
            "email": new_email(), "password": "ten chars!"}), 201)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


async def test_one_address_holds_one_account_however_it_is_spelt(app):
    local = new_email("ada").split("@")[0]
    spellings = {
        f"{local}@example.com": [f"{local.upper()}@EXAMPLE.com", full_width(local.upper())
                                 + "@example.com"],
        f"{local}@bücher.de": [f"{local}@xn--bcher-kva.de", f"{local.upper()}@BÜCHER.de"],
    }
    async with client(app) as anonymous:
        for stored, others in spellings.items():
            made = await ok(await anonymous.post("/api/auth/register", json={
                "email": others[0], "password": PASSWORD}), 201)
            assert made["email"] == stored
            for spelling in others:
                again = await anonymous.post("/api/auth/register", json={
                    "email": spelling, "password": PASSWORD})
                refused(again, 409, "conflict")
                assert codes(again) == [("email", "taken")]
            for spelling in (stored, *others):
                tokens = await login(app, spelling)
                me = await ok(await anonymous.get("/api/auth/me", headers={
                    "Authorization": f"Bearer {tokens['access_token']}"}))
                assert me["id"] == made["id"]
