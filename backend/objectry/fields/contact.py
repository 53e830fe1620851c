"""Contact field types: `email` (lower-cased), `phone` (E.164) and `url`."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from objectry.errors import Detail, detail
from objectry.fields.base import (
    STR,
    STR_LIST,
    Cleaner,
    Config,
    FieldType,
    ValueProblem,
    check_string,
)
from objectry.fields.comparison import TEXT_OPERATORS
from objectry.fields.phone import e164_verdict
from objectry.sqltext import TEXT

SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f]")  # urlsplit would quietly drop some of these
DEFAULT_SCHEMES = ("http", "https")
# Schemes that run code or smuggle content where a link is followed: never allowed, in any case.
FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "vbscript"})


class Email(FieldType):
    """Checked for syntax only (no DNS); the whole address is lower-cased so that equality,
    uniqueness and look-ups ignore case, as people expect of e-mail addresses."""

    name = "email"
    sql_cast = TEXT
    operators = TEXT_OPERATORS

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"type": "string", "format": "email"}

    def cleaner(self, config: Config) -> Cleaner:
        return clean_email


# The common address — a dot-atom local part (the rule email_validator itself tries first) at
# an ASCII host name — is checked by parts: the domain by email_validator once per domain
# (domains repeat across records, and checking one is most of the ~40 µs an address costs),
# then the length limit. Anything else takes the full check. tests/property/test_email.py
# holds both paths to the same verdicts and values.
_ATEXT = r"a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~"
_SIMPLE_ADDRESS = re.compile(rf"[{_ATEXT}]+(?:\.[{_ATEXT}]+)*@([A-Za-z0-9.-]+)")
_MAX_ADDRESS = 254  # RFC 5321 (email_validator's EMAIL_MAX_LENGTH)
INVALID_EMAIL = "not a valid email address"


def clean_email(value: Any) -> str:
    text = check_string(value)
    simple = _SIMPLE_ADDRESS.fullmatch(text)
    if simple is not None and len(text) <= _MAX_ADDRESS:
        verdict = _domain_verdict(simple[1])
        if verdict is False:
            raise ValueProblem("format", INVALID_EMAIL)
        if verdict is True:
            return text.lower()
    return clean_email_fully(text)


def clean_email_fully(text: str) -> str:
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ValueProblem("format", INVALID_EMAIL) from None
    return result.normalized.lower()


@lru_cache(maxsize=4096)
def _domain_verdict(domain: str) -> bool | None:
    """False: not a valid email domain; True: valid, and it normalises to itself lower-cased;
    None: valid but normalised otherwise (IDNA), which the full check spells out."""
    try:
        normalized = validate_email("x@" + domain, check_deliverability=False).domain
    except EmailNotValidError:
        return False
    return True if normalized == domain.lower() else None


class Phone(FieldType):
    """Parsed with `default_region` for national numbers (else it must start with +)."""

    name = "phone"
    sql_cast = TEXT
    operators = TEXT_OPERATORS
    config_keys = {"default_region": STR}

    def check_config(self, config: Config, path: str) -> list[Detail]:
        region = config.get("default_region")
        if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
            return [detail(f"{path}.default_region", "format",
                           "must be a 2-letter region code such as FR or US")]
        return []

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"type": "string"}

    def cleaner(self, config: Config) -> Cleaner:
        region = config.get("default_region")

        def clean(value: Any) -> str:
            text = check_string(value)
            verdict = e164_verdict(text)  # the common `+digits` form, as phonenumbers judges it
            if verdict is True:
                return text
            if verdict is False:
                raise ValueProblem("format", invalid_phone(region))
            return clean_phone_fully(text, region)

        return clean


def invalid_phone(region: str | None) -> str:
    return "not a valid phone number" + (
        "" if region else " (start it with + and the country code)")


def clean_phone_fully(text: str, region: str | None) -> str:
    """phonenumbers' own verdict and E.164 form (the fast path is held to this)."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueProblem("format", invalid_phone(region)) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueProblem("format", invalid_phone(region))
    if number.extension:
        # E.164 has no room for an extension: refuse it rather than lose it silently.
        raise ValueProblem("format", "extensions are not supported")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Url(FieldType):
    """An absolute URL with a host and one of `schemes`; stored as given."""

    name = "url"
    sql_cast = TEXT
    operators = TEXT_OPERATORS
    config_keys = {"schemes": STR_LIST}

    def check_config(self, config: Config, path: str) -> list[Detail]:
        schemes = config.get("schemes")
        if schemes is None:
            return []
        if not schemes:
            return [detail(f"{path}.schemes", "min_items", "must list at least one scheme")]
        return [scheme_problem(s, f"{path}.schemes.{i}") for i, s in enumerate(schemes)
                if not SCHEME.fullmatch(s) or s.lower() in FORBIDDEN_SCHEMES]

    def value_schema(self, config: Config) -> dict[str, Any]:
        return {"type": "string", "format": "uri"}

    def cleaner(self, config: Config) -> Cleaner:
        # A config stored before forbidden schemes were refused still cannot let them through.
        schemes = frozenset(s.lower() for s in config.get("schemes") or DEFAULT_SCHEMES
                            ) - FORBIDDEN_SCHEMES
        wrong_scheme = ("must start with " + " or ".join(f"{s}://" for s in sorted(schemes))
                        if schemes else "the field allows no URL scheme")

        def clean(value: Any) -> str:
            if URL_FORBIDDEN.search(check_string(value)):
                raise ValueProblem("format", "must not contain spaces or control characters")
            try:
                parts = urlsplit(value)
                host = parts.hostname
            except ValueError:
                raise ValueProblem("format", "not a valid URL") from None
            if parts.scheme.lower() not in schemes:
                raise ValueProblem("format", wrong_scheme)
            if not host:
                raise ValueProblem("format", "must include a host")
            return value

        return clean


def scheme_problem(scheme: str, path: str) -> Detail:
    if scheme.lower() in FORBIDDEN_SCHEMES:
        return detail(path, "forbidden", f"{scheme!r} links can run code or carry content; "
                                         "not allowed")
    return detail(path, "format", f"{scheme!r} is not a URL scheme")


TYPES = (Email(), Phone(), Url())
