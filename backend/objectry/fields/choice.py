"""Choice field types: `select`, `multi_select` (from `options`), `rating` and `boolean`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from objectry.errors import Detail, detail
from objectry.fields.base import (
    INT,
    LIST,
    Cleaner,
    Config,
    FieldType,
    ValueProblem,
    check_int_range,
    check_min_max,
)
from objectry.fields.comparison import (
    BOOLEAN_OPERATORS,
    JSON_OPERATORS,
    ORDERED_OPERATORS,
    TEXT_OPERATORS,
)
from objectry.fields.numbers import number_checker
from objectry.sqltext import BOOLEAN, JSONB, NUMERIC, TEXT

OPTION_KEYS = {"value": "required", "label": "required", "color": "optional"}
LISTED_OPTIONS = 10  # how many option values an `enum` message names before "…"


def check_option(option: Any, path: str) -> list[Detail]:
    """One `{value, label, color?}` entry; every part a string, value not empty."""
    if not isinstance(option, Mapping):
        return [detail(path, "type", "must be an object {value, label, color?}")]
    problems = [detail(f"{path}.{key}", "unknown_key", f"unknown option key {key!r}")
                for key in option if key not in OPTION_KEYS]
    for key, need in OPTION_KEYS.items():
        if option.get(key) is None:
            if need == "required":
                problems.append(detail(f"{path}.{key}", "required", f"{key} must be set"))
        elif not isinstance(option[key], str):
            problems.append(detail(f"{path}.{key}", "type", "must be a string"))
    if isinstance(option.get("value"), str) and not option["value"]:
        problems.append(detail(f"{path}.value", "min_length", "must not be empty"))
    return problems


def check_options(options: list[Any], path: str) -> list[Detail]:
    if not options:
        return [detail(path, "min_items", "must have at least one option")]
    problems, seen = [], set()
    for i, option in enumerate(options):
        problems += check_option(option, f"{path}.{i}")
        value = option.get("value") if isinstance(option, Mapping) else None
        if isinstance(value, str) and value in seen:
            problems.append(detail(f"{path}.{i}.value", "duplicate", f"{value!r} is repeated"))
        seen.add(value)
    return problems


def option_values(config: Config) -> tuple[str, ...]:
    return tuple(option["value"] for option in config.get("options") or ())


def not_an_option(values: tuple[str, ...]) -> str:
    listed = ", ".join(values[:LISTED_OPTIONS]) + (", …" if len(values) > LISTED_OPTIONS else "")
    return f"must be one of: {listed}"


class Select(FieldType):
    name = "select"
    sql_cast = TEXT
    operators = TEXT_OPERATORS
    config_keys = {"options": LIST}
    required_keys = ("options",)

    def check_config(self, config: Config, path: str) -> list[Detail]:
        return check_options(config["options"], f"{path}.options") if "options" in config else []

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"enum": list(option_values(config))}

    def cleaner(self, config: Config) -> Cleaner:
        values = option_values(config)
        allowed, message = frozenset(values), not_an_option(values)

        def clean(value: Any) -> str:
            if not isinstance(value, str):
                raise ValueProblem("type", "must be a string")
            if value not in allowed:
                raise ValueProblem("enum", message)
            return value

        return clean


class MultiSelect(Select):
    """A list of distinct option values, kept in the order given."""

    name = "multi_select"
    sql_cast = JSONB
    operators = JSON_OPERATORS
    config_keys = {"options": LIST, "min_items": INT, "max_items": INT}

    def check_config(self, config: Config, path: str) -> list[Detail]:
        return (super().check_config(config, path)
                + check_int_range(config, "min_items", 0, None, path)
                + check_int_range(config, "max_items", 1, None, path)
                + check_min_max(config, "min_items", "max_items", path))

    def value_schema(self, config: Config) -> dict[str, Any]:
        schema = {"type": "array", "items": super().value_schema(config), "uniqueItems": True}
        if config.get("min_items") is not None:
            schema["minItems"] = config["min_items"]
        if config.get("max_items") is not None:
            schema["maxItems"] = config["max_items"]
        return schema

    def cleaner(self, config: Config) -> Cleaner:
        values = option_values(config)
        allowed, message = frozenset(values), "items " + not_an_option(values)
        low, high = config.get("min_items"), config.get("max_items")

        def clean(value: Any) -> list[str]:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueProblem("type", "must be a list of option values")
            if not allowed.issuperset(value):
                raise ValueProblem("enum", message)
            items = list(value)
            if len(set(items)) != len(items):
                raise ValueProblem("unique_items", "must not repeat an option")
            if low is not None and len(items) < low:
                raise ValueProblem("min_items", f"must have at least {low} options")
            if high is not None and len(items) > high:
                raise ValueProblem("max_items", f"must have at most {high} options")
            return items

        return clean


class Rating(FieldType):
    """A whole number of stars from 1 to `max` (default 5, at most 10)."""

    name = "rating"
    sql_cast = NUMERIC
    operators = ORDERED_OPERATORS
    config_keys = {"max": INT}

    def check_config(self, config: Config, path: str) -> list[Detail]:
        return check_int_range(config, "max", 1, 10, path)

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "maximum": config.get("max") or 5}

    def cleaner(self, config: Config) -> Cleaner:
        return number_checker(1, config.get("max") or 5, integer=True)


class Boolean(FieldType):
    """JSON true or false only: "true", 0 and 1 are refused rather than guessed at."""

    name = "boolean"
    sql_cast = BOOLEAN
    operators = BOOLEAN_OPERATORS

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"type": "boolean"}

    def cleaner(self, config: Config) -> Cleaner:
        return clean_boolean


def clean_boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueProblem("type", "must be true or false")
    return value


TYPES = (Select(), MultiSelect(), Rating(), Boolean())
