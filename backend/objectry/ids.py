"""Opaque ids: a type prefix and 16 base-32 characters, 5 of the clock and 11 random; never
reused.

The first five digits are the millisecond the id was made, modulo 2^25 (a cycle of 9.3 hours);
the other eleven are 55 random bits. Ids made together then sort together, so each of a
table's b-tree indexes on them (a record's primary key, its unique key, its history's index)
takes new rows on the few pages of the current millisecond instead of anywhere in the tree:
an import of a million records ran 13-37% faster, and its last 100,000 15-58% (bench/notes.md,
nineteenth round: two runs each way). Two ids can only be equal when made in the same
millisecond of the cycle with the same 55 bits: for evenly spread writes that is as likely as
two equal 80-bit random ids, and a bulk call's 10,000 ids (made together by `new_ids`, all
in one millisecond) collide with odds of 1.4e-9. The clock digits wrap every 9.3 hours;
nothing relies on ids being ordered.
"""

import re
import secrets
import time

_ALPHABET = b"0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base 32, lower case
# Each byte's low 5 bits name a digit (256 is a multiple of 32, so every digit of a random byte
# is equally likely): 16 bytes are 16 digits, spelt in one C call — bulk imports make ids by the
# ten thousand, and base64.b32encode is Python code. The digits rise with their values, so ids
# sort as their numbers do.
_DIGIT_OF_BYTE = bytes(_ALPHABET[byte % 32] for byte in range(256))
PREFIXES = ("usr", "wsp", "obj", "fld", "ofd", "rec", "rel", "rrec", "app", "tok", "inv", "vw",
            "whk", "dlv", "evt", "aud", "imp")
ID_PATTERN = re.compile(
    r"^(usr|wsp|obj|fld|ofd|rec|rel|rrec|app|tok|inv|vw|whk|dlv|evt|aud|imp)_[0-9a-z]{16}$")


_CLOCK_MASK = (1 << 25) - 1  # the millisecond modulo 2^25: five digits


def _clock() -> bytes:
    """This millisecond's five digits, as bytes whose low 5 bits are the digits."""
    ms = time.time_ns() // 1_000_000 & _CLOCK_MASK
    return bytes((ms >> 20, ms >> 15 & 31, ms >> 10 & 31, ms >> 5 & 31, ms & 31))


def new_id(prefix: str) -> str:
    assert prefix in PREFIXES, prefix
    return f"{prefix}_{(_clock() + secrets.token_bytes(11)).translate(_DIGIT_OF_BYTE).decode()}"


def new_ids(prefix: str, count: int) -> list[str]:
    """`count` ids made together, in ascending order: one reading of the clock and one call for
    all their random bytes, where `new_id` makes a system call for each (10,000 ids in 11 ms
    instead of 33: a bulk call's). They share their clock digits; 10,000 of them collide with
    odds of 1.4e-9. Sorted, so that a batch's rows enter each b-tree on their ids in key
    order: unsorted, 10,000 random ids of one millisecond cost PostgreSQL 15% more on a bulk
    call than ids made one by one over its ~30 ms; sorted, the same (bench/notes.md, twentieth
    round)."""
    assert prefix in PREFIXES, prefix
    clock, random_bytes, head = _clock(), secrets.token_bytes(11 * count), prefix + "_"
    return sorted(head + (clock + random_bytes[i:i + 11]).translate(_DIGIT_OF_BYTE).decode()
                  for i in range(0, 11 * count, 11))


def looks_like(prefix: str, value: str) -> bool:
    """True when `value` has the shape of an id of this type (it may still not exist)."""
    return value.startswith(prefix + "_") and ID_PATTERN.match(value) is not None
