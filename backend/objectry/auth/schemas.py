"""Request bodies of the auth, member and token routes (unknown properties are refused)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from objectry.auth import common_passwords, passwords

Role = Literal["owner", "admin", "editor", "viewer"]
Scope = Literal["records:read", "records:write", "schema:read", "schema:write", "admin"]


def _fold(text: str) -> str:
    # NFKC makes full-width and other compatibility forms plain ("ＡＤＡ" → "ADA"); lower-casing
    # can leave a string that is not NFKC any more ("İ"), so it is normalised again.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).lower())


def normal_email(value: str) -> str:
    """The one spelling of an address that accounts and invitations are keyed by: NFKC,
    lower-case, and the domain through IDNA (email_validator decodes `xn--` labels and maps
    Unicode ones, so `bücher.de` and `xn--bcher-kva.de` are one domain, kept in Unicode)."""
    try:
        checked = validate_email(_fold(value.strip()), check_deliverability=False)
    except EmailNotValidError:
        raise PydanticCustomError("format", "not a valid email address") from None
    return _fold(checked.normalized)


def lookup_email(value: str) -> str:
    """An address to look an account up by, spelt as sign-up stores it; one that does not parse
    is kept as typed (folded), so it is throttled and then simply not found."""
    try:
        return normal_email(value)
    except PydanticCustomError:
        return _fold(value.strip())


def _password(value: str) -> str:
    if len(value) < passwords.MIN_LENGTH:
        raise PydanticCustomError("too_short", "must be at least {min} characters",
                                  {"min": passwords.MIN_LENGTH})
    if len(value) > passwords.MAX_LENGTH:
        raise PydanticCustomError("too_long", "must be at most {max} characters",
                                  {"max": passwords.MAX_LENGTH})
    if common_passwords.is_common(value):
        raise PydanticCustomError("too_common", "is one of the most common passwords; choose"
                                  " one that is harder to guess")
    return value


Email = Annotated[str, Field(max_length=320, json_schema_extra={"format": "email"}),
                  AfterValidator(normal_email)]
NewPassword = Annotated[str, Field(json_schema_extra={"minLength": passwords.MIN_LENGTH,
                                                      "maxLength": passwords.MAX_LENGTH}),
                        AfterValidator(_password)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


InvitationToken = Annotated[str, Field(min_length=1, max_length=200)]


class Register(Body):
    email: Email
    password: NewPassword
    full_name: Annotated[str, Field(max_length=200)] = ""
    # Joins the inviting workspace (only that one) instead of making a workspace of one's own.
    invitation_token: InvitationToken | None = None


class Login(Body):
    # Not validated as an address: a malformed one is simply a wrong credential (401).
    email: Annotated[str, Field(min_length=1, max_length=320)]
    password: Annotated[str, Field(min_length=1, max_length=passwords.MAX_LENGTH)]
    workspace_id: str | None = None


class Refresh(Body):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class MemberAdd(Body):
    email: Email
    role: Role


class MemberUpdate(Body):
    role: Role


class InvitationAccept(Body):
    token: InvitationToken


class TokenCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=5)]
    expires_at: AwareDatetime | None = None
