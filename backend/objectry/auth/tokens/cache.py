"""Verified API tokens, remembered per process (auth/remembered.py) so that a token costs no
round trip per request, keyed by the token's digest.

A trigger on api_tokens NOTIFYs `objectry_tokens` with the changed token's digest (migration
0004), and the listener forgets that token in every process.
"""

from __future__ import annotations

from objectry.auth.remembered import Remembered

CHANNEL = "objectry_tokens"
TokenCache = Remembered[str]
