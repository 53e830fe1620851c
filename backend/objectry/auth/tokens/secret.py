"""API token secrets: `oby_<prefix>_<secret>`; only a SHA-256 of the whole string is stored
(auth/secret_hash.py)."""

from __future__ import annotations

import re
import secrets

SCHEME = "oby"
PREFIX_LENGTH = 8
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
# token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-].
_SHAPE = re.compile(rf"^{SCHEME}_[{_ALPHABET}]{{{PREFIX_LENGTH}}}_[A-Za-z0-9_-]{{43}}$")


def generate() -> tuple[str, str]:
    """A new token and its visible prefix (`oby_<prefix>`)."""
    prefix = f"{SCHEME}_" + "".join(secrets.choice(_ALPHABET) for _ in range(PREFIX_LENGTH))
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


def looks_like_token(value: str) -> bool:
    return value.startswith(f"{SCHEME}_")


def well_formed(value: str) -> bool:
    return _SHAPE.match(value) is not None

