"""A fast verdict for phone numbers already written in E.164 (`+` and digits), the form every
stored value has and most API clients send. `phonenumbers.parse` + `is_valid_number` cost
~20-30 µs a number, mostly in general parsing (extraction, extensions, IDD prefixes) that a
`+digits` string does not need; what decides its verdict is a country code lookup and the
same metadata patterns `phonenumbers` matches, compiled once per region here.

`e164_verdict` answers True (valid: phonenumbers would store the input unchanged), False
(invalid) or None (not sure: take the full check). It follows phonenumbers' own steps for a
`+digits` input (parse: country code from 1-3 digits, then a national prefix strip, which is
left to the full check; is_valid_number: the region among the country code's regions, then
the number type helper). tests/property/test_phone.py holds it to phonenumbers' verdicts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata
from phonenumbers.phonemetadata import REGION_CODE_FOR_NON_GEO_ENTITY, PhoneNumberDesc

# A '+', no leading 0 (phonenumbers retries those as national numbers), 3 to 20 ASCII digits.
_E164ISH = re.compile(r"\+([1-9][0-9]{2,19})")
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' _MIN_LENGTH_FOR_NSN and _MAX_LENGTH_FOR_NSN


@dataclass(frozen=True, slots=True)
class _Desc:
    """A PhoneNumberDesc as _is_number_matching_desc reads it."""

    lengths: frozenset[int]  # empty: any length
    pattern: re.Pattern[str] | None

    def matches(self, number: str) -> bool:
        if self.pattern is None or (self.lengths and len(number) not in self.lengths):
            return False
        return self.pattern.fullmatch(number) is not None


@dataclass(frozen=True, slots=True)
class _Region:
    country_code: int
    leading_digits: re.Pattern[str] | None
    general: _Desc | None
    types: tuple[_Desc, ...]  # fixed line, mobile unless the same, then premium … voicemail
    national_prefix: re.Pattern[str] | None

    def has_type(self, number: str) -> bool:
        """phonenumbers' _number_type_helper(number, metadata) != UNKNOWN."""
        if self.general is None or not self.general.matches(number):
            return False
        return any(desc.matches(number) for desc in self.types)


def _desc(desc: PhoneNumberDesc | None) -> _Desc | None:
    if desc is None:
        return None
    pattern = desc.national_number_pattern
    return _Desc(frozenset(desc.possible_length or ()),
                 re.compile(pattern) if pattern else None)


@cache
def _region(region: str, country_code: int) -> _Region | None:
    if region == REGION_CODE_FOR_NON_GEO_ENTITY:
        meta = PhoneMetadata.metadata_for_nongeo_region(country_code, None)
    else:
        meta = PhoneMetadata.metadata_for_region(region, None)
    if meta is None or meta.country_code is None:
        return None
    # `has_type` asks whether any type matches, so the order is free: the common types first
    # (most numbers are one of them: one pattern tried instead of up to ten).
    kinds = [meta.fixed_line]
    if not meta.same_mobile_and_fixed_line_pattern:
        kinds.append(meta.mobile)
    kinds += [meta.premium_rate, meta.toll_free, meta.shared_cost, meta.voip,
              meta.personal_number, meta.pager, meta.uan, meta.voicemail]
    prefix = meta.national_prefix_for_parsing
    return _Region(meta.country_code,
                   re.compile(meta.leading_digits) if meta.leading_digits is not None else None,
                   _desc(meta.general_desc),
                   tuple(d for d in map(_desc, kinds) if d is not None),
                   re.compile(prefix) if prefix else None)


def _is_valid(country_code: int, regions: tuple[str, ...], number: str) -> bool:
    """phonenumbers.is_valid_number for a parsed number (region_code_for_number, then
    is_valid_number_for_region)."""
    found: _Region | None = None
    region_code: str | None = None
    if len(regions) == 1:
        region_code = regions[0]
        found = _region(region_code, country_code)
    else:
        for code in regions:
            candidate = _region(code, country_code) if code != REGION_CODE_FOR_NON_GEO_ENTITY \
                else None
            if candidate is None:
                continue
            if candidate.leading_digits is not None:
                if candidate.leading_digits.match(number):
                    region_code, found = code, candidate
                    break
            elif candidate.has_type(number):
                region_code, found = code, candidate
                break
    if found is None:
        return False
    if region_code != REGION_CODE_FOR_NON_GEO_ENTITY and found.country_code != country_code:
        return False
    return found.has_type(number)


def e164_verdict(text: str) -> bool | None:
    """True: valid, and phonenumbers' E.164 form is `text` itself; False: phonenumbers finds it
    invalid; None: not a plain `+digits` number this path decides (take the full check)."""
    match = _E164ISH.fullmatch(text)
    if match is None:
        return None
    digits = match[1]
    for size in (1, 2, 3):
        regions = COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size]))
        if regions is not None:
            break
    else:
        return None
    country_code, national = int(digits[:size]), digits[size:]
    if not _MIN_NSN <= len(national) <= _MAX_NSN:
        return None
    main = _region(regions[0], country_code)
    if main is None or (main.national_prefix is not None and main.national_prefix.match(national)):
        return None  # parse may strip a national prefix: the full check decides
    return _is_valid(country_code, tuple(regions), national)
