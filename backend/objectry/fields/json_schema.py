"""JSON Schema validator classes that cannot run away: RE2 for every pattern, and a CPU budget.

jsonschema matches `pattern` and `patternProperties` with Python's `re`, which backtracks while
holding the GIL. Each draft's validator class is extended here (`safe`) so that both run on
RE2, and so does the `regex` format. jsonschema's helpers that tell which properties
`patternProperties` covers (for `additionalProperties`, `unevaluatedProperties`) call
`re.search` from their own modules, so those modules' `re` is RE2 too (`_RE2`, below).

Every keyword first checks the CPU budget (`cpu_budget`); past it, `TooExpensive` ends the
validation. A regex search is refused beforehand when its worst case (RE2 program size × text
length) would not fit in what is left, as a running RE2 match cannot be interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from types import SimpleNamespace
from typing import Any

import jsonschema._legacy_keywords
import jsonschema._utils
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend

from objectry.fields import regex

Keyword = Callable[[Any, Any, Any, Any], Any]

_deadline: ContextVar[float | None] = ContextVar("json_schema_cpu_deadline", default=None)


class TooExpensive(Exception):  # noqa: N818 - a condition, like StopIteration
    """The validation used up its CPU budget."""


@contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Validation inside may use `seconds` of this thread's CPU time in all; an enclosing
    budget (a whole request's) wins. Enter it in the thread that validates."""
    if _deadline.get() is not None:
        yield
        return
    token = _deadline.set(time.thread_time() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float:
    deadline = _deadline.get()
    return float("inf") if deadline is None else deadline - time.thread_time()


def search(pattern: str, text: str) -> bool:
    """RE2's search, refused (`TooExpensive`) if its worst case does not fit the budget."""
    if regex.worst_seconds(pattern, len(text)) > remaining():
        raise TooExpensive
    return regex.search(pattern, text)


def _budgeted(keyword: Keyword) -> Keyword:
    def check_budget_first(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if remaining() < 0:
            raise TooExpensive
        return keyword(validator, value, instance, schema)

    return check_budget_first


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any,
                        schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _branches_valid(validator: Any, branches: list[Any], instance: Any, most: int
                    ) -> list[int]:
    """Which branches `instance` is valid under (stopping at `most`), each tried up to its
    first error only."""
    valid: list[int] = []
    for index, branch in enumerate(branches):
        if next(validator.descend(instance, branch, schema_path=index), None) is None:
            valid.append(index)
            if len(valid) == most:
                break
    return valid


def _any_of(validator: Any, branches: list[Any], instance: Any, schema: Any) -> Iterator[Any]:
    if not _branches_valid(validator, branches, instance, 1):
        yield ValidationError(f"{instance!r} is not valid under any of the given schemas")


def _one_of(validator: Any, branches: list[Any], instance: Any, schema: Any) -> Iterator[Any]:
    valid = _branches_valid(validator, branches, instance, 2)
    if not valid:
        yield ValidationError(f"{instance!r} is not valid under any of the given schemas")
    elif len(valid) > 1:
        yield ValidationError(f"{instance!r} is valid under more than one of the given schemas "
                              f"(at least {valid[0]} and {valid[1]})")


def is_regex(instance: object) -> bool:
    """The `regex` format: a pattern RE2 runs and that fits its caps."""
    return not isinstance(instance, str) or regex.regex_problem(instance) is None


@cache
def format_checker(cls: type[Validator]) -> FormatChecker:
    """`cls`'s format checker, with `regex` checked by RE2."""
    checker = FormatChecker(())
    checker.checkers = {**cls.FORMAT_CHECKER.checkers, "regex": (is_regex, ())}
    return checker


@cache
def safe(cls: type[Validator], *, lean: bool = True) -> type[Validator]:
    """`cls` (one draft's validator class) with RE2 patterns and the CPU budget; `lean`, its
    anyOf/oneOf keep no tree of the failing branches' errors (cyclic garbage, whose collection
    stops every thread), for value validation. Schema checks keep them, to say which part of
    a schema is wrong."""
    keywords = {**cls.VALIDATORS, "pattern": _pattern, "patternProperties": _pattern_properties}
    if lean:
        keywords |= {"anyOf": _any_of, "oneOf": _one_of}
    return extend(cls, {name: _budgeted(fn) for name, fn in keywords.items()},
                  format_checker=format_checker(cls))


# What jsonschema's helpers call as `re.search(pattern, property)`.
_RE2 = SimpleNamespace(search=search)
jsonschema._utils.re = _RE2  # type: ignore[attr-defined]
jsonschema._legacy_keywords.re = _RE2  # type: ignore[attr-defined]
