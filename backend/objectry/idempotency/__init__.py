"""Idempotency keys: a write sent with `Idempotency-Key` is done once, and a retry within 24
hours answers the first response again (docs/API.md, "Idempotency keys").

    guard.py    `@idempotent(check)` on a write endpoint: the key, the lock, replay or run
    stored.py   the request's fingerprint, and a response as kept and as replayed
    repo.py     SQL of `idempotency_keys` (migration 0007)
"""
