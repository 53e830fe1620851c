"""Text field types: `text`, `long_text` and `rich_text` (sanitised HTML)."""

from __future__ import annotations

from typing import Any

import nh3

from objectry.errors import Detail, detail
from objectry.fields.base import (
    INT,
    STR,
    Cleaner,
    Config,
    FieldType,
    ValueProblem,
    Weigher,
    check_int_range,
    check_min_max,
    check_string,
)
from objectry.fields.comparison import TEXT_OPERATORS
from objectry.fields.html_nesting import TooDeep, prepared
from objectry.fields.regex import compile_regex, regex_problem, worst_seconds
from objectry.sqltext import TEXT

# One value's pattern check may take at most this long in the worst case RE2 has (its program
# size × the longest text the field takes): 1 s, e.g. 200 instructions on 1,000,000 characters.
MAX_MATCH_SECONDS = 1.0
RICH_TEXT_MAX_BYTES = 1024 * 1024
RICH_TEXT_MAX_DEPTH = 64


def pattern_problems(pattern: str, max_length: int | None, path: str) -> list[Detail]:
    """A pattern RE2 cannot run, or one too costly on the longest text the field takes."""
    problem = regex_problem(pattern)
    if problem is None and max_length is not None and (
            worst_seconds(pattern, max_length) > MAX_MATCH_SECONDS):
        problem = (f"is too costly on texts of up to {max_length} characters (max_length): "
                   "lower max_length or simplify the pattern")
    return [detail(f"{path}.pattern", "regex", problem)] if problem else []


def length_checker(min_length: int | None, max_length: int | None) -> Cleaner:
    def check(value: str) -> str:
        if min_length is not None and len(value) < min_length:
            raise ValueProblem("min_length", f"must be at least {min_length} characters")
        if max_length is not None and len(value) > max_length:
            raise ValueProblem("max_length", f"must be at most {max_length} characters")
        return value

    return check


class Text(FieldType):
    """A single line. `pattern` is searched for (RE2), as JSON Schema's `pattern` is: anchor
    it with ^…$ to match the whole value."""

    name = "text"
    sql_cast = TEXT
    operators = TEXT_OPERATORS
    config_keys = {"min_length": INT, "max_length": INT, "pattern": STR}
    default_max_length: int | None = 255

    def check_config(self, config: Config, path: str) -> list[Detail]:
        problems = check_int_range(config, "min_length", 0, None, path)
        problems += check_int_range(config, "max_length", 1, None, path)
        problems += check_min_max(config, "min_length", "max_length", path)
        if "pattern" in config:  # its cost is known once max_length is
            longest = None if problems else self._max_length(config)
            problems += pattern_problems(config["pattern"], longest, path)
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
        search = compile_regex(pattern).search if pattern is not None else None

        def clean(value: Any) -> str:
            lengths(check_string(value))
            if search is not None and search(value) is None:
                raise ValueProblem("pattern", "does not match the required pattern")
            return value

        return clean

    def weigher(self, config: Config) -> Weigher | None:
        if config.get("pattern") is None:
            return None
        size = compile_regex(config["pattern"]).programsize
        return lambda value: len(value) * size // 200 if isinstance(value, str) else 0


class LongText(Text):
    name = "long_text"
    config_keys = {"max_length": INT}
    default_max_length = 100_000


class RichText(Text):
    """HTML, stored sanitised by nh3 (scripts, event handlers and unknown tags removed);
    `max_length` applies to the sanitised text, which is what is stored. Before nh3 sees it,
    the HTML is held to 1 MB and 64 levels of nesting (`html_nesting` says why)."""

    name = "rich_text"
    config_keys = {"max_length": INT}
    default_max_length = None

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {**super().value_schema(config), "contentMediaType": "text/html"}

    def cleaner(self, config: Config) -> Cleaner:
        lengths = length_checker(None, self._max_length(config))

        def clean(value: Any) -> str:
            return lengths(nh3.clean(parseable_html(check_string(value))))

        return clean

    def weigher(self, config: Config) -> Weigher | None:
        # ~0.25 µs a character: 0.2 for the nesting pass, 0.06 for nh3 (measured on 1 MB).
        return lambda value: len(value) // 4 if isinstance(value, str) else 0


def utf8_length(text: str) -> int:
    if len(text) * 4 <= RICH_TEXT_MAX_BYTES or len(text) > RICH_TEXT_MAX_BYTES:
        return len(text)  # either way on the same side of the cap as its encoding
    return len(text.encode("utf-8", "surrogatepass"))


def parseable_html(text: str) -> str:
    """`text` as nh3 may parse it, or a `too_large` / `too_deep` problem."""
    if utf8_length(text) > RICH_TEXT_MAX_BYTES:
        raise ValueProblem("too_large", f"must be at most {RICH_TEXT_MAX_BYTES} bytes")
    try:
        return prepared(text, RICH_TEXT_MAX_DEPTH)
    except TooDeep as exc:
        raise ValueProblem("too_deep", str(exc)) from None


TYPES = (Text(), LongText(), RichText())
