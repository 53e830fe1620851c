"""Golden tables for field values: input → stored form, and input → problem code."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from objectry.fields import REGISTRY, ValueProblem, get
from tests.support.metadata import FR, OPTIONS, PERSON

VALID = [
    # text
    ("text", {}, "hello", "hello"),
    ("text", {}, "", ""),
    ("text", {}, "x" * 255, "x" * 255),
    ("text", {}, "  spaces kept  ", "  spaces kept  "),
    ("text", {"min_length": 2, "max_length": 3}, "abc", "abc"),
    ("text", {"pattern": "[0-9]"}, "a1b", "a1b"),  # re.search, like JSON Schema
    ("text", {"pattern": "^[A-Z]{2}$"}, "FR", "FR"),
    ("text", {"max_length": 5}, "émoji", "émoji"),
    ("long_text", {}, "x" * 100_000, "x" * 100_000),
    ("long_text", {}, "line 1\nline 2", "line 1\nline 2"),
    # rich_text: stored sanitised
    ("rich_text", {}, "<b>bold</b>", "<b>bold</b>"),
    ("rich_text", {}, "<script>alert(1)</script>ok", "ok"),
    ("rich_text", {}, "<p onclick='x()'>p</p>", "<p>p</p>"),
    ("rich_text", {}, "a < b", "a &lt; b"),
    ("rich_text", {"max_length": 2}, "<script>long script</script>ok", "ok"),
    # number / currency / percent
    ("number", {}, 0, 0),
    ("number", {}, -3.25, -3.25),
    ("number", {}, 1e15, 1e15),
    ("number", {}, 2**53, 2**53),
    ("number", {}, -(2**53), -(2**53)),
    ("number", {"integer": True}, 7, 7),
    ("number", {"integer": True}, 1.0, 1),
    ("number", {"precision": 2}, 1.25, 1.25),
    ("number", {"precision": 2}, 0.1, 0.1),
    ("number", {"precision": 0}, 3.0, 3.0),
    ("number", {"precision": 0}, 300, 300),
    ("number", {"min": 0, "max": 10}, 0, 0),
    ("number", {"min": 0, "max": 10}, 10, 10),
    ("number", {"min": -1.5}, -1.5, -1.5),
    ("currency", {}, 19.99, 19.99),
    ("currency", {}, 20, 20),
    ("currency", {"precision": 4}, 0.0001, 0.0001),
    ("percent", {}, 12.5, 12.5),
    ("percent", {}, 250, 250),
    ("percent", {"min": 0, "max": 100, "precision": 1}, 99.9, 99.9),
    # rating
    ("rating", {}, 1, 1),
    ("rating", {}, 5, 5),
    ("rating", {}, 3.0, 3),
    ("rating", {"max": 10}, 10, 10),
    # boolean
    ("boolean", {}, True, True),
    ("boolean", {}, False, False),
    # date
    ("date", {}, "2026-11-21", "2026-11-21"),
    ("date", {}, "2024-02-29", "2024-02-29"),
    ("date", {"min": "2026-01-01", "max": "2026-12-31"}, "2026-01-01", "2026-01-01"),
    ("date", {"min": "2026-01-01", "max": "2026-12-31"}, "2026-12-31", "2026-12-31"),
    # datetime: stored in UTC with "Z"
    ("datetime", {}, "2026-11-21T10:00:00Z", "2026-11-21T10:00:00Z"),
    ("datetime", {}, "2026-11-21T11:00:00+01:00", "2026-11-21T10:00:00Z"),
    ("datetime", {}, "2026-11-21T05:00:00-05:00", "2026-11-21T10:00:00Z"),
    ("datetime", {}, "2026-11-21T10:00:00+00:00", "2026-11-21T10:00:00Z"),
    ("datetime", {}, "2026-11-21 10:00:00Z", "2026-11-21T10:00:00Z"),
    ("datetime", {}, "2026-11-21T10:00Z", "2026-11-21T10:00:00Z"),
    ("datetime", {}, "2026-11-21T10:00:00.123456Z", "2026-11-21T10:00:00.123456Z"),
    ("datetime", {}, "2026-11-21T10:00:00.5+00:00", "2026-11-21T10:00:00.500000Z"),
    ("datetime", {}, "2026-11-22T00:30:00+05:30", "2026-11-21T19:00:00Z"),
    ("datetime", {"min": "2026-11-21T10:00:00Z"}, "2026-11-21T11:00:00+01:00",
     "2026-11-21T10:00:00Z"),
    # email: validated, whole address lower-cased
    ("email", {}, "ann@example.com", "ann@example.com"),
    ("email", {}, "Ann.Lee@Example.COM", "ann.lee@example.com"),
    ("email", {}, "ANN+tag@sub.example.org", "ann+tag@sub.example.org"),
    ("email", {}, "Éloïse@exämple.fr", "éloïse@exämple.fr"),
    # phone: E.164
    ("phone", {}, "+33 1 42 68 53 00", "+33142685300"),
    ("phone", {}, "+33142685300", "+33142685300"),
    ("phone", {}, "+1 650-253-0000", "+16502530000"),
    ("phone", {}, "+44 20 7946 0958", "+442079460958"),
    ("phone", FR, "01 42 68 53 00", "+33142685300"),
    ("phone", FR, "+33 1 42 68 53 00", "+33142685300"),
    ("phone", FR, "01.42.68.53.00", "+33142685300"),
    ("phone", FR, "+1 650 253 0000", "+16502530000"),
    ("phone", {"default_region": "US"}, "(650) 253-0000", "+16502530000"),
    # url: stored as given
    ("url", {}, "https://example.com", "https://example.com"),
    ("url", {}, "http://example.com/a/b?c=d#e", "http://example.com/a/b?c=d#e"),
    ("url", {}, "HTTPS://Example.com", "HTTPS://Example.com"),
    ("url", {}, "https://user:pw@host.example:8443/x", "https://user:pw@host.example:8443/x"),
    ("url", {}, "http://localhost:8000", "http://localhost:8000"),
    ("url", {}, "http://[::1]/", "http://[::1]/"),
    ("url", {"schemes": ["ftp"]}, "ftp://files.example.org/a.txt",
     "ftp://files.example.org/a.txt"),
    # select / multi_select
    ("select", OPTIONS, "red", "red"),
    ("select", OPTIONS, "blue", "blue"),
    ("multi_select", OPTIONS, [], []),
    ("multi_select", OPTIONS, ["red"], ["red"]),
    ("multi_select", OPTIONS, ["blue", "red"], ["blue", "red"]),
    ("multi_select", {**OPTIONS, "min_items": 1, "max_items": 2}, ["green", "red"],
     ["green", "red"]),
    # json
    ("json", {}, {"a": [1, 2, {"b": None}]}, {"a": [1, 2, {"b": None}]}),
    ("json", {}, [1, "two", 3.5, True, None], [1, "two", 3.5, True, None]),
    ("json", {}, "just a string", "just a string"),
    ("json", {}, 42, 42),
    ("json", {}, False, False),
    ("json", PERSON, {"name": "Ann"}, {"name": "Ann"}),
    ("json", PERSON, {"name": "Ann", "age": 40}, {"name": "Ann", "age": 40}),
    ("json", {"schema": {"type": "array", "items": {"type": "integer"}}}, [1, 2], [1, 2]),
    ("json", {"schema": {"$ref": "#/$defs/n", "$defs": {"n": {"type": "number"}}}}, 1.5, 1.5),
]


@pytest.mark.parametrize(("type_name", "config", "value", "expected"), VALID)
def test_valid_value(type_name, config, value, expected):
    stored = get(type_name).clean(value, config)
    assert stored == expected
    assert type(stored) is type(expected)


@pytest.mark.parametrize(("type_name", "config", "value", "expected"), VALID)
def test_stored_values_are_accepted_again_unchanged(type_name, config, value, expected):
    # A stored value read back and written again (GET then PUT) must survive as it is.
    assert get(type_name).clean(expected, config) == expected


@pytest.mark.parametrize(("type_name", "config", "value", "expected"), VALID)
def test_stored_values_match_the_published_schema(type_name, config, value, expected):
    schema = get(type_name).value_schema(config)
    assert list(Draft202012Validator(schema).iter_errors(expected)) == []


def test_long_option_lists_are_cut_short_in_messages():
    options = {"options": [{"value": f"o{i}", "label": str(i)} for i in range(30)]}
    with pytest.raises(ValueProblem) as caught:
        get("select").clean("nope", options)
    assert caught.value.message.endswith("o9, …")


def test_cleaners_are_reusable_and_match_clean():
    clean = get("phone").cleaner(FR)
    assert [clean(v) for v in ("01 42 68 53 00", "+33 1 42 68 53 00")] == ["+33142685300"] * 2


def test_json_schema_validators_are_compiled_once():
    from objectry.fields.structured import compile_schema

    compile_schema.cache_clear()
    for _ in range(5):
        get("json").clean({"name": "Ann"}, {"schema": dict(PERSON["schema"])})
    assert compile_schema.cache_info().misses == 1


def test_json_schema_never_fetches_remote_references():
    # Config validation refuses them; a stored one that slipped through fails as a value problem.
    config = {"schema": {"$ref": "https://example.invalid/schema.json"}}
    with pytest.raises(ValueProblem) as caught:
        get("json").clean({}, config)
    assert caught.value.code == "schema"


def test_json_schema_loops_are_problems_not_crashes():
    with pytest.raises(ValueProblem) as caught:
        get("json").clean({}, {"schema": {"$ref": "#"}})
    assert caught.value.code == "schema"


def test_recursive_json_schema_validates_deep_values():
    value: dict = {}
    for _ in range(31):
        value = {"child": value}
    config = {"schema": {"properties": {"child": {"$ref": "#"}}}}
    assert get("json").clean(value, config) is value


def test_json_values_nested_too_deeply_are_refused():
    value: list = []
    for _ in range(2000):
        value = [value]
    with pytest.raises(ValueProblem) as caught:
        get("json").clean(value, {})
    assert caught.value.code == "too_deep"


def test_multi_select_result_is_a_copy():
    given = ["red"]
    stored = get("multi_select").clean(given, OPTIONS)
    stored.append("blue")
    assert given == ["red"]


# Computed and autonumber values are the server's: a client never writes one
# (tests/unit/test_fields_invalid.py).
SERVER_MADE = {"formula", "lookup", "rollup", "autonumber"}


@pytest.mark.parametrize("type_name", sorted(set(REGISTRY) - SERVER_MADE))
def test_every_type_has_valid_cases(type_name):
    assert any(case[0] == type_name for case in VALID)
