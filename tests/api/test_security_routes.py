"""Every /api and /rest route needs a credential, except sign-up, sign-in and refresh: a
route added later without `Ctx` fails here."""

from __future__ import annotations

import re
import warnings

from objectry.main import PUBLIC_PATHS as PUBLIC
from tests.api.conftest import client, refused


def guarded_routes(app) -> list[tuple[str, str]]:
    """Every operation the app declares (its OpenAPI document lists them all)."""
    with warnings.catch_warnings():
        # Building the document may warn about other routes' operation ids; not our concern.
        warnings.simplefilter("ignore")
        paths = app.openapi()["paths"]
    found = []
    for template, operations in paths.items():
        if template in PUBLIC or not template.startswith(("/api", "/rest")):
            continue
        path = re.sub(r"\{[^}]+\}", "wsp_0000000000000000", template)
        found += [(method.upper(), path) for method in sorted(operations)]
    return found


async def test_no_credential_is_401_everywhere(app):
    routes = guarded_routes(app)
    assert len(routes) > 40  # the sweep really covers the API
    assert any(path.startswith("/rest") for _, path in routes)
    async with client(app) as anonymous:
        for method, path in routes:
            response = await anonymous.request(method, path, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["www-authenticate"] == "Bearer", (method, path)
            if method == "HEAD":  # no body to read
                continue
            if path.startswith("/rest"):  # PostgREST's shape: "no credential" is PGRST302
                assert response.json()["code"] == "PGRST302", (method, path)
            else:
                error = refused(response, 401, "unauthenticated")
                assert "sign in" in error["message"]


async def test_public_routes_and_health_need_no_credential(app):
    async with client(app) as anonymous:
        assert (await anonymous.get("/health")).status_code == 200
        assert (await anonymous.get("/health/ready")).status_code == 200
        for path in sorted(PUBLIC):
            assert (await anonymous.post(path, json={})).status_code == 422, path


def test_openapi_documents_the_credential_on_every_guarded_operation(app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        document = app.openapi()
    assert set(document["components"]["securitySchemes"]) == {"OAuth2PasswordBearer",
                                                              "APIKeyHeader"}
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            guarded = template.startswith(("/api", "/rest")) and template not in PUBLIC
            assert ("security" in operation) == guarded, (method, template)
