"""The `json` field type: any JSON value, optionally held to a JSON Schema (`schema`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from objectry.errors import Detail, detail
from objectry.fields.base import (
    CONTAINMENT,
    SCHEMA,
    Cleaner,
    Config,
    FieldType,
    ValueProblem,
    json_problem,
)

# An explicit registry stops jsonschema fetching remote `$ref`s over the network (its default).
NO_REMOTE = Registry()
MESSAGE_LIMIT = 200  # jsonschema messages quote the value; a person needs the start of it
LOOPING = "the JSON Schema refers to itself in an endless loop"
LOOP_PROBES = (None, True, 0, 0.5, "", [], {})  # one value of each JSON type


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


def schema_problem(schema: dict | bool) -> str | None:
    """Why a JSON Schema is unusable: unknown `$schema`, invalid, a non-local or dangling
    reference, or a reference loop."""
    # With default=None, validator_for answers None for an unknown $schema instead of warning.
    unknown = isinstance(schema, dict) and "$schema" in schema and (
        validator_for(schema, default=None) is None)  # type: ignore[arg-type]
    if unknown:
        return f"unknown $schema {schema['$schema']!r}"[:MESSAGE_LIMIT]
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        return f"not a valid JSON Schema: {exc.message}"[:MESSAGE_LIMIT]
    except RecursionError:
        return "the JSON Schema is nested too deeply"
    resolver = NO_REMOTE.resolver_with_root(Resource.from_contents(schema, DRAFT202012))
    for ref in references(schema):
        if not ref.startswith("#"):
            return f"only local references (#…) are allowed, not {ref!r}"[:MESSAGE_LIMIT]
        try:
            resolver.lookup(ref)
        except Unresolvable:
            return f"the reference {ref!r} points nowhere"[:MESSAGE_LIMIT]
    validator = compile_schema(canonical(schema))
    if any(schema_violation(validator, sample) == LOOPING for sample in LOOP_PROBES):
        return LOOPING
    return None


def canonical(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=256)
def compile_schema(text: str) -> Validator:
    """A validator per distinct schema, built once: building one costs far more than using it."""
    schema = json.loads(text)
    cls = validator_for(schema, default=Draft202012Validator)
    return cls(schema, registry=NO_REMOTE, format_checker=cls.FORMAT_CHECKER)


def schema_violation(validator: Validator, value: Any) -> str | None:
    try:
        error = best_match(validator.iter_errors(value))
    except Unresolvable:
        return "the field's JSON Schema has a reference that cannot be resolved"
    except RecursionError:
        # Values are at most MAX_DEPTH deep, so only a `$ref` cycle recurses this far.
        return LOOPING
    if error is None:
        return None
    where = "" if error.json_path == "$" else f" at {error.json_path}"
    return f"{error.message}{where}"[:MESSAGE_LIMIT]


class Json(FieldType):
    name = "json"
    sql_cast = "jsonb"
    operators = CONTAINMENT | {"eq", "neq", "is"}
    config_keys = {"schema": SCHEMA}

    def check_config(self, config: Config, path: str) -> list[Detail]:
        problem = schema_problem(config["schema"]) if "schema" in config else None
        return [detail(f"{path}.schema", "schema", problem)] if problem else []

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
                raise ValueProblem("type", problem)
            if validator is not None:
                violation = schema_violation(validator, value)
                if violation is not None:
                    raise ValueProblem("schema", violation)
            return value

        return clean


TYPES = (Json(),)
