"""Numeric field types: `number`, `currency` and `percent` (and the checker `rating` reuses)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from objectry.errors import Detail, detail
from objectry.fields.base import (
    BOOL,
    INT,
    NUMBER,
    STR,
    Cleaner,
    Config,
    FieldType,
    ValueProblem,
    check_int_range,
    check_min_max,
    is_number,
)
from objectry.fields.caps import EXACT_RANGE, is_exact
from objectry.fields.comparison import ORDERED_OPERATORS
from objectry.sqltext import NUMERIC

MAX_PRECISION = 10
CURRENCY_CODE = re.compile(r"[A-Z]{3}")


def decimal_places(value: int | float) -> int:
    """The decimal places of the number as JSON gives it: repr() of a float is its shortest
    round-tripping form, so 0.1 counts 1 place, not 55."""
    if type(value) is int:
        return 0
    text = repr(value)
    if "e" not in text:  # fixed notation: the digits after the point, less trailing zeros
        return len(text.partition(".")[2].rstrip("0"))  # half the Decimal's time
    # Scientific notation (below 1e-4, from 1e16): the Decimal of the shortest form.
    exponent = Decimal(text).normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def number_checker(low: float | None = None, high: float | None = None,
                   precision: int | None = None, integer: bool = False) -> Cleaner:
    """Validate a JSON number (never a bool); integral floats become ints when `integer`."""
    def clean(value: Any) -> int | float:
        if not is_number(value):
            raise ValueProblem("type", "must be a number")
        if not is_exact(value):
            raise ValueProblem("range", f"must be {EXACT_RANGE}")
        if integer and type(value) is float:
            if not value.is_integer():
                raise ValueProblem("integer", "must be a whole number")
            value = int(value)
        if precision is not None and decimal_places(value) > precision:
            raise ValueProblem("precision", f"must have at most {precision} decimal places")
        if low is not None and value < low:
            raise ValueProblem("minimum", f"must be at least {low}")
        if high is not None and value > high:
            raise ValueProblem("maximum", f"must be at most {high}")
        return value

    return clean


class Number(FieldType):
    name = "number"
    sql_cast = NUMERIC
    operators = ORDERED_OPERATORS
    config_keys = {"min": NUMBER, "max": NUMBER, "precision": INT, "integer": BOOL}
    default_precision: int | None = None

    def check_config(self, config: Config, path: str) -> list[Detail]:
        return (check_int_range(config, "precision", 0, MAX_PRECISION, path)
                + check_min_max(config, "min", "max", path))

    def _precision(self, config: Config) -> int | None:
        value = config.get("precision")
        return self.default_precision if value is None else value

    def value_schema(self, config: Config) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer" if config.get("integer") else "number"}
        if config.get("min") is not None:
            schema["minimum"] = config["min"]
        if config.get("max") is not None:
            schema["maximum"] = config["max"]
        return schema

    def cleaner(self, config: Config) -> Cleaner:
        return number_checker(config.get("min"), config.get("max"), self._precision(config),
                              bool(config.get("integer")))


class Currency(Number):
    """An amount in `currency_code` (ISO 4217, upper case); 2 decimal places unless configured."""

    name = "currency"
    config_keys = {"min": NUMBER, "max": NUMBER, "precision": INT, "currency_code": STR}
    default_precision = 2

    def check_config(self, config: Config, path: str) -> list[Detail]:
        problems = super().check_config(config, path)
        code = config.get("currency_code")
        if code is not None and not CURRENCY_CODE.fullmatch(code):
            problems.append(detail(f"{path}.currency_code", "format",
                                   "must be a 3-letter upper-case ISO 4217 code"))
        return problems


class Percent(Number):
    """A percentage stored as the number given (12.5 means 12.5 %); no implied 0..100 range."""

    name = "percent"
    config_keys = {"min": NUMBER, "max": NUMBER, "precision": INT}


TYPES = (Number(), Currency(), Percent())
