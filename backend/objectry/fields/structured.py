"""The `json` field type: any JSON value, optionally held to a JSON Schema (`schema`).

A schema is checked when saved: at most 64 KB and 16 levels, valid for its draft, only local
`$ref`s that resolve, every pattern runnable by RE2, and a bounded cost (`schema_cost`).
Values are validated by `json_schema.safe` validators, within a CPU budget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from objectry.errors import Detail, detail
from objectry.fields.base import (
    HEAVY_WORK,
    SCHEMA,
    Cleaner,
    Config,
    FieldType,
    ValueProblem,
    Weigher,
)
from objectry.fields.caps import Problem, count_nodes, json_problem
from objectry.fields.comparison import JSON_OPERATORS
from objectry.fields.json_schema import TooExpensive, cpu_budget, format_checker, safe
from objectry.fields.regex import RegexError, regex_problem
from objectry.fields.schema_cost import LOOPING, CostError, Graph, cost
from objectry.sqltext import JSONB

# An explicit registry stops jsonschema fetching remote `$ref`s over the network (its default).
NO_REMOTE = Registry()
MESSAGE_LIMIT = 200  # jsonschema messages quote the value; a person needs the start of it
SCHEMA_MAX_BYTES = 64 * 1024
SCHEMA_MAX_DEPTH = 16
VALUE_DEPTH = 32  # json values' own cap (caps.MAX_DEPTH): how deep a schema can recurse
SCHEMA_BUDGET = 10_000  # subschemas applied to one part of a value, `$ref`s expanded
CHECK_SECONDS = 5.0  # CPU to check a schema against its draft's metaschema (~0.2 ms a node)
VALIDATE_SECONDS = 2.0  # CPU to validate one request's values (one value outside a request)


def references(schema: Any) -> Iterator[str]:
    """Every `$ref` / `$dynamicRef` string anywhere in a schema (iteratively: no recursion)."""
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                    yield value
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def draft_of(schema: Any) -> type[Validator] | None:
    """The validator class of the schema's `$schema` (2020-12 without one); None if unknown."""
    if not isinstance(schema, dict) or "$schema" not in schema:
        return Draft202012Validator
    dialect = schema["$schema"]
    # validator_for returns `default` for an unknown $schema; its stubs allow only a class.
    return validator_for(schema, default=None) if isinstance(dialect, str) else None  # type: ignore[arg-type]


def schema_problem(schema: dict[str, Any] | bool) -> Problem | None:
    """Why a JSON Schema cannot be saved, as (code, message): `regex` for a pattern RE2 cannot
    run, `too_large`/`too_deep` over the caps, `schema` otherwise."""
    problem = json_problem(schema, max_depth=SCHEMA_MAX_DEPTH, max_bytes=SCHEMA_MAX_BYTES)
    if problem is not None:
        return problem[0], f"the JSON Schema {problem[1]}"
    cls = draft_of(schema)
    if cls is None:
        return "schema", f"unknown $schema {schema['$schema']!r}"[:MESSAGE_LIMIT]  # type: ignore[index]
    return metaschema_problem(cls, schema) or reference_problem(schema) or cost_problem(schema)


def metaschema_problem(cls: type[Validator], schema: Any) -> Problem | None:
    meta = safe(validator_for(cls.META_SCHEMA, default=cls), lean=False)
    checker = meta(cls.META_SCHEMA, format_checker=format_checker(cls))
    try:
        with cpu_budget(CHECK_SECONDS):
            error = next(iter(checker.iter_errors(schema)), None)
    except TooExpensive:
        return "schema", "the JSON Schema is too large or too complex to check"
    if error is None:
        return None
    bad_regex = regex_error(error)
    if bad_regex is not None:
        return "regex", f"{regex_problem(bad_regex)}: {bad_regex!r}"[:MESSAGE_LIMIT]
    return "schema", f"not a valid JSON Schema: {error.message}"[:MESSAGE_LIMIT]


def regex_error(error: ValidationError) -> str | None:
    """The pattern behind a metaschema error, if a `regex` format check is in its tree (an
    `anyOf` branch's, say)."""
    stack = [error]
    while stack:
        error = stack.pop()
        if error.validator == "format" and error.validator_value == "regex" \
                and isinstance(error.instance, str):  # always: is_regex passes non-strings
            return error.instance
        stack.extend(error.context or ())
    return None


def reference_problem(schema: Any) -> Problem | None:
    resolver = NO_REMOTE.resolver_with_root(Resource.from_contents(schema, DRAFT202012))
    for ref in references(schema):
        if not ref.startswith("#"):
            return "schema", f"only local references (#…) are allowed, not {ref!r}"[
                :MESSAGE_LIMIT]
        try:
            resolver.lookup(ref)
        except Unresolvable:
            return "schema", f"the reference {ref!r} points nowhere"[:MESSAGE_LIMIT]
    return None


def cost_problem(schema: Any) -> Problem | None:
    """A schema that loops or costs too much, or a pattern in it that RE2 cannot run."""
    graph = Graph(schema, NO_REMOTE.resolver_with_root(
        Resource.from_contents(schema, DRAFT202012)))
    try:
        most = cost(graph, VALUE_DEPTH, SCHEMA_BUDGET + 1)
    except CostError as exc:
        return "schema", str(exc)
    if most > SCHEMA_BUDGET:
        return "schema", (f"the JSON Schema applies more than {SCHEMA_BUDGET} subschemas to one "
                          "part of a value (counting every $ref it follows); simplify it")
    for pattern in graph.patterns():
        problem = regex_problem(pattern)
        if problem is not None:
            return "regex", f"{problem}: {pattern!r}"[:MESSAGE_LIMIT]
    return None


def canonical(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=256)
def compile_schema(text: str) -> Validator:
    """A validator per distinct schema, built once: building one costs far more than using it."""
    schema = json.loads(text)
    cls = validator_for(schema, default=Draft202012Validator)
    return safe(cls)(schema, registry=NO_REMOTE, format_checker=format_checker(cls))


def schema_violation(validator: Validator, value: Any) -> str | None:
    try:
        with cpu_budget(VALIDATE_SECONDS):
            error = best_match(validator.iter_errors(value))
    except Unresolvable:
        return "the field's JSON Schema has a reference that cannot be resolved"
    except RecursionError:
        # Values are at most 32 deep, so only a `$ref` cycle recurses this far.
        return LOOPING
    except TooExpensive:
        return (f"validating this against the field's JSON Schema takes more than "
                f"{VALIDATE_SECONDS:g} s of CPU; send less, or simplify the schema")
    except RegexError as exc:
        return f"the field's JSON Schema has a pattern that cannot run: {exc}"[:MESSAGE_LIMIT]
    if error is None:
        return None
    where = "" if error.json_path == "$" else f" at {error.json_path}"
    return f"{error.message}{where}"[:MESSAGE_LIMIT]


# Keywords that apply more than one subschema to the same value, or a regex: a schema without
# any costs little per value node; one with them may cost up to SCHEMA_BUDGET subschemas (or a
# regex's worst case) on a single string.
_COSTLY = ('"$ref"', '"$dynamicRef"', '"$recursiveRef"', '"allOf"', '"anyOf"', '"oneOf"',
           '"not"', '"if"', '"dependentSchemas"', '"dependencies"', '"unevaluated', '"pattern')


def weigher_for(schema: Any) -> Weigher:
    """What validating a value costs, roughly (µs): its size times the schema's cost."""
    text = canonical(schema) if schema is not None else ""
    if len(text) > 4096 or any(keyword in text for keyword in _COSTLY):
        return lambda value: HEAVY_WORK
    per_node = 10 if len(text) > 4 else 0  # `{}`, `true` or none: only caps.json_problem runs

    def weigh(value: Any) -> int:
        nodes = count_nodes(value, HEAVY_WORK * 4)
        return nodes * per_node + nodes // 4

    return weigh


class Json(FieldType):
    name = "json"
    sql_cast = JSONB
    operators = JSON_OPERATORS
    config_keys = {"schema": SCHEMA}

    def check_config(self, config: Config, path: str) -> list[Detail]:
        problem = schema_problem(config["schema"]) if "schema" in config else None
        return [detail(f"{path}.schema", *problem)] if problem else []

    def value_schema(self, config: Config) -> dict[str, Any]:
        schema = config.get("schema")
        if schema is None or schema is True:
            return {}
        return {"not": {}} if schema is False else dict(schema)

    def cleaner(self, config: Config) -> Cleaner:
        schema = config.get("schema")
        validator = compile_schema(canonical(schema)) if schema is not None else None

        def clean(value: Any) -> Any:
            problem = json_problem(value)
            if problem is not None:
                raise ValueProblem(*problem)
            if validator is not None:
                violation = schema_violation(validator, value)
                if violation is not None:
                    raise ValueProblem("schema", violation)
            return value

        return clean

    def weigher(self, config: Config) -> Weigher | None:
        return weigher_for(config.get("schema"))


TYPES = (Json(),)
