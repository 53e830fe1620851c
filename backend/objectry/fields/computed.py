"""Computed field types: `formula`, `lookup` and `rollup` (values computed by PostgreSQL at read
time, never stored) and `autonumber` (assigned at create, then stored like any value).

This module checks each config's own shape. What needs the workspace — the relationship and
field a lookup names, the formula's fields and types, cycles — is checked against a snapshot
by records/query/computed.py when the field is attached or changed.
"""

from __future__ import annotations

from typing import Any

from objectry.errors import Detail, detail
from objectry.fields.base import INT, STR, Cleaner, Config, FieldType, ValueProblem, check_int_range
from objectry.fields.comparison import JSON_OPERATORS, ORDERED_OPERATORS
from objectry.sqltext import INTEGER, JSONB, NUMERIC, TEXT

RESULT_TYPES = ("text", "number", "boolean", "date", "datetime")
ROLLUP_FUNCTIONS = ("count", "sum", "avg", "min", "max")
MAX_DIGITS = 18  # a zero-padded bigint


def _one_of(config: Config, key: str, allowed: tuple[str, ...], path: str) -> list[Detail]:
    if key in config and config[key] not in allowed:
        return [detail(f"{path}.{key}", "enum", "must be one of " + ", ".join(allowed))]
    return []


def _refuse(code: str, message: str) -> Cleaner:
    def clean(value: Any) -> Any:
        raise ValueProblem(code, message)

    return clean


class ReadTime(FieldType):
    """A value PostgreSQL computes when the record is read: never written, never stored."""

    computed = True

    def cleaner(self, config: Config) -> Cleaner:
        return _refuse("read_only", f"is computed ({self.name}): read-only")


class Formula(ReadTime):
    name = "formula"
    config_keys = {"expression": STR, "result_type": STR}
    required_keys = ("expression", "result_type")

    def check_config(self, config: Config, path: str) -> list[Detail]:
        problems = _one_of(config, "result_type", RESULT_TYPES, path)
        if "expression" in config and not config["expression"].strip():
            problems.append(detail(f"{path}.expression", "required", "must not be empty"))
        return problems

    def value_schema(self, config: Config) -> dict[str, Any]:
        kinds = {"number": {"type": "number"}, "boolean": {"type": "boolean"},
                 "date": {"type": "string", "format": "date"},
                 "datetime": {"type": "string", "format": "date-time"}}
        return {**kinds.get(config.get("result_type", ""), {"type": "string"}), "readOnly": True}


class Lookup(ReadTime):
    name = "lookup"
    sql_cast = JSONB
    operators = JSON_OPERATORS
    config_keys = {"relationship": STR, "field": STR}
    required_keys = ("relationship", "field")

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"type": "array", "readOnly": True}


class Rollup(ReadTime):
    name = "rollup"
    sql_cast = NUMERIC
    operators = ORDERED_OPERATORS
    # `filter`: which linked records count, as a PostgREST filter on them (an addition to the
    # contract, docs/API.md "Computed fields — decisions"): `stage=neq.lost`.
    config_keys = {"relationship": STR, "function": STR, "field": STR, "filter": STR}
    required_keys = ("relationship", "function")

    def check_config(self, config: Config, path: str) -> list[Detail]:
        problems = _one_of(config, "function", ROLLUP_FUNCTIONS, path)
        if config.get("function") not in (None, "count") and not config.get("field"):
            problems.append(detail(f"{path}.field", "required",
                                   f"field must be set for {config['function']}"))
        return problems

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"type": ["number", "string"], "readOnly": True}


class Autonumber(FieldType):
    """A number per record, from a counter per object and field: stored, so it is indexed,
    filtered and ordered like any stored value; read-only to clients."""

    name = "autonumber"
    # Without a prefix or digits it is a number (with them, text: fields.computed.is_text and
    # metadata/computed.stored_cast decide per config).
    sql_cast = INTEGER
    operators = ORDERED_OPERATORS
    config_keys = {"prefix": STR, "digits": INT, "start": INT}

    def check_config(self, config: Config, path: str) -> list[Detail]:
        return (check_int_range(config, "digits", 1, MAX_DIGITS, path)
                + check_int_range(config, "start", 0, None, path))

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"type": "string" if is_text(config) else "integer", "readOnly": True}

    def cleaner(self, config: Config) -> Cleaner:
        return _refuse("read_only", "is assigned by the server (autonumber): read-only")


def is_text(config: Config) -> bool:
    """An autonumber is a string ("INV-00042") when it has a prefix or a width, else a number."""
    return bool(config.get("prefix")) or config.get("digits") is not None


def autonumber_cast(config: Config) -> str:
    return TEXT if is_text(config) else INTEGER


def autonumber_value(config: Config, number: int) -> int | str:
    if not is_text(config):
        return number
    return f"{config.get('prefix') or ''}{str(number).zfill(config.get('digits') or 0)}"


TYPES = (Formula(), Lookup(), Rollup(), Autonumber())
COMPUTED_TYPES = frozenset(t.name for t in TYPES if t.computed)  # read-time values
SERVER_MADE = frozenset(t.name for t in TYPES)  # values no client ever writes
