"""Who is calling: a user session or an API token, always inside exactly one workspace."""

from __future__ import annotations

from dataclasses import dataclass

from objectry.errors import Forbidden

ROLES = ("viewer", "editor", "admin", "owner")
# What each role may do; an object's `permissions` may narrow record rights per role.
# `members:read` is not a token scope, so only a token with the `admin` scope has it.
ROLE_RIGHTS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"records:read", "schema:read", "members:read"}),
    "editor": frozenset({"records:read", "records:write", "schema:read", "members:read"}),
    "admin": frozenset({"records:read", "records:write", "schema:read", "schema:write", "admin",
                        "members:read"}),
    "owner": frozenset({"records:read", "records:write", "schema:read", "schema:write", "admin",
                        "members:read", "owner"}),
}
SCOPES = ("records:read", "records:write", "schema:read", "schema:write", "admin")
# An API token acts at this role, narrowed by its scopes; it can never act as an owner.
TOKEN_ROLE = "admin"


@dataclass(frozen=True, slots=True)
class Session:
    """The access token a user session presented: what logout blacklists and revokes."""

    jti: str
    family_id: str
    expires_at: int  # seconds since the epoch


@dataclass(frozen=True, slots=True)
class Principal:
    workspace_id: str
    role: str
    user_id: str | None = None
    token_id: str | None = None
    # An API token's scopes; None for a user session (the role alone decides).
    scopes: frozenset[str] | None = None
    session: Session | None = None

    @property
    def actor(self) -> str | None:
        """What goes into created_by / updated_by / history: the user, else the token."""
        return self.user_id or self.token_id

    def can(self, right: str) -> bool:
        if right not in ROLE_RIGHTS.get(self.role, frozenset()):
            return False
        return self.scopes is None or right in self.scopes or "admin" in self.scopes

    def require(self, right: str) -> None:
        if not self.can(right):
            raise Forbidden(f"this {'token' if self.token_id else 'role'} may not do that "
                            f"(needs {right})")
