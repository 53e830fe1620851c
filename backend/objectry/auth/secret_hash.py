"""What is stored of a secret: its SHA-256, in hex — API tokens, refresh tokens, invitation
tokens, and the throttles' keys (e-mails and addresses, kept private rather than secret).

Each token is 32 random bytes, so a fast hash is enough: nobody can brute-force 256 bits, and a
keyed lookup by hash costs one index probe per request (a slow password hash would not).
"""

from __future__ import annotations

import hashlib


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
