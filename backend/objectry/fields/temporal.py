"""Temporal field types: `date` ("YYYY-MM-DD") and `datetime` (stored as UTC, "…Z")."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from objectry.errors import Detail, detail
from objectry.fields.base import (
    STR,
    Cleaner,
    Config,
    FieldType,
    ValueProblem,
    check_string,
)
from objectry.fields.comparison import ORDERED_OPERATORS
from objectry.sqltext import DATE, TIMESTAMPTZ

DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: Any) -> date:
    # date.fromisoformat also takes "20261121" and week dates; the contract is YYYY-MM-DD only.
    if not DATE_SHAPE.fullmatch(check_string(value)):
        raise ValueProblem("format", "must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueProblem("format", "not a real date") from None


def parse_datetime(value: Any) -> datetime:
    """An aware datetime in UTC; a time without an offset is ambiguous, so it is refused."""
    try:
        parsed = datetime.fromisoformat(check_string(value))
    except ValueError:
        raise ValueProblem("format", "must be an ISO 8601 date-time such as "
                                     "2026-11-21T10:00:00Z") from None
    if parsed.tzinfo is None:
        raise ValueProblem("format", "must include a UTC offset (Z or ±hh:mm)")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueProblem("format", "is out of range") from None


def format_datetime(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


class Temporal(FieldType):
    """Shared by both: `min`/`max` are values of the type itself, compared after parsing."""

    sql_cast = DATE
    operators = ORDERED_OPERATORS
    config_keys = {"min": STR, "max": STR}
    json_format = "date"
    parse: Callable[[Any], Any] = staticmethod(parse_date)
    render: Callable[[Any], str] = staticmethod(date.isoformat)

    def check_config(self, config: Config, path: str) -> list[Detail]:
        problems, bounds = [], {}
        for key in ("min", "max"):
            if key in config:
                try:
                    bounds[key] = self.parse(config[key])
                except ValueProblem as problem:
                    problems.append(detail(f"{path}.{key}", problem.code, problem.message))
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            problems.append(detail(f"{path}.min", "range", "must not be later than max"))
        return problems

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"type": "string", "format": self.json_format}

    def cleaner(self, config: Config) -> Cleaner:
        low = self.parse(config["min"]) if config.get("min") is not None else None
        high = self.parse(config["max"]) if config.get("max") is not None else None
        parse, render = self.parse, self.render

        def clean(value: Any) -> str:
            parsed = parse(value)
            if low is not None and parsed < low:
                raise ValueProblem("minimum", f"must not be earlier than {render(low)}")
            if high is not None and parsed > high:
                raise ValueProblem("maximum", f"must not be later than {render(high)}")
            return render(parsed)

        return clean


class Date(Temporal):
    name = "date"


class DateTime(Temporal):
    name = "datetime"
    sql_cast = TIMESTAMPTZ
    json_format = "date-time"
    parse = staticmethod(parse_datetime)
    render = staticmethod(format_datetime)


TYPES = (Date(), DateTime())
