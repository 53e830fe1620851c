"""Webhook parts with no I/O: signatures against the reference verifier, the retry schedule,
which addresses the SSRF guard refuses, and the pinned URL."""

from __future__ import annotations

import ipaddress
import json
import time

import pytest
from standardwebhooks import Webhook

from objectry.webhooks import addresses, signing
from objectry.webhooks.sender import _pinned
from objectry.webhooks.worker import JITTER, retry_in


def test_signatures_verify_with_standardwebhooks():
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(secret) >= len("whsec_") + 32
    body = json.dumps({"type": "record.created", "data": {"é": 1}}).encode()
    headers = signing.headers(secret, "evt_1", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"type": "record.created",
                                                     "data": {"é": 1}}
    assert headers["webhook-signature"].startswith("v1,")


def test_retry_schedule_gives_n_plus_one_attempts_with_small_jitter():
    schedule = (5.0, 60.0)
    assert 5 <= retry_in(1, schedule) <= 5 * (1 + JITTER)  # type: ignore[operator]
    assert 60 <= retry_in(2, schedule) <= 60 * (1 + JITTER)  # type: ignore[operator]
    assert retry_in(3, schedule) is None
    assert retry_in(1, (0.0,)) == 0


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1",
                                     "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::",
                                     "fe80::1", "fc00::1", "::ffff:10.0.0.1", "224.0.0.1",
                                     "240.0.0.1", "255.255.255.255", "100.100.100.200"])
def test_forbidden_addresses(address):
    assert addresses.forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses(address):
    assert not addresses.forbidden(ipaddress.ip_address(address))


def test_the_pinned_url_keeps_path_and_query():
    target = addresses.Target("https", "hooks.example.com", 8443, "2001:db8::1")
    assert _pinned("https://hooks.example.com:8443/a/b?x=1", target) == (
        "https://[2001:db8::1]:8443/a/b?x=1")
