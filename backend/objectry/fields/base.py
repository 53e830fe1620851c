"""What every field type is made of: the `FieldType` base, `ValueProblem`, config-key checks.

A field type answers four questions: is this config valid (`validate_config`), what does a value
look like as JSON Schema (`value_schema`), is this value valid and what is its stored form
(`clean` / `cleaner`, and what that costs: `weigher`), and how is it compared in SQL
(`sql_cast`, `operators`: objectry.fields.comparison).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from objectry.errors import Detail, detail
from objectry.fields.caps import json_problem
from objectry.fields.comparison import TEXT_OPERATORS
from objectry.sqltext import TEXT

Cleaner = Callable[[Any], Any]
Weigher = Callable[[Any], int]  # a value → roughly the µs cleaning it costs
# Work worth a worker thread (µs): a thread hop costs ~50 µs, so ordinary values stay inline.
HEAVY_WORK = 1000
Config = Mapping[str, Any]


class ValueProblem(Exception):
    """One bad value: a stable `code` and a message for a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_int(value: Any) -> bool:
    return type(value) is int  # bool is a subclass of int and never a number here


def is_number(value: Any) -> bool:
    if type(value) is float:
        return math.isfinite(value)
    return type(value) is int


def is_str(value: Any) -> bool:
    return isinstance(value, str)


def is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def is_anything(value: Any) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Key:
    """A config key: the JSON type it must have, as a check and as words for the message."""

    check: Callable[[Any], bool]
    expected: str


ANY = Key(is_anything, "anything")
STR = Key(is_str, "a string")
INT = Key(is_int, "an integer")
NUMBER = Key(is_number, "a finite number")
BOOL = Key(lambda v: isinstance(v, bool), "true or false")
LIST = Key(lambda v: isinstance(v, list), "a list")
STR_LIST = Key(is_str_list, "a list of strings")
SCHEMA = Key(lambda v: isinstance(v, (dict, bool)), "a JSON Schema (an object or a boolean)")

COMMON_KEYS: Mapping[str, Key] = {"default": ANY, "help_text": STR, "placeholder": STR}


def check_string(value: Any) -> str:
    """The value if it is a storable string, else a `type`/`format` problem."""
    if not isinstance(value, str):
        raise ValueProblem("type", "must be a string")
    if "\x00" in value:
        raise ValueProblem("format", "must not contain NUL characters")
    return value


def check_keys(config: Config, keys: Mapping[str, Key], path: str
               ) -> tuple[list[Detail], dict[str, Any]]:
    """Unknown and wrong-typed keys, and the config without them (null means "not set")."""
    problems: list[Detail] = []
    typed: dict[str, Any] = {}
    for name, value in config.items():
        key = keys.get(name)
        if key is None:
            problems.append(detail(f"{path}.{name}", "unknown_key", f"unknown config key {name!r}"))
        elif (problem := json_problem(value)) is not None:
            problems.append(detail(f"{path}.{name}", *problem))
        elif value is not None and not key.check(value):
            problems.append(detail(f"{path}.{name}", "type", f"must be {key.expected}"))
        elif value is not None:
            typed[name] = value
    return problems, typed


def check_min_max(config: Config, low: str, high: str, path: str) -> list[Detail]:
    if low in config and high in config and config[low] > config[high]:
        return [detail(f"{path}.{low}", "range", f"must not be greater than {high}")]
    return []


def check_int_range(config: Config, key: str, low: int, high: int | None,
                    path: str) -> list[Detail]:
    value = config.get(key)
    if value is None or (value >= low and (high is None or value <= high)):
        return []
    bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
    return [detail(f"{path}.{key}", "range", f"must be {bounds}")]


class FieldType:
    """One field type. Subclasses set the class attributes and implement the two hooks."""

    name: str = ""
    # How values compare in SQL (the query compiler and field indexes read these): the cast of
    # `data ->> field`, and the PostgREST operators a filter on the field may use.
    sql_cast: str = TEXT
    operators: frozenset[str] = TEXT_OPERATORS
    config_keys: Mapping[str, Key] = {}
    required_keys: tuple[str, ...] = ()  # config keys that must be set (e.g. select options)
    # Computed by PostgreSQL at read time (fields/computed.py): never written, never stored.
    computed: bool = False

    def validate_config(self, config: Any, *, path: str = "config") -> list[Detail]:
        """Every problem with a config: unknown or wrong-typed keys, bad values, a bad default."""
        if not isinstance(config, Mapping):
            return [detail(path, "type", "must be an object")]
        problems, typed = check_keys(config, {**COMMON_KEYS, **self.config_keys}, path)
        problems += [detail(f"{path}.{key}", "required", f"{key} must be set")
                     for key in self.required_keys if config.get(key) is None]
        problems += self.check_config(typed, path)
        if not problems and "default" in typed:
            # The default is stored as a value, so it must be one under this very config.
            try:
                self.clean(typed["default"], typed)
            except ValueProblem as problem:
                problems.append(detail(f"{path}.default", problem.code, problem.message))
        return problems

    def check_config(self, config: Config, path: str) -> list[Detail]:
        """Problems beyond key types (ranges, min > max, regex…); keys here have the right type."""
        return []

    def value_schema(self, config: Config) -> dict[str, Any]:
        raise NotImplementedError

    def cleaner(self, config: Config) -> Cleaner:
        """A function validating and normalising one non-null value under this config."""
        raise NotImplementedError

    def weigher(self, config: Config) -> Weigher | None:
        """How much cleaning a value costs, for types where that can be much (a thread may
        then do it, off the event loop); None where every value is cheap."""
        return None

    def clean(self, value: Any, config: Config) -> Any:
        """The stored form of one non-null value, or `ValueProblem`."""
        return self.cleaner(config)(value)

    def __repr__(self) -> str:
        return f"<FieldType {self.name}>"
