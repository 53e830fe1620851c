"""Request bodies of /auth/v1, as Supabase's clients send them: top-level keys GoTrue knows and
Objectry does not use (`gotrue_meta_security`, `code_challenge`…) are ignored; `data` (the
user's metadata) holds only what Objectry stores, anything else in it is refused."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from objectry.auth import passwords
from objectry.auth.schemas import Email, InvitationToken, NewPassword

FullName = Annotated[str, Field(max_length=200)]


class Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SignUpData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: FullName = ""
    invitation_token: InvitationToken | None = None


class SignUp(Lenient):
    email: Email
    password: NewPassword
    data: SignUpData = SignUpData()


class PasswordGrant(Lenient):
    # Not validated as an address: a malformed one is simply a wrong credential (400).
    email: Annotated[str, Field(min_length=1, max_length=320)]
    password: Annotated[str, Field(min_length=1, max_length=passwords.MAX_LENGTH)]


class RefreshGrant(Lenient):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class UserData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: FullName | None = None


class UserUpdate(Lenient):
    password: NewPassword | None = None
    data: UserData = UserData()
    # GoTrue changes the e-mail after a confirmation mail; Objectry does not (refused, 422).
    email: str | None = None
