"""/docs needs no internet (its assets are served here), and every 405 names the methods of
its resource in `Allow`, in both dialects."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import client


async def test_docs_reference_only_same_origin_assets(app):
    async with client(app) as browser:
        page = await browser.get("/docs")
        urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
        assets = [await browser.get(url) for url in urls]
        redirect = await browser.get("/docs/oauth2-redirect")
    assert page.status_code == 200
    assert sorted(urls) == ["/docs/assets/favicon-32x32.png", "/docs/assets/swagger-ui-bundle.js",
                            "/docs/assets/swagger-ui.css"]
    assert "//" not in page.text.replace("http://objectry.test", "")
    assert [a.status_code for a in assets] == [200, 200, 200]
    assert redirect.status_code == 200
    assert "'/openapi.json'" in page.text


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("OPTIONS", "/api/records/bulk", "POST"),
    ("GET", "/api/records/bulk", None),  # a record called "bulk": routed, a 404
    ("DELETE", "/api/records", "GET, POST"),
    ("PUT", "/api/objects/obj_x", "DELETE, GET, PATCH"),
    ("POST", "/health", "GET"),
    ("POST", "/rest/v1/", "GET"),
    ("PUT", "/rest/v1/things", "DELETE, GET, HEAD, PATCH, POST"),
    ("OPTIONS", "/rest/v1/things", "DELETE, GET, HEAD, PATCH, POST"),
])
async def test_405_carries_allow(api, method, path, allow):
    response = await api.request(method, path)
    if allow is None:
        assert response.status_code == 404
        return
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    code = response.json()["code"] if path.startswith("/rest") else response.json()["error"]["code"]
    assert code in ("PGRST117", "method_not_allowed")
