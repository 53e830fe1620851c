"""The OpenAPI document's security schemes, declared once for every guarded operation."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

# The OpenAPI document's security: declared here rather than as security dependencies, which
# FastAPI would solve on every request only to read headers that auth.credentials reads anyway.
# "Authorize" in /docs logs in through /api/auth/login or takes an API token.
SECURITY_SCHEMES = {
    "OAuth2PasswordBearer": {"type": "oauth2",
                             "flows": {"password": {"tokenUrl": "/api/auth/login", "scopes": {}}}},
    "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "apikey"},
}


def document_security(app: FastAPI, public: set[str]) -> None:
    """Every operation needs a credential except the paths in `public`."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            for path, operations in schema["paths"].items():
                if path not in public and path.startswith(("/api/", "/rest/")):
                    for operation in operations.values():
                        operation["security"] = [{name: []} for name in SECURITY_SCHEMES]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
