"""Password hashing with argon2id (argon2-cffi's PasswordHasher defaults), off the event loop."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
# argon2 pre-hashes any length, but a cap keeps a sign-up from being a CPU and memory sink.
MAX_LENGTH = 1024

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher.hash("objectry: a password nobody has")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify(hashed: str | None, password: str) -> bool:
    """Check a password; with no stored hash (unknown e-mail) still spend the same time, so the
    answer's timing does not reveal which e-mails have accounts."""
    if hashed is None:
        await asyncio.to_thread(_verify, _dummy_hash(), password)
        return False
    return await asyncio.to_thread(_verify, hashed, password)


def needs_rehash(hashed: str) -> bool:
    """True when the hash was made with older parameters than today's defaults."""
    try:
        return _hasher.check_needs_rehash(hashed)
    except InvalidHashError:
        return True
