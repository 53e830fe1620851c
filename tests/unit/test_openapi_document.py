"""/openapi.json declares every status an operation answers, in its dialect's error shape, with
stable unique operation ids and none of FastAPI's own validation-error schemas."""

from __future__ import annotations

from typing import Any

import pytest

from objectry.main import create_app
from objectry.settings import Settings


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(Settings(database_url="postgresql://unused/objectry", secret_key="k" * 64))
    return app.openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items()
            for method, op in ops.items()]


def test_operation_ids_are_the_endpoint_names_and_unique(document):
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids)) > 60
    assert document["paths"]["/api/records"]["post"]["operationId"] == "create_record"
    assert document["paths"]["/rest/v1/"]["get"]["operationId"] == "describe_objects"


def test_errors_follow_the_dialect_of_the_path(document):
    for path, method, op in _operations(document):
        want = "PostgRESTError" if path.startswith("/rest/") else "Error"
        for status, response in op["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": f"#/components/schemas/{want}"}, (path, method, status)
    assert "HTTPValidationError" not in str(document)


@pytest.mark.parametrize(("path", "method", "statuses"), [
    ("/api/records", "post", {"201", "400", "401", "403", "409", "413", "415", "422", "503"}),
    ("/api/records/{record_id}", "patch",
     {"200", "400", "401", "403", "404", "409", "412", "413", "415", "422", "503"}),
    ("/api/objects", "get", {"200", "400", "401", "403", "503"}),
    ("/api/auth/login", "post", {"200", "400", "401", "403", "409", "413", "415", "422", "429",
                                 "503"}),
    ("/rest/v1/{name}", "get", {"200", "206", "400", "401", "403", "404", "406", "416", "503"}),
    ("/rest/v1/{name}", "post", {"201", "400", "401", "403", "404", "406", "409", "413", "415",
                                 "422", "503"}),
    ("/health", "get", {"200", "400"}),
])
def test_each_operation_declares_what_it_answers(document, path, method, statuses):
    assert set(document["paths"][path][method]["responses"]) == statuses


def test_retry_after_is_declared_where_it_is_sent(document):
    responses = document["paths"]["/api/auth/login"]["post"]["responses"]
    assert set(responses["429"]["headers"]) == {"Retry-After"}
    assert set(responses["503"]["headers"]) == {"Retry-After"}


def test_the_put_that_is_always_405_is_not_documented(document):
    assert "put" not in document["paths"]["/rest/v1/{name}"]


def test_query_parameters_are_never_null(document):
    for path, method, op in _operations(document):
        for parameter in op.get("parameters", ()):
            assert {"type": "null"} not in parameter["schema"].get("anyOf", ()), (path, method)
    limit = document["paths"]["/api/objects"]["get"]["parameters"][0]
    assert limit["schema"] == {"type": "integer", "minimum": 1, "title": "Limit"}
