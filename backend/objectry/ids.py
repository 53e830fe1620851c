"""Opaque ids: a type prefix and 16 random base-32 characters (80 bits); never reused."""

import re
import secrets

_ALPHABET = b"0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base 32, lower case
# Each random byte's low 5 bits name a digit (256 is a multiple of 32, so every digit is
# equally likely): 16 bytes are 16 digits, 80 random bits, spelt in one C call — bulk imports
# make ids by the ten thousand, and base64.b32encode is Python code.
_DIGIT_OF_BYTE = bytes(_ALPHABET[byte % 32] for byte in range(256))
PREFIXES = ("usr", "wsp", "obj", "fld", "ofd", "rec", "rel", "rrec", "app", "tok", "inv", "vw",
            "whk", "dlv", "evt", "aud", "imp")
ID_PATTERN = re.compile(
    r"^(usr|wsp|obj|fld|ofd|rec|rel|rrec|app|tok|inv|vw|whk|dlv|evt|aud|imp)_[0-9a-z]{16}$")


def new_id(prefix: str) -> str:
    assert prefix in PREFIXES, prefix
    return f"{prefix}_{secrets.token_bytes(16).translate(_DIGIT_OF_BYTE).decode()}"


def looks_like(prefix: str, value: str) -> bool:
    """True when `value` has the shape of an id of this type (it may still not exist)."""
    return value.startswith(prefix + "_") and ID_PATTERN.match(value) is not None
