"""Golden table: the JSON Schema fragment each field type publishes for a value."""

from __future__ import annotations

import pytest

from objectry.fields import get

OPTIONS = [{"value": "a", "label": "A"}, {"value": "b", "label": "B", "color": "#f00"}]

VALUE_SCHEMAS = [
    ("text", {}, {"type": "string", "maxLength": 255}),
    ("text", {"min_length": 2, "max_length": 9, "pattern": "^a"},
     {"type": "string", "minLength": 2, "maxLength": 9, "pattern": "^a"}),
    ("long_text", {}, {"type": "string", "maxLength": 100000}),
    ("rich_text", {}, {"type": "string", "contentMediaType": "text/html"}),
    ("rich_text", {"max_length": 50},
     {"type": "string", "maxLength": 50, "contentMediaType": "text/html"}),
    ("number", {"min": 0, "max": 9}, {"type": "number", "minimum": 0, "maximum": 9}),
    ("number", {"integer": True}, {"type": "integer"}),
    ("currency", {"currency_code": "EUR"}, {"type": "number"}),
    ("percent", {"max": 100}, {"type": "number", "maximum": 100}),
    ("boolean", {}, {"type": "boolean"}),
    ("date", {}, {"type": "string", "format": "date"}),
    ("datetime", {}, {"type": "string", "format": "date-time"}),
    ("email", {}, {"type": "string", "format": "email"}),
    ("phone", {"default_region": "FR"}, {"type": "string"}),
    ("url", {}, {"type": "string", "format": "uri"}),
    ("select", {"options": OPTIONS}, {"enum": ["a", "b"]}),
    ("multi_select", {"options": OPTIONS},
     {"type": "array", "items": {"enum": ["a", "b"]}, "uniqueItems": True}),
    ("multi_select", {"options": OPTIONS, "min_items": 1, "max_items": 2},
     {"type": "array", "items": {"enum": ["a", "b"]}, "uniqueItems": True, "minItems": 1,
      "maxItems": 2}),
    ("rating", {}, {"type": "integer", "minimum": 1, "maximum": 5}),
    ("rating", {"max": 10}, {"type": "integer", "minimum": 1, "maximum": 10}),
    ("json", {}, {}),
    ("json", {"schema": {"type": "object"}}, {"type": "object"}),
    ("json", {"schema": True}, {}),
    ("json", {"schema": False}, {"not": {}}),
]


@pytest.mark.parametrize(("type_name", "config", "expected"), VALUE_SCHEMAS)
def test_value_schema(type_name, config, expected):
    assert get(type_name).value_schema(config) == expected


def test_value_schema_does_not_share_the_configured_schema():
    schema = {"type": "object"}
    get("json").value_schema({"schema": schema})["title"] = "changed"
    assert schema == {"type": "object"}
