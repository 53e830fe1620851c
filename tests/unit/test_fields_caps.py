"""Caps on JSON values (32 levels, 1 MB), exact numbers (±2^53), URL schemes, date overflow."""

from __future__ import annotations

import pytest

from objectry.fields import ValueProblem, get, validate_overrides
from objectry.fields.caps import MAX_BYTES, MAX_DEPTH, SAFE_INTEGER, count_nodes, json_problem


def nested(levels: int, leaf: object = 1) -> object:
    value = leaf
    for i in range(levels):
        value = [value] if i % 2 else {"k": value}
    return value


def test_depth_counts_arrays_and_objects():
    assert MAX_DEPTH == 32
    assert json_problem(nested(32)) is None
    assert json_problem(nested(33)) == ("too_deep", "must not be nested more than 32 levels deep")
    assert json_problem(1) is None and json_problem([[1]], max_depth=2) is None


def test_depth_is_checked_without_recursion():
    assert json_problem(nested(200_000))[0] == "too_deep"
    assert json_problem(nested(200_000), scalars=False)[0] == "too_deep"


def test_size_is_the_compact_json_encoding():
    assert MAX_BYTES == 1024 * 1024
    assert json_problem("x" * (MAX_BYTES - 2)) is None  # plus its two quotes
    assert json_problem("x" * (MAX_BYTES - 1))[0] == "too_large"
    assert json_problem({"a": ["x" * 600_000, "y" * 600_000]})[0] == "too_large"


@pytest.mark.parametrize("number", [SAFE_INTEGER, -SAFE_INTEGER, 0, 1.5, 1e15])
def test_exact_numbers_pass(number):
    assert json_problem({"n": [number]}) is None


@pytest.mark.parametrize("number", [SAFE_INTEGER + 1, -SAFE_INTEGER - 1, 2**64, 1e20, 1e300])
def test_numbers_beyond_2_53_are_refused(number):
    assert json_problem({"n": [number]})[0] == "range"


def test_count_nodes_stops_at_its_limit():
    assert count_nodes([1, [2, 3], {"a": 4}], 100) == 7
    assert count_nodes(list(range(1_000_000)), 10) == 10


@pytest.mark.parametrize("type_name", ["number", "currency", "percent"])
@pytest.mark.parametrize("value", [2**53 + 1, -(2**53) - 1, 10**30, 1.2345678901234568e29])
def test_numeric_values_beyond_2_53_are_refused(type_name, value):
    """10**30 as a JSON literal reaches Python as a float (orjson): refused all the same."""
    with pytest.raises(ValueProblem) as caught:
        get(type_name).clean(value, {})
    assert caught.value.code == "range"


@pytest.mark.parametrize("type_name", ["number", "currency", "percent"])
def test_numeric_values_at_2_53_are_kept_exactly(type_name):
    config = {"precision": 0} if type_name == "currency" else {}
    assert get(type_name).clean(2**53, config) == 2**53
    assert get(type_name).clean(-(2**53), config) == -(2**53)


def test_integer_floats_are_held_to_the_same_bound():
    with pytest.raises(ValueProblem):
        get("number").clean(1e16, {"integer": True})
    with pytest.raises(ValueProblem):
        get("rating").clean(2**60, {})


@pytest.mark.parametrize(("type_name", "config", "key"), [
    ("number", {"min": 2**53 + 1}, "min"),
    ("number", {"max": -(2**60)}, "max"),
    ("number", {"default": 10**20}, "default"),
    ("currency", {"max": 1e300}, "max"),
    ("percent", {"min": 2**64}, "min"),
    ("text", {"max_length": 2**60}, "max_length"),
    ("rating", {"default": 2**53 + 1}, "default"),
    ("json", {"default": {"id": 2**53 + 1}}, "default"),
])
def test_numeric_config_beyond_2_53_is_refused(type_name, config, key):
    problems = get(type_name).validate_config(config)
    assert [(p["field"], p["code"]) for p in problems] == [(f"config.{key}", "range")]


def test_json_values_keep_integers_up_to_2_53_and_refuse_beyond():
    assert get("json").clean({"id": 2**53}, {}) == {"id": 2**53}
    with pytest.raises(ValueProblem) as caught:
        get("json").clean({"id": 2**53 + 1}, {})
    assert caught.value.code == "range"


@pytest.mark.parametrize("scheme", ["javascript", "JavaScript", "DATA", "data", "VbScript"])
def test_code_running_url_schemes_are_refused_in_any_case(scheme):
    problems = get("url").validate_config({"schemes": ["https", scheme]})
    assert [(p["field"], p["code"]) for p in problems] == [("config.schemes.1", "forbidden")]
    problems = validate_overrides("url", {}, {"config": {"schemes": [scheme]}})
    assert [(p["field"], p["code"]) for p in problems] == [
        ("field_overrides.config.schemes.0", "forbidden")]


def test_url_schemes_compare_case_insensitively():
    assert get("url").clean("HTTPS://Example.com/A", {"schemes": ["https"]}) == (
        "HTTPS://Example.com/A")
    assert get("url").clean("ftp://example.com", {"schemes": ["FTP"]}) == "ftp://example.com"


def test_a_stored_config_with_a_forbidden_scheme_still_lets_none_through():
    for value in ("javascript:alert(1)//x", "JAVASCRIPT://x/%0aalert(1)"):
        with pytest.raises(ValueProblem):
            get("url").clean(value, {"schemes": ["javascript", "https"]})


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_datetimes_that_overflow_after_their_offset_are_refused(value):
    with pytest.raises(ValueProblem) as caught:
        get("datetime").clean(value, {})
    assert caught.value.code == "format"
    for key in ("min", "max"):
        problems = get("datetime").validate_config({key: value})
        assert [(p["field"], p["code"]) for p in problems] == [(f"config.{key}", "format")]
