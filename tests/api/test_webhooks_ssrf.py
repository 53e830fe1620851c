"""The SSRF guard on the default settings (OBJECTRY_WEBHOOK_ALLOW_PRIVATE off): URLs whose
host is or resolves to a loopback, private, link-local, metadata or reserved address are
refused with 422, on create and on change."""

from __future__ import annotations

import pytest

from tests.api.conftest import refused

REFUSED = ["http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://192.168.0.10/hook",
           "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
           "http://localhost:9000/hook", "http://0.0.0.0/hook", "http://[::ffff:127.0.0.1]/",
           "https://224.0.0.1/", "http://100.100.100.200/", "http://[fd00:ec2::254]/"]


@pytest.mark.parametrize("url", REFUSED)
async def test_private_targets_are_refused(api, url):
    body = {"name": "x", "url": url, "events": ["record.created"]}
    error = refused(await api.post("/api/webhooks", json=body), 422, "validation_failed")
    assert [(d["field"], d["code"]) for d in error["details"]] == [("url", "not_allowed")]


async def test_a_change_to_a_private_target_is_refused(api):
    body = {"name": "x", "url": "http://93.184.215.14/hook", "events": ["record.created"]}
    created = await api.post("/api/webhooks", json=body)
    assert created.status_code == 201, created.text
    changed = await api.patch(f"/api/webhooks/{created.json()['id']}",
                              json={"url": "http://127.0.0.1/"})
    refused(changed, 422, "validation_failed")


@pytest.mark.parametrize("url", ["ftp://example.com/", "http:///nohost", "http://u:p@93.184.215.14/",
                                 "not a url", "http://no-such-host.invalid/"])
async def test_urls_that_are_not_callable_are_refused(api, url):
    body = {"name": "x", "url": url, "events": ["record.created"]}
    refused(await api.post("/api/webhooks", json=body), 422, "validation_failed")
