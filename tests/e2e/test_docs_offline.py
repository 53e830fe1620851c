"""/docs in a real browser loads Swagger UI and the API description from the server alone:
every request the page makes is same-origin (it works with no internet access)."""

from __future__ import annotations

from typing import Any


def test_docs_render_from_same_origin_assets_only(browser: Any, live_server: str) -> None:
    context = browser.new_context()
    requests: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(live_server + "/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
        assert "Objectry" in page.inner_text(".swagger-ui .info .title")
        page.wait_for_selector(".opblock", timeout=20_000)  # operations rendered
    finally:
        context.close()
    assert requests and live_server + "/openapi.json" in requests
    assert [url for url in requests if not url.startswith(live_server + "/")] == []
