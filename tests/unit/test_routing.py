"""DirectRoute: endpoints must take (ctx, request, path params); query helpers read values as
FastAPI's own parsing would, with the same 400 on a bad value."""

from __future__ import annotations

import pytest
from fastapi import Request

from objectry.errors import BadRequest
from objectry.web.routing import DirectRoute, bool_param, int_param


def request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                    "query_string": query.encode()})


async def good(ctx, request, record_id): ...  # noqa: ANN001, ANN201


async def expects_a_query_param(ctx, request, record_id, expand=None): ...  # noqa: ANN001, ANN201


async def misses_the_path_param(ctx, request): ...  # noqa: ANN001, ANN201


def test_signature_is_checked_when_the_route_is_made() -> None:
    DirectRoute("/api/records/{record_id}", good, methods=["GET"])
    for endpoint in (expects_a_query_param, misses_the_path_param):
        with pytest.raises(TypeError, match="reads query parameters and headers from the request"):
            DirectRoute("/api/records/{record_id}", endpoint, methods=["GET"])


@pytest.mark.parametrize(("query", "value"), [("", False), ("permanent=true", True),
                                              ("permanent=1", True), ("permanent=YES", True),
                                              ("permanent=false", False), ("permanent=off", False)])
def test_bool_param(query: str, value: bool) -> None:
    assert bool_param(request(query), "permanent") is value


def test_bool_param_refuses_other_words() -> None:
    with pytest.raises(BadRequest) as refused:
        bool_param(request("permanent=maybe"), "permanent")
    assert refused.value.details == [{"field": "permanent", "code": "bool_parsing",
                                      "message": "Input should be a valid boolean"}]


@pytest.mark.parametrize(("query", "value"), [("", 50), ("limit=3", 3), ("limit=%203", 3)])
def test_int_param(query: str, value: int) -> None:
    assert int_param(request(query), "limit", 50, minimum=1) == value


@pytest.mark.parametrize(("query", "code"), [("limit=x", "int_parsing"),
                                             ("limit=0", "greater_than_equal")])
def test_int_param_refuses(query: str, code: str) -> None:
    with pytest.raises(BadRequest) as refused:
        int_param(request(query), "limit", 50, minimum=1)
    assert refused.value.details[0]["code"] == code
