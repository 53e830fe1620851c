"""Per-object `field_overrides`: what may be overridden, and the merged config's checks."""

from __future__ import annotations

import pytest

from objectry.fields import merged_config, validate_overrides

OPTIONS = [{"value": "a", "label": "A"}, {"value": "b", "label": "B", "color": "#f00"}]

OVERRIDES = [
    ("text", {"max_length": 100}, {}, []),
    ("text", {"max_length": 100}, {"label": "Name", "config": {"max_length": 50}}, []),
    ("text", {}, {"config": None, "label": None}, []),
    ("text", {}, "label", [("field_overrides", "type")]),
    ("text", {}, {"colour": "red"}, [("field_overrides.colour", "unknown_key")]),
    ("text", {}, {"label": 5}, [("field_overrides.label", "type")]),
    ("text", {}, {"label": "  "}, [("field_overrides.label", "min_length")]),
    ("text", {}, {"config": []}, [("field_overrides.config", "type")]),
    ("text", {}, {"config": {"bogus": 1}}, [("field_overrides.config.bogus", "unknown_key")]),
    # the merged config is what must be valid
    ("text", {"min_length": 10}, {"config": {"max_length": 5}},
     [("field_overrides.config.min_length", "range")]),
    ("select", {"options": OPTIONS}, {"config": {"default": "b"}}, []),
    ("select", {"options": OPTIONS}, {"config": {"default": "z"}},
     [("field_overrides.config.default", "enum")]),
    ("select", {"options": OPTIONS}, {"config": {"options": []}},
     [("field_overrides.config.options", "min_items")]),
]


@pytest.mark.parametrize(("type_name", "base", "overrides", "expected"), OVERRIDES)
def test_validate_overrides(type_name, base, overrides, expected):
    problems = validate_overrides(type_name, base, overrides)
    assert [(p["field"], p["code"]) for p in problems] == expected


def test_validate_overrides_path():
    problems = validate_overrides("rating", {}, {"config": {"max": 20}}, path="o")
    assert [p["field"] for p in problems] == ["o.config.max"]


@pytest.mark.parametrize(("base", "overrides", "expected"), [
    ({"max_length": 10}, {}, {"max_length": 10}),
    ({"max_length": 10}, None, {"max_length": 10}),
    ({"max_length": 10}, {"label": "X"}, {"max_length": 10}),
    ({"max_length": 10}, {"config": {"max_length": 5}}, {"max_length": 5}),
    ({"max_length": 10}, {"config": {"pattern": "a"}}, {"max_length": 10, "pattern": "a"}),
    ({"max_length": 10}, {"config": {"max_length": None}}, {"max_length": None}),
])
def test_merged_config(base, overrides, expected):
    before = dict(base)
    assert merged_config(base, overrides) == expected
    assert base == before
