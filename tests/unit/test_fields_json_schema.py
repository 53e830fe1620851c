"""JSON Schema configs: caps, RE2 patterns everywhere, a bounded cost, a CPU budget."""

from __future__ import annotations

import gc
import time

import jsonschema._legacy_keywords
import jsonschema._utils
import pytest

from objectry.fields import ValueProblem, get
from objectry.fields.json_schema import TooExpensive, cpu_budget, search
from objectry.fields.structured import (
    SCHEMA_BUDGET,
    SCHEMA_MAX_BYTES,
    canonical,
    compile_schema,
    schema_problem,
    schema_violation,
    weigher_for,
)


def fan_out(levels: int) -> dict:
    """$defs a0..a<levels>, each applying the next one twice: 2^levels subschemas per value."""
    defs = {f"a{i}": {"anyOf": [{"$ref": f"#/$defs/a{i + 1}"}, {"$ref": f"#/$defs/a{i + 1}"}]}
            for i in range(levels)}
    return {"$defs": {**defs, f"a{levels}": {"type": "string"}}, "$ref": "#/$defs/a0"}


def problem(schema: object) -> tuple[str, str] | None:
    return schema_problem(schema)  # type: ignore[arg-type]


def test_the_fan_out_schema_is_refused_at_save():
    schema = fan_out(20)
    assert len(canonical(schema)) < 1500
    code, message = problem(schema)
    assert code == "schema" and str(SCHEMA_BUDGET) in message


def test_fan_out_within_the_budget_is_allowed():
    assert problem(fan_out(11)) is None  # 2^13 - 2 subschemas
    assert problem(fan_out(12))[0] == "schema"  # 2^14 - 2


@pytest.mark.parametrize("schema", [
    # a tree: the recursion goes down a level each time, and values are at most 32 deep
    {"type": "object", "properties": {"name": {"type": "string"},
                                      "children": {"type": "array", "items": {"$ref": "#"}}}},
    {"properties": {"left": {"$ref": "#"}, "right": {"$ref": "#"}}},
    {"$defs": {"n": {"anyOf": [{"type": "null"}, {"items": {"$ref": "#/$defs/n"}}]}},
     "$ref": "#/$defs/n"},
])
def test_recursion_that_consumes_value_depth_is_legitimate(schema):
    assert problem(schema) is None


def test_recursion_that_multiplies_at_every_level_is_refused():
    """Each item is validated twice, its items four times… 2^32 at the deepest part."""
    assert problem({"anyOf": [{"items": {"$ref": "#"}}, {"items": {"$ref": "#"}}]})[0] == "schema"


@pytest.mark.parametrize("schema", [
    {"$ref": "#"}, {"not": {"$ref": "#"}},
    {"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"$ref": "#/$defs/a"}},
     "$ref": "#/$defs/a"},
])
def test_loops_that_never_go_down_are_refused(schema):
    assert problem(schema) == ("schema", "the JSON Schema refers to itself in an endless loop")


def test_long_ref_chains_are_refused():
    defs = {f"a{i}": {"$ref": f"#/$defs/a{i + 1}"} for i in range(300)}
    assert "nests" in problem({"$defs": {**defs, "a300": {}}, "$ref": "#/$defs/a0"})[1]


def test_size_and_depth_caps():
    assert SCHEMA_MAX_BYTES == 64 * 1024
    big = {"description": "x" * SCHEMA_MAX_BYTES}
    assert problem(big)[0] == "too_large"
    deep: dict = {"type": "string"}
    for _ in range(7):  # {"properties": {"a": …}} is two levels of JSON: 15 in all
        deep = {"properties": {"a": deep}}
    assert problem({"not": deep}) is None
    assert problem({"not": {"not": deep}})[0] == "too_deep"


@pytest.mark.parametrize("schema", [
    {"pattern": "(?=a)"},
    {"properties": {"x": {"pattern": r"(a)\1"}}},
    {"patternProperties": {"(?<!a)b": {}}},
    {"$schema": "http://json-schema.org/draft-04/schema#", "patternProperties": {"(?=x)": {}}},
    {"$schema": "http://json-schema.org/draft-07/schema#",
     "items": [{"pattern": "a(?!b)"}]},
])
def test_patterns_re2_cannot_run_are_refused_with_code_regex(schema):
    code, message = problem(schema)
    assert code == "regex" and "RE2" in message


def test_the_regex_format_is_checked_by_re2():
    config = {"schema": {"format": "regex"}}
    assert get("json").clean("^a+$", config) == "^a+$"
    with pytest.raises(ValueProblem):
        get("json").clean("(?=a)", config)


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}},
    {"type": "object", "patternProperties": {"^(a+)+$": {}}, "additionalProperties": False},
    {"type": "object", "patternProperties": {"^(a+)+$": {}}, "unevaluatedProperties": False},
    {"$schema": "https://json-schema.org/draft/2019-09/schema", "type": "object",
     "patternProperties": {"^(a+)+$": {}}, "unevaluatedProperties": False},
])
def test_every_pattern_runs_on_re2_at_validation(schema):
    """Python's re takes minutes on 40 a's and a "!"; each of these keywords reaches a regex."""
    started = time.perf_counter()
    evil = "a" * 40 + "!"
    with pytest.raises(ValueProblem):
        get("json").clean({"a": evil, evil: 1}, {"schema": schema})
    assert time.perf_counter() - started < 1


def test_jsonschemas_own_regex_helpers_use_re2():
    assert jsonschema._utils.re.search is search
    assert jsonschema._legacy_keywords.re.search is search


def test_validation_past_its_cpu_budget_is_refused():
    """A schema saved before the budget existed: the guard at validation time still holds."""
    validator = compile_schema(canonical(fan_out(24)))
    started = time.perf_counter()
    with pytest.raises(TooExpensive), cpu_budget(0.2):
        list(validator.iter_errors(1))
    assert time.perf_counter() - started < 2
    with pytest.raises(ValueProblem) as caught:
        get("json").clean([1] * 1000, {"schema": {**fan_out(24), "items": {"$ref": "#"}}})
    assert caught.value.code == "schema" and "CPU" in str(caught.value)


def test_a_regex_whose_worst_case_exceeds_the_budget_is_not_started():
    with cpu_budget(0.001), pytest.raises(TooExpensive):
        search("[ab]*a[ab]{500}c", "ab" * 500_000)


def test_costly_schemas_weigh_enough_for_a_worker_thread():
    assert weigher_for(fan_out(3))(1) >= 1000
    assert weigher_for({"pattern": "a"})("x") >= 1000
    assert weigher_for({"type": "integer"})(1) < 1000
    assert weigher_for(None)([1] * 100_000) >= 1000
    assert weigher_for(None)([1] * 10) < 1000


def test_failing_branches_leave_no_cyclic_garbage():
    """jsonschema's anyOf keeps every failing branch's errors in a cyclic tree: collecting
    that garbage held the GIL, and so every request, for up to 250 ms."""
    validator = compile_schema(canonical(fan_out(10)))
    gc.collect()
    assert schema_violation(validator, 1) == "1 is not valid under any of the given schemas"
    assert gc.collect() < 50


@pytest.mark.parametrize(("schema", "value", "message"), [
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, 1, None),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 1,
     "1 is not valid under any of the given schemas"),
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, -1, None),
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 1,
     "1 is valid under more than one of the given schemas (at least 0 and 1)"),
    ({"oneOf": [{"type": "string"}, {"type": "null"}]}, 1,
     "1 is not valid under any of the given schemas"),
    ({"properties": {"a": {"anyOf": [{"type": "string"}]}}}, {"a": 1},
     "1 is not valid under any of the given schemas at $.a"),
])
def test_any_of_and_one_of_keep_their_meaning(schema, value, message):
    assert schema_violation(compile_schema(canonical(schema)), value) == message
