"""The formula package's public surface, which the computed-fields work builds against:
its names, and one expression through check → to_sql → evaluate."""

from __future__ import annotations

from decimal import Decimal

import pytest

import objectry.formula as formula
from objectry.formula import FormulaInvalid, FormulaProblem, check, evaluate, to_sql


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
    assert sql == ("(div(((c_amount) * (c_probability)) * 10000000000, "
                   "NULLIF(($1::numeric), 0)) * 0.0000000001)")
    assert params == [Decimal(100)]
    assert evaluate(checked, {"amount": Decimal("1000"), "probability": Decimal(30)}) == 300


def test_every_problem_is_reported_with_its_position() -> None:
    with pytest.raises(FormulaInvalid) as caught:
        check('UPPER({nope}) & 1 + "a"', {})
    assert caught.value.problems == [
        FormulaProblem("unknown field {nope}", 6, 1, 7),
        FormulaProblem("'+' cannot combine a number and text", 18, 1, 19),
    ]
