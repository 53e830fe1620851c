"""The formula package's public surface, which the computed-fields work builds against:
its names, and one expression through check → to_sql → evaluate."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

import objectry.formula as formula
from objectry.formula import (
    FormulaInvalid,
    FormulaProblem,
    FormulaType,
    check,
    evaluate,
    to_sql,
)


def test_the_public_names() -> None:
    assert sorted(formula.__all__) == ["Checked", "FormulaInvalid", "FormulaProblem",
                                       "FormulaType", "check", "evaluate", "to_sql"]


def test_an_expression_end_to_end() -> None:
    checked = check("{amount} * {probability} / 100", {"amount": "number",
                                                        "probability": "number"}, "number")
    assert (checked.type, checked.references, checked.deterministic) == (
        "number", frozenset({"amount", "probability"}), True)
    params: list[object] = []

    def param(value: object) -> str:
        params.append(value)
        return f"${len(params)}"

    sql = to_sql(checked, lambda name: f"c_{name}", param)
    assert sql == ("trim_scale(div(((c_amount) * (c_probability)) * 10000000000, "
                   "NULLIF(($1::numeric), 0)) * 0.0000000001)")
    assert params == [Decimal(100)]
    value = evaluate(checked, {"amount": Decimal("1000"), "probability": Decimal(30)})
    assert str(value) == "300"  # not 300.0000000000


def test_every_problem_is_reported_with_its_position() -> None:
    with pytest.raises(FormulaInvalid) as caught:
        check('UPPER({nope}) & 1 + "a"', {})
    assert caught.value.problems == [
        FormulaProblem("unknown field {nope}", 6, 1, 7),
        FormulaProblem("'+' cannot combine a number and text", 18, 1, 19),
    ]


def test_evaluate_takes_values_as_records_store_them() -> None:
    fields: dict[str, FormulaType] = {"amount": "number", "due": "date", "at": "datetime"}
    checked = check('{amount} & " " & DATEDIFF({at}, {due}, "hours")', fields)
    stored = {"amount": 12.5, "due": "2026-01-01", "at": "2026-01-01T03:00:00+01:00"}
    assert evaluate(checked, stored) == "12.5 2"
    assert evaluate(checked, {"amount": 3}) == "3 "  # a missing field is null


def test_today_and_now_follow_the_given_moment_in_utc() -> None:
    moment = datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))  # 2025 in UTC
    assert evaluate(check("YEAR(TODAY())", {}), {}, now=moment) == 2025
    assert evaluate(check("NOW()", {}), {}, now=moment) == moment
