"""A number's decimal places (the `precision` check of number, currency and percent fields) are
counted from repr() where it is in fixed notation: they must be exactly what the Decimal of its
shortest form counts, for every float, in fixed and in scientific notation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from objectry.fields.base import ValueProblem
from objectry.fields.numbers import decimal_places, number_checker


def by_decimal(value: float) -> int:
    """The definition: the negative exponent of the normalised Decimal of repr(value)."""
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


@given(st.floats(allow_nan=False, allow_infinity=False))
@example(0.1)
@example(1.0)
@example(-0.0)
@example(1234.5)
@example(99.5)
@example(100.0)
@example(0.0001)
@example(0.00001)
@example(1e-7)
@example(1.5e-7)
@example(1e15)
@example(1e16)
@example(123456789.123)
@example(-2.50)
@example(5e-324)
@example(1.7976931348623157e308)
def test_decimal_places_of_a_float_are_those_of_its_decimal(value: float) -> None:
    assert decimal_places(value) == by_decimal(value)


@given(st.integers(0, 12).flatmap(lambda places: st.tuples(st.just(places), st.decimals(
    min_value=-10**9, max_value=10**9, places=places, allow_nan=False, allow_infinity=False))))
def test_a_number_written_with_n_places_counts_at_most_n(drawn: tuple[int, Decimal]) -> None:
    places, value = drawn
    number = float(value)
    assert decimal_places(number) == by_decimal(number) <= places


def test_integers_have_no_decimal_places_and_the_checker_refuses_one_place_too_many() -> None:
    assert decimal_places(10**18) == 0
    check = number_checker(precision=2)
    assert check(12.25) == 12.25 and check(12.5) == 12.5 and check(7) == 7
    for value in (12.255, 0.001, 1e-5):
        with pytest.raises(ValueProblem) as refused:
            check(value)
        assert refused.value.code == "precision"
