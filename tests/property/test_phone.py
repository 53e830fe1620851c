"""The phone field's fast path for `+digits` input (fields/phone.py) must give exactly
phonenumbers' verdict, stored E.164 value and error message, for every default_region."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from objectry.fields.base import ValueProblem
from objectry.fields.contact import Phone, clean_phone_fully
from objectry.fields.phone import e164_verdict

# Regions with a national prefix, shared country codes (+1, +7, +44, +47, +590, +262…),
# Italian leading zeros, a non-geographic code's absence (None) and several lengths.
REGIONS = [None, "FR", "US", "CA", "GB", "JE", "IT", "DE", "BR", "IN", "JP", "RU", "KZ", "NO",
           "SJ", "GP", "RE", "AU", "CN", "AR", "MX", "VA", "SG"]
EXAMPLE_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
TYPES = [phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
         phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.VOIP,
         phonenumbers.PhoneNumberType.PREMIUM_RATE, phonenumbers.PhoneNumberType.UAN]
CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def verdict(clean, text: str) -> str:
    try:
        return "ok:" + clean(text)
    except ValueProblem as problem:
        return f"problem:{problem.code}:{problem.message}"


def example_e164(region: str, kind: int) -> str | None:
    number = phonenumbers.example_number_for_type(region, kind)
    return None if number is None else phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164)


@st.composite
def plus_numbers(draw: st.DrawFn) -> str:
    """Real example numbers with digits changed, added or dropped; any country code followed
    by random digits; and random `+digits`, with a leading 0 now and then."""
    how = draw(st.integers(0, 2))
    if how == 0:
        base = example_e164(draw(st.sampled_from(EXAMPLE_REGIONS)), draw(st.sampled_from(TYPES)))
        digits = list((base or "+1")[1:])
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(digits)))
            edit = draw(st.integers(0, 2))
            digit = str(draw(st.integers(0, 9)))
            if edit == 0 and at < len(digits):
                digits[at] = digit
            elif edit == 1:
                digits.insert(at, digit)
            elif digits and at < len(digits):
                del digits[at]
        return "+" + "".join(digits)
    if how == 1:
        code = str(draw(st.sampled_from(CODES)))
        return "+" + code + draw(st.text(alphabet="0123456789", min_size=0, max_size=18))
    return "+" + draw(st.text(alphabet="0123456789", min_size=0, max_size=22))


@given(text=plus_numbers(), region=st.sampled_from(REGIONS))
@settings(max_examples=4000, deadline=None)
@example(text="+33612345678", region=None)
@example(text="+330612345678", region="FR")  # a national prefix after the country code
@example(text="+390612345678", region=None)  # Italian leading zero
@example(text="+0033612345678", region="FR")
@example(text="+12", region=None)
@example(text="+123", region="US")
@example(text="+14155552671", region="CA")
@example(text="+79991234567", region=None)
@example(text="+447700900123", region="JE")
@example(text="+80012345678", region=None)  # non-geographic (freephone)
@example(text="+8" + "1" * 19, region=None)
def test_fast_path_agrees_with_phonenumbers(text: str, region: str | None) -> None:
    clean = Phone().cleaner({} if region is None else {"default_region": region})
    assert verdict(clean, text) == verdict(lambda t: clean_phone_fully(t, region), text)


@pytest.mark.parametrize("region", EXAMPLE_REGIONS)
def test_every_regions_example_numbers(region: str) -> None:
    """Each region's example numbers of every type take the fast path and are valid there."""
    clean = Phone().cleaner({})
    for kind in TYPES:
        text = example_e164(region, kind)
        if text is None:
            continue
        assert verdict(clean, text) == verdict(lambda t: clean_phone_fully(t, None), text)


@pytest.mark.parametrize(("text", "expected"), [
    ("+33612345678", True), ("+14155552671", True), ("+33112", False),
    ("+33 6 12 34 56 78", None), ("0612345678", None), ("+0612345678", None),
])
def test_verdicts(text: str, expected: bool | None) -> None:
    assert e164_verdict(text) is expected
