"""Golden tables for field-type configs: which configs pass, and the exact problems of the rest."""

from __future__ import annotations

import pytest

from objectry.fields import REGISTRY, UnknownFieldType, cast_of, get, operators_of
from objectry.fields.comparison import BY_CAST
from objectry.records.query.operators import OPERATORS as COMPILED

OPTIONS = [{"value": "a", "label": "A"}, {"value": "b", "label": "B", "color": "#f00"}]

TYPE_NAMES = {"text", "long_text", "rich_text", "number", "currency", "percent", "boolean",
              "date", "datetime", "email", "phone", "url", "select", "multi_select", "rating",
              "json", "formula", "lookup", "rollup", "autonumber"}

SQL_CASTS = {
    "text": "text", "long_text": "text", "rich_text": "text", "email": "text", "phone": "text",
    "url": "text", "select": "text", "number": "numeric", "currency": "numeric",
    "percent": "numeric", "rating": "numeric", "boolean": "boolean", "date": "date",
    "datetime": "timestamptz", "multi_select": "jsonb", "json": "jsonb",
}

# What a filter on each type may use (the compiler and the admin read these from the registry).
ORDERED = {"eq", "neq", "in", "is", "isdistinct", "gt", "gte", "lt", "lte"}
TEXTUAL = ORDERED | {"like", "ilike", "match", "imatch", "fts", "plfts", "phfts", "wfts"}
JSON = {"eq", "neq", "is", "isdistinct", "cs", "cd", "ov"}
OPERATORS = {
    "text": TEXTUAL, "long_text": TEXTUAL, "rich_text": TEXTUAL, "email": TEXTUAL,
    "phone": TEXTUAL, "url": TEXTUAL, "select": TEXTUAL, "number": ORDERED, "currency": ORDERED,
    "percent": ORDERED, "rating": ORDERED, "date": ORDERED, "datetime": ORDERED,
    "boolean": {"eq", "neq", "in", "is", "isdistinct"}, "multi_select": JSON, "json": JSON,
}


def test_registry_holds_exactly_the_documented_types():
    assert set(REGISTRY) == TYPE_NAMES
    assert all(REGISTRY[name].name == name for name in REGISTRY)


@pytest.mark.parametrize(("name", "cast"), SQL_CASTS.items())
def test_sql_cast(name, cast):
    assert get(name).sql_cast == cast


@pytest.mark.parametrize(("name", "operators"), OPERATORS.items())
def test_operators(name, operators):
    assert get(name).operators == operators and operators_of(name) == operators
    assert cast_of(name) == SQL_CASTS[name]


@pytest.mark.parametrize("name", sorted(TYPE_NAMES))
def test_a_type_takes_only_what_its_cast_can_do(name):
    assert get(name).operators <= BY_CAST[get(name).sql_cast]


def test_the_families_are_the_compilers_operators():
    # An operator the compiler renders but no family holds could never be used, and one a
    # family holds but the compiler lacks would pass the plan and fail in render.
    assert set().union(*BY_CAST.values()) == set(COMPILED)


def test_a_type_the_registry_does_not_know_compares_as_text():
    assert cast_of("uuid") == "text" and operators_of("uuid") == TEXTUAL


def test_unknown_type():
    with pytest.raises(UnknownFieldType):
        get("colour")


VALID = [
    ("text", {}),
    ("text", {"min_length": 0, "max_length": 10, "pattern": r"^[A-Z]+$"}),
    ("text", {"min_length": 3, "max_length": 3}),
    ("text", {"default": "abc", "help_text": "Help", "placeholder": "Type…"}),
    ("text", {"max_length": None, "pattern": None}),  # null means "not set"
    ("text", {"pattern": "a{"}),  # Python accepts a literal "{"
    ("long_text", {"max_length": 5000, "default": "x"}),
    ("rich_text", {"max_length": 10, "default": "<b>hi</b>"}),
    ("number", {"min": -1.5, "max": 10, "precision": 2, "integer": False}),
    ("number", {"min": 0, "max": 0}),
    ("number", {"integer": True, "default": 3}),
    ("number", {"precision": 0}),
    ("number", {"precision": 10}),
    ("currency", {"currency_code": "EUR", "precision": 0, "min": 0, "default": 5}),
    ("currency", {"default": 1.25}),
    ("percent", {"min": 0, "max": 100, "precision": 1, "default": 12.5}),
    ("boolean", {"default": False}),
    ("date", {"min": "2000-01-01", "max": "2030-12-31", "default": "2026-11-21"}),
    ("datetime", {"min": "2026-01-01T00:00:00Z", "max": "2026-12-31T23:59:59+02:00"}),
    ("datetime", {"default": "2026-11-21T10:00:00+01:00"}),
    ("email", {"default": "Ann@Example.com", "placeholder": "you@example.com"}),
    ("phone", {"default_region": "FR", "default": "01 42 68 53 00"}),
    ("phone", {"default": "+1 650 253 0000"}),
    ("url", {"schemes": ["https"], "default": "https://example.com"}),
    ("url", {"schemes": ["ftp", "git+ssh"]}),
    ("select", {"options": OPTIONS, "default": "a"}),
    ("select", {"options": [{"value": "x", "label": "X", "color": None}]}),
    ("multi_select", {"options": OPTIONS, "min_items": 1, "max_items": 2, "default": ["b"]}),
    ("multi_select", {"options": OPTIONS, "min_items": 0}),
    ("rating", {"max": 10, "default": 10}),
    ("rating", {"max": 1}),
    ("json", {"schema": {"type": "object", "properties": {"a": {"type": "integer"}}},
              "default": {"a": 1}}),
    ("json", {"schema": {"$ref": "#/$defs/a", "$defs": {"a": {"type": "string"}}}}),
    ("json", {"schema": {"$schema": "http://json-schema.org/draft-07/schema#"}}),
    ("json", {"schema": True, "default": [1, "two", None]}),
    ("json", {"schema": {"properties": {"child": {"$ref": "#"}}}}),  # recursive, not looping
    ("json", {"default": {"nested": {"deep": [True]}}}),
]


@pytest.mark.parametrize(("type_name", "config"), VALID)
def test_valid_config(type_name, config):
    assert get(type_name).validate_config(config) == []


INVALID = [
    # unknown and wrong-typed keys, for every type
    ("text", {"colour": "red"}, [("config.colour", "unknown_key")]),
    ("boolean", {"options": OPTIONS}, [("config.options", "unknown_key")]),
    ("long_text", {"pattern": "x"}, [("config.pattern", "unknown_key")]),
    ("rich_text", {"min_length": 1}, [("config.min_length", "unknown_key")]),
    ("percent", {"currency_code": "EUR"}, [("config.currency_code", "unknown_key")]),
    ("email", {"default_region": "FR"}, [("config.default_region", "unknown_key")]),
    ("text", {"help_text": 5, "placeholder": ["x"]},
     [("config.help_text", "type"), ("config.placeholder", "type")]),
    ("text", {"max_length": "10"}, [("config.max_length", "type")]),
    ("text", {"max_length": 10.0}, [("config.max_length", "type")]),
    ("text", {"min_length": True}, [("config.min_length", "type")]),
    ("text", {"pattern": 5}, [("config.pattern", "type")]),
    ("number", {"min": "1"}, [("config.min", "type")]),
    ("number", {"max": True}, [("config.max", "type")]),
    ("number", {"max": float("inf")}, [("config.max", "type")]),
    ("number", {"integer": "yes"}, [("config.integer", "type")]),
    ("number", {"precision": 1.5}, [("config.precision", "type")]),
    ("currency", {"currency_code": 978}, [("config.currency_code", "type")]),
    ("date", {"min": 20260101}, [("config.min", "type")]),
    ("phone", {"default_region": 33}, [("config.default_region", "type")]),
    ("url", {"schemes": "https"}, [("config.schemes", "type")]),
    ("url", {"schemes": ["https", 1]}, [("config.schemes", "type")]),
    ("select", {"options": "a,b"}, [("config.options", "type")]),
    ("multi_select", {"options": OPTIONS, "max_items": "2"}, [("config.max_items", "type")]),
    ("rating", {"max": 5.0}, [("config.max", "type")]),
    ("json", {"schema": "object"}, [("config.schema", "type")]),
    ("json", {"schema": []}, [("config.schema", "type")]),
    ("text", {"help_text": "a\x00b"}, [("config.help_text", "format")]),
    # min > max and ranges
    ("text", {"min_length": 5, "max_length": 4}, [("config.min_length", "range")]),
    ("text", {"min_length": -1}, [("config.min_length", "range")]),
    ("text", {"max_length": 0}, [("config.max_length", "range")]),
    ("long_text", {"max_length": -5}, [("config.max_length", "range")]),
    ("number", {"min": 2, "max": 1}, [("config.min", "range")]),
    ("currency", {"min": 2.5, "max": 2.4}, [("config.min", "range")]),
    ("percent", {"min": 100, "max": 0}, [("config.min", "range")]),
    ("multi_select", {"options": OPTIONS, "min_items": 3, "max_items": 2},
     [("config.min_items", "range")]),
    ("multi_select", {"options": OPTIONS, "min_items": -1}, [("config.min_items", "range")]),
    ("multi_select", {"options": OPTIONS, "max_items": 0}, [("config.max_items", "range")]),
    ("date", {"min": "2026-02-01", "max": "2026-01-31"}, [("config.min", "range")]),
    ("datetime", {"min": "2026-01-01T10:00:00+00:00", "max": "2026-01-01T11:00:00+02:00"},
     [("config.min", "range")]),
    ("number", {"precision": 11}, [("config.precision", "range")]),
    ("number", {"precision": -1}, [("config.precision", "range")]),
    ("currency", {"precision": 12}, [("config.precision", "range")]),
    ("rating", {"max": 0}, [("config.max", "range")]),
    ("rating", {"max": 11}, [("config.max", "range")]),
    # bad regex, bad JSON Schema
    ("text", {"pattern": "("}, [("config.pattern", "regex")]),
    ("text", {"pattern": "[a-"}, [("config.pattern", "regex")]),
    ("text", {"pattern": "*a"}, [("config.pattern", "regex")]),
    ("json", {"schema": {"type": "nope"}}, [("config.schema", "schema")]),
    ("json", {"schema": {"minLength": -1}}, [("config.schema", "schema")]),
    ("json", {"schema": {"$schema": "https://example.com/my-dialect"}},
     [("config.schema", "schema")]),
    ("json", {"schema": {"$ref": "https://example.com/schema.json"}},
     [("config.schema", "schema")]),
    ("json", {"schema": {"$ref": "#/$defs/missing"}}, [("config.schema", "schema")]),
    ("json", {"schema": {"$ref": "#"}}, [("config.schema", "schema")]),  # endless loop
    ("json", {"schema": {"if": {"type": "string"}, "then": {"$ref": "#"}}},
     [("config.schema", "schema")]),
    # options
    ("select", {}, [("config.options", "required")]),
    ("select", {"options": None}, [("config.options", "required")]),
    ("multi_select", {}, [("config.options", "required")]),
    ("select", {"options": []}, [("config.options", "min_items")]),
    ("multi_select", {"options": []}, [("config.options", "min_items")]),
    ("select", {"options": [*OPTIONS, {"value": "a", "label": "Again"}]},
     [("config.options.2.value", "duplicate")]),
    ("multi_select", {"options": [{"value": "x", "label": "X"}, {"value": "x", "label": "Y"}]},
     [("config.options.1.value", "duplicate")]),
    ("select", {"options": ["a", "b"]},
     [("config.options.0", "type"), ("config.options.1", "type")]),
    ("select", {"options": [{"value": "a"}]}, [("config.options.0.label", "required")]),
    ("select", {"options": [{"label": "A"}]}, [("config.options.0.value", "required")]),
    ("select", {"options": [{"value": 1, "label": "One"}]}, [("config.options.0.value", "type")]),
    ("select", {"options": [{"value": "", "label": "Empty"}]},
     [("config.options.0.value", "min_length")]),
    ("select", {"options": [{"value": "a", "label": "A", "icon": "x"}]},
     [("config.options.0.icon", "unknown_key")]),
    ("select", {"options": [{"value": "a", "label": "A", "color": 1}]},
     [("config.options.0.color", "type")]),
    # codes and regions
    ("currency", {"currency_code": "eur"}, [("config.currency_code", "format")]),
    ("currency", {"currency_code": "EURO"}, [("config.currency_code", "format")]),
    ("currency", {"currency_code": "E1R"}, [("config.currency_code", "format")]),
    ("phone", {"default_region": "XX"}, [("config.default_region", "format")]),
    ("phone", {"default_region": "fr"}, [("config.default_region", "format")]),
    ("phone", {"default_region": "FRA"}, [("config.default_region", "format")]),
    ("url", {"schemes": []}, [("config.schemes", "min_items")]),
    ("url", {"schemes": ["https", "not a scheme"]}, [("config.schemes.1", "format")]),
    ("url", {"schemes": ["1http"]}, [("config.schemes.0", "format")]),
    ("date", {"min": "2026-13-01"}, [("config.min", "format")]),
    ("date", {"max": "21/11/2026"}, [("config.max", "format")]),
    ("date", {"min": "2026-11-21T10:00:00Z"}, [("config.min", "format")]),
    ("datetime", {"min": "2026-11-21T10:00:00"}, [("config.min", "format")]),
    ("datetime", {"max": "tomorrow"}, [("config.max", "format")]),
    # the default must be a valid value under the config
    ("text", {"max_length": 3, "default": "abcd"}, [("config.default", "max_length")]),
    ("text", {"pattern": "^[0-9]+$", "default": "abc"}, [("config.default", "pattern")]),
    ("text", {"default": 5}, [("config.default", "type")]),
    ("number", {"min": 10, "default": 5}, [("config.default", "minimum")]),
    ("number", {"integer": True, "default": 1.5}, [("config.default", "integer")]),
    ("currency", {"default": 1.234}, [("config.default", "precision")]),
    ("boolean", {"default": "true"}, [("config.default", "type")]),
    ("date", {"default": "2026-02-30"}, [("config.default", "format")]),
    ("date", {"min": "2026-01-01", "default": "2025-12-31"}, [("config.default", "minimum")]),
    ("datetime", {"default": "2026-11-21T10:00:00"}, [("config.default", "format")]),
    ("email", {"default": "not-an-email"}, [("config.default", "format")]),
    ("phone", {"default": "01 42 68 53 00"}, [("config.default", "format")]),
    ("url", {"schemes": ["https"], "default": "http://example.com"},
     [("config.default", "format")]),
    ("select", {"options": OPTIONS, "default": "z"}, [("config.default", "enum")]),
    ("multi_select", {"options": OPTIONS, "default": "a"}, [("config.default", "type")]),
    ("multi_select", {"options": OPTIONS, "max_items": 1, "default": ["a", "b"]},
     [("config.default", "max_items")]),
    ("rating", {"max": 3, "default": 4}, [("config.default", "maximum")]),
    ("json", {"schema": {"type": "array"}, "default": {}}, [("config.default", "schema")]),
    # several problems are all reported
    ("text", {"min_length": 9, "max_length": 2, "pattern": "(", "bogus": 1},
     [("config.bogus", "unknown_key"), ("config.min_length", "range"),
      ("config.pattern", "regex")]),
    ("number", {"min": "a", "precision": 99, "unit": "kg"},
     [("config.min", "type"), ("config.unit", "unknown_key"), ("config.precision", "range")]),
]


@pytest.mark.parametrize(("type_name", "config", "expected"), INVALID)
def test_invalid_config(type_name, config, expected):
    problems = get(type_name).validate_config(config)
    assert sorted((p["field"], p["code"]) for p in problems) == sorted(expected)
    assert all(p["message"] for p in problems)


@pytest.mark.parametrize("type_name", sorted(TYPE_NAMES))
@pytest.mark.parametrize("config", [None, [], "x"])
def test_config_must_be_an_object(type_name, config):
    assert get(type_name).validate_config(config, path="cfg") == [
        {"field": "cfg", "code": "type", "message": "must be an object"}]


def test_path_prefixes_every_problem():
    problems = get("text").validate_config({"max_length": "x"}, path="fields.3.config")
    assert [p["field"] for p in problems] == ["fields.3.config.max_length"]
