"""Opaque ids: a type prefix and 16 random base-32 characters (80 bits); never reused."""

import base64
import re
import secrets

_ALPHABET = b"0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base 32, lower case
# 10 random bytes are exactly 16 base-32 digits: one read of the OS's randomness per id, spelt
# in Crockford's alphabet (bulk imports make ids by the ten thousand).
_RFC4648 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # what base64.b32encode writes
_TO_CROCKFORD = bytes.maketrans(_RFC4648, _ALPHABET)
PREFIXES = ("usr", "wsp", "obj", "fld", "ofd", "rec", "rel", "rrec", "app", "tok", "inv", "vw",
            "whk", "dlv", "evt", "aud", "imp")
ID_PATTERN = re.compile(
    r"^(usr|wsp|obj|fld|ofd|rec|rel|rrec|app|tok|inv|vw|whk|dlv|evt|aud|imp)_[0-9a-z]{16}$")


def new_id(prefix: str) -> str:
    assert prefix in PREFIXES, prefix
    digits = base64.b32encode(secrets.token_bytes(10)).translate(_TO_CROCKFORD)
    return f"{prefix}_{digits.decode()}"


def looks_like(prefix: str, value: str) -> bool:
    """True when `value` has the shape of an id of this type (it may still not exist)."""
    return value.startswith(prefix + "_") and ID_PATTERN.match(value) is not None
