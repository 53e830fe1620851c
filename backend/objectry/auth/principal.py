"""Who is calling: a user session or an API token, always inside exactly one workspace."""

from __future__ import annotations

from dataclasses import dataclass

from objectry.errors import Forbidden

ROLES = ("viewer", "editor", "admin", "owner")
# What each role may do; an object's `permissions` may narrow record rights per role.
ROLE_RIGHTS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"records:read", "schema:read"}),
    "editor": frozenset({"records:read", "records:write", "schema:read"}),
    "admin": frozenset({"records:read", "records:write", "schema:read", "schema:write", "admin"}),
    "owner": frozenset({"records:read", "records:write", "schema:read", "schema:write", "admin",
                        "owner"}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    workspace_id: str
    role: str
    user_id: str | None = None
    token_id: str | None = None
    # An API token's scopes; None for a user session (the role alone decides).
    scopes: frozenset[str] | None = None

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
