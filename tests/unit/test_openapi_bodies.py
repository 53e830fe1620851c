"""/openapi.json documents the request body of every write under /api and /rest, although the
endpoints read their bodies themselves (web.bodies.documented): /docs shows how to call them."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

from objectry.main import create_app
from objectry.settings import Settings

WRITES = {"post", "put", "patch"}  # a DELETE's target is in its path and query, never a body

# Writes that take no body at all.
BODILESS = {
    ("POST", "/api/records/{record_id}/restore"),
    ("POST", "/api/applications/{app_id}/publish"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/webhooks/{webhook_id}/test"),
    ("POST", "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(Settings(database_url="postgresql://unused/objectry", secret_key="k" * 64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FastAPI's duplicate operation ids: not our concern
        return app.openapi()


def test_every_write_documents_its_request_body(document: dict[str, Any]) -> None:
    writes = {(method.upper(), path): operation
              for path, operations in document["paths"].items()
              if path.startswith(("/api/", "/rest/"))
              for method, operation in operations.items() if method in WRITES}
    assert len(writes) > 25  # the sweep really covers the API
    undocumented = {key for key, operation in writes.items() if "requestBody" not in operation}
    assert undocumented == BODILESS
    for key, operation in writes.items():
        if key in undocumented:
            continue
        content = operation["requestBody"]["content"]
        if key in UPLOADS:
            assert content["multipart/form-data"]["schema"]["required"] == ["file"], key
        else:
            schema = content["application/json"]["schema"]
            assert schema.get("type") in ("object", None) and schema.get("title"), key


# Writes whose body is a multipart upload rather than JSON.
UPLOADS = {("POST", "/api/objects/{object_id}/import")}


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    """pydantic's `#/$defs/…` mean nothing inside an OpenAPI document: none may be left."""
    text = json.dumps(document)
    assert "$defs" not in text
    components = document["components"]["schemas"]
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        assert ref.removeprefix("#/components/schemas/") in components, ref


def test_record_bodies_say_what_they_take(document: dict[str, Any]) -> None:
    paths = document["paths"]

    def body(path: str, method: str) -> dict[str, Any]:
        return paths[path][method]["requestBody"]["content"]["application/json"]["schema"]

    assert body("/api/records", "post")["required"] == ["object", "data"]
    assert set(body("/api/records/{record_id}", "patch")["properties"]) == {"data", "version"}
    assert body("/api/records/bulk", "post")["properties"]["records"]["items"]["required"] == [
        "data"]
    rows = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
    assert rows in body("/rest/v1/{name}", "post")["anyOf"]
    assert body("/api/objects", "post")["title"] == "ObjectCreate"
