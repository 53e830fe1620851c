"""/docs: Swagger UI served from Objectry itself, so it works with no internet access.

The files in web/swagger_ui/ are swagger-ui-dist 5.35.0 from the npm registry (Apache-2.0: its
LICENSE and NOTICE are beside them); to update, replace them with another version's
`swagger-ui-bundle.js`, `swagger-ui.css` and `favicon-32x32.png`. ReDoc is not served.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(__file__).with_name("swagger_ui")
ASSETS_URL = "/docs/assets"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def add_docs(app: FastAPI) -> None:
    """GET /docs (the page), /docs/oauth2-redirect ("Authorize" with the password flow) and
    /docs/assets/* (the page's script, style sheet and icon)."""

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
            oauth2_redirect_url=OAUTH2_REDIRECT)

    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.add_api_route("/docs", docs, include_in_schema=False)
    app.add_api_route(OAUTH2_REDIRECT, oauth2_redirect, include_in_schema=False)
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
