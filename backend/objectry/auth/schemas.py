"""Request bodies of the auth, member and token routes (unknown properties are refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from objectry.auth import passwords

Role = Literal["owner", "admin", "editor", "viewer"]
Scope = Literal["records:read", "records:write", "schema:read", "schema:write", "admin"]


def normal_email(value: str) -> str:
    """A syntactically valid address, lower-cased (addresses compare case-insensitively)."""
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise PydanticCustomError("format", "not a valid email address") from None


def _password(value: str) -> str:
    if len(value) < passwords.MIN_LENGTH:
        raise PydanticCustomError("too_short", "must be at least {min} characters",
                                  {"min": passwords.MIN_LENGTH})
    if len(value) > passwords.MAX_LENGTH:
        raise PydanticCustomError("too_long", "must be at most {max} characters",
                                  {"max": passwords.MAX_LENGTH})
    return value


Email = Annotated[str, Field(max_length=320), AfterValidator(normal_email)]
NewPassword = Annotated[str, AfterValidator(_password)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Register(Body):
    email: Email
    password: NewPassword
    full_name: Annotated[str, Field(max_length=200)] = ""


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


class TokenCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=5)]
    expires_at: AwareDatetime | None = None
