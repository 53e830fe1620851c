"""Golden table: bad field values and the stable problem code (and message) each one gets."""

from __future__ import annotations

import pytest

from objectry.fields import REGISTRY, ValueProblem, get
from tests.support.metadata import FR, OPTIONS, PERSON

INVALID = [
    # wrong JSON types, for every type
    *[(name, OPTIONS if "select" in name else {}, value, "type")
      for name in ("text", "long_text", "rich_text", "email", "phone", "url", "date",
                   "datetime", "select")
      for value in (5, True, ["x"], {"x": 1})],
    *[(name, {}, value, "type")
      for name in ("number", "currency", "percent", "rating")
      for value in ("5", True, False, [1], {"x": 1}, float("nan"), float("inf"))],
    ("boolean", {}, "true", "type"),
    ("boolean", {}, 1, "type"),
    ("boolean", {}, 0, "type"),
    ("boolean", {}, "false", "type"),
    ("multi_select", OPTIONS, "red", "type"),
    ("multi_select", OPTIONS, [1], "type"),
    ("multi_select", OPTIONS, {"red": True}, "type"),
    ("json", {}, float("nan"), "type"),
    ("json", {}, {1: "non-string key"}, "type"),
    ("json", {}, {"s": "nul\x00"}, "format"),
    ("json", {}, {"s": {1, 2}}, "type"),
    ("json", {}, 2**70, "range"),
    ("text", {}, "nul\x00char", "format"),
    # computed values are the server's: any value is refused
    ("formula", {"expression": "1", "result_type": "number"}, 1, "read_only"),
    ("lookup", {"relationship": "r", "field": "f"}, ["x"], "read_only"),
    ("rollup", {"relationship": "r", "function": "count"}, 3, "read_only"),
    ("autonumber", {"prefix": "INV-"}, "INV-1", "read_only"),
    # text lengths and patterns
    ("text", {}, "x" * 256, "max_length"),
    ("text", {"max_length": 3}, "abcd", "max_length"),
    ("text", {"min_length": 2}, "a", "min_length"),
    ("text", {"min_length": 1}, "", "min_length"),
    ("text", {"pattern": "^[0-9]+$"}, "12a", "pattern"),
    ("text", {"pattern": "[0-9]"}, "abc", "pattern"),
    ("long_text", {}, "x" * 100_001, "max_length"),
    ("long_text", {"max_length": 10}, "x" * 11, "max_length"),
    ("rich_text", {"max_length": 3}, "<b>bold</b>", "max_length"),
    # numbers
    ("number", {"integer": True}, 1.5, "integer"),
    ("number", {"precision": 2}, 1.234, "precision"),
    ("number", {"precision": 0}, 0.5, "precision"),
    ("number", {"precision": 2}, 0.1 + 0.2, "precision"),
    ("number", {"min": 0}, -1, "minimum"),
    ("number", {"min": 0}, -0.001, "minimum"),
    ("number", {"max": 10}, 10.5, "maximum"),
    ("number", {}, 2**63, "range"),
    ("number", {}, -(2**63) - 1, "range"),
    ("currency", {}, 1.005, "precision"),
    ("currency", {"precision": 0}, 1.5, "precision"),
    ("currency", {"min": 0}, -5, "minimum"),
    ("percent", {"max": 100}, 100.5, "maximum"),
    ("percent", {"precision": 1}, 12.25, "precision"),
    ("rating", {}, 0, "minimum"),
    ("rating", {}, -1, "minimum"),
    ("rating", {}, 6, "maximum"),
    ("rating", {"max": 3}, 4, "maximum"),
    ("rating", {}, 2.5, "integer"),
    # dates and times
    ("date", {}, "2026-02-30", "format"),
    ("date", {}, "2026-13-01", "format"),
    ("date", {}, "21/11/2026", "format"),
    ("date", {}, "20261121", "format"),
    ("date", {}, "2026-W47-6", "format"),
    ("date", {}, "2026-11-21T10:00:00Z", "format"),
    ("date", {}, "", "format"),
    ("date", {"min": "2026-01-01"}, "2025-12-31", "minimum"),
    ("date", {"max": "2026-12-31"}, "2027-01-01", "maximum"),
    ("datetime", {}, "2026-11-21T10:00:00", "format"),  # naive: refused
    ("datetime", {}, "2026-11-21", "format"),
    ("datetime", {}, "2026-11-21T25:00:00Z", "format"),
    ("datetime", {}, "yesterday", "format"),
    ("datetime", {}, "", "format"),
    ("datetime", {}, "0001-01-01T00:30:00+01:00", "format"),
    ("datetime", {"min": "2026-11-21T10:00:00Z"}, "2026-11-21T10:59:59+01:00", "minimum"),
    ("datetime", {"max": "2026-11-21T10:00:00Z"}, "2026-11-21T10:00:01Z", "maximum"),
    # e-mail
    ("email", {}, "not-an-email", "format"),
    ("email", {}, "ann@", "format"),
    ("email", {}, "@example.com", "format"),
    ("email", {}, "ann@localhost", "format"),
    ("email", {}, "ann..lee@example.com", "format"),
    ("email", {}, "Ann <ann@example.com>", "format"),
    ("email", {}, " ann@example.com", "format"),
    ("email", {}, "", "format"),
    # phone
    ("phone", {}, "01 42 68 53 00", "format"),  # national form needs default_region
    ("phone", {}, "12", "format"),
    ("phone", {}, "+99 123", "format"),
    ("phone", {}, "+33 1", "format"),
    ("phone", {}, "call me", "format"),
    ("phone", {}, "", "format"),
    ("phone", FR, "12", "format"),
    ("phone", FR, "01 42 68 53", "format"),
    ("phone", {}, "+1 650 253 0000 ext. 12", "format"),
    # url
    ("url", {}, "example.com", "format"),
    ("url", {}, "ftp://example.com", "format"),
    ("url", {}, "javascript:alert(1)", "format"),
    ("url", {}, "http://", "format"),
    ("url", {}, "http:example.com", "format"),
    ("url", {}, "http://exa mple.com", "format"),
    ("url", {}, "http://example.com/\n", "format"),
    ("url", {}, "http://[::1", "format"),
    ("url", {}, "", "format"),
    ("url", {"schemes": ["https"]}, "http://example.com", "format"),
    # select / multi_select
    ("select", OPTIONS, "purple", "enum"),
    ("select", OPTIONS, "Red", "enum"),
    ("select", OPTIONS, "", "enum"),
    ("multi_select", OPTIONS, ["red", "purple"], "enum"),
    ("multi_select", OPTIONS, ["red", "red"], "unique_items"),
    ("multi_select", {**OPTIONS, "min_items": 2}, ["red"], "min_items"),
    ("multi_select", {**OPTIONS, "min_items": 1}, [], "min_items"),
    ("multi_select", {**OPTIONS, "max_items": 2}, ["red", "green", "blue"], "max_items"),
    # json schema
    ("json", PERSON, {}, "schema"),
    ("json", PERSON, {"name": 5}, "schema"),
    ("json", PERSON, {"name": "Ann", "age": "forty"}, "schema"),
    ("json", PERSON, {"name": "Ann", "extra": 1}, "schema"),
    ("json", PERSON, [], "schema"),
    ("json", {"schema": False}, {}, "schema"),
    ("json", {"schema": {"type": "array", "items": {"type": "integer"}}}, [1, "2"], "schema"),
]


@pytest.mark.parametrize(("type_name", "config", "value", "code"), INVALID)
def test_invalid_value(type_name, config, value, code):
    with pytest.raises(ValueProblem) as caught:
        get(type_name).clean(value, config)
    assert caught.value.code == code
    if code != "schema":  # jsonschema writes its own messages
        assert caught.value.message and not caught.value.message[0].isupper()


@pytest.mark.parametrize(("type_name", "config", "value", "message"), [
    ("email", {}, "nope", "not a valid email address"),
    ("text", {}, "x" * 256, "must be at most 255 characters"),
    ("text", {"min_length": 3}, "x", "must be at least 3 characters"),
    ("number", {"min": 1}, 0, "must be at least 1"),
    ("currency", {}, 1.001, "must have at most 2 decimal places"),
    ("select", OPTIONS, "x", "must be one of: red, green, blue"),
    ("boolean", {}, "yes", "must be true or false"),
    ("datetime", {}, "2026-11-21T10:00:00", "must include a UTC offset (Z or ±hh:mm)"),
    ("json", PERSON, {"name": 5}, "5 is not of type 'string' at $.name"),
    ("json", PERSON, {}, "'name' is a required property"),
])
def test_problem_messages(type_name, config, value, message):
    with pytest.raises(ValueProblem) as caught:
        get(type_name).clean(value, config)
    assert caught.value.message == message


@pytest.mark.parametrize("type_name", sorted(REGISTRY))
def test_every_type_has_invalid_cases(type_name):
    assert any(case[0] == type_name for case in INVALID)
