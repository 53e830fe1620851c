"""Text field types: `text`, `long_text` and `rich_text` (sanitised HTML)."""

from __future__ import annotations

import re
import warnings
from typing import Any

import nh3

from objectry.errors import Detail, detail
from objectry.fields.base import (
    EQUALITY,
    INT,
    ORDERING,
    PATTERN,
    STR,
    Cleaner,
    Config,
    FieldType,
    ValueProblem,
    check_int_range,
    check_min_max,
    check_string,
)

TEXT_OPERATORS = EQUALITY | ORDERING | PATTERN | {"fts"}


def compile_pattern(pattern: str) -> re.Pattern[str]:
    # Quirky-but-valid patterns make `re` warn (FutureWarning); that is no reason to refuse them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return re.compile(pattern)


def length_checker(min_length: int | None, max_length: int | None) -> Cleaner:
    def check(value: str) -> str:
        if min_length is not None and len(value) < min_length:
            raise ValueProblem("min_length", f"must be at least {min_length} characters")
        if max_length is not None and len(value) > max_length:
            raise ValueProblem("max_length", f"must be at most {max_length} characters")
        return value

    return check


class Text(FieldType):
    """A single line. `pattern` uses `re.search`, as JSON Schema's `pattern` does: anchor it
    with ^…$ to match the whole value."""

    name = "text"
    sql_cast = "text"
    operators = TEXT_OPERATORS
    config_keys = {"min_length": INT, "max_length": INT, "pattern": STR}
    default_max_length: int | None = 255

    def check_config(self, config: Config, path: str) -> list[Detail]:
        problems = check_int_range(config, "min_length", 0, None, path)
        problems += check_int_range(config, "max_length", 1, None, path)
        problems += check_min_max(config, "min_length", "max_length", path)
        if "pattern" in config:
            try:
                compile_pattern(config["pattern"])
            except (re.error, RecursionError, OverflowError) as exc:
                problems.append(detail(f"{path}.pattern", "regex",
                                       f"not a valid regular expression: {exc}"))
        return problems

    def _max_length(self, config: Config) -> int | None:
        value = config.get("max_length")
        return self.default_max_length if value is None else value

    def value_schema(self, config: Config) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if config.get("min_length") is not None:
            schema["minLength"] = config["min_length"]
        if self._max_length(config) is not None:
            schema["maxLength"] = self._max_length(config)
        if config.get("pattern") is not None:
            schema["pattern"] = config["pattern"]
        return schema

    def cleaner(self, config: Config) -> Cleaner:
        lengths = length_checker(config.get("min_length"), self._max_length(config))
        pattern = config.get("pattern")
        search = compile_pattern(pattern).search if pattern is not None else None

        def clean(value: Any) -> str:
            lengths(check_string(value))
            if search is not None and search(value) is None:
                raise ValueProblem("pattern", "does not match the required pattern")
            return value

        return clean


class LongText(Text):
    name = "long_text"
    config_keys = {"max_length": INT}
    default_max_length = 100_000


class RichText(Text):
    """HTML, stored sanitised by nh3 (scripts, event handlers and unknown tags removed);
    `max_length` applies to the sanitised text, which is what is stored."""

    name = "rich_text"
    config_keys = {"max_length": INT}
    default_max_length = None

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {**super().value_schema(config), "contentMediaType": "text/html"}

    def cleaner(self, config: Config) -> Cleaner:
        lengths = length_checker(None, self._max_length(config))

        def clean(value: Any) -> str:
            return lengths(nh3.clean(check_string(value)))

        return clean


TYPES = (Text(), LongText(), RichText())
