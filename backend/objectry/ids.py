"""Opaque ids: a type prefix and 16 random base-32 characters (80 bits); never reused."""

import re
import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base 32, lower case
PREFIXES = ("usr", "wsp", "obj", "fld", "ofd", "rec", "rel", "rrec", "app", "tok")
ID_PATTERN = re.compile(r"^(usr|wsp|obj|fld|ofd|rec|rel|rrec|app|tok)_[0-9a-z]{16}$")


def new_id(prefix: str) -> str:
    assert prefix in PREFIXES, prefix
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(16))


def looks_like(prefix: str, value: str) -> bool:
    """True when `value` has the shape of an id of this type (it may still not exist)."""
    return value.startswith(prefix + "_") and ID_PATTERN.match(value) is not None
