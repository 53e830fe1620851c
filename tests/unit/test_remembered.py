"""auth/remembered.py: what a process remembers of checked credentials, and when it forgets."""

from __future__ import annotations

import time

from objectry.auth.remembered import Remembered

ROW = {"role": "member", "revoked_at": None}


def test_a_row_read_before_a_forget_is_not_stored():
    """A token checked in the database while its revocation commits (and its notice arrives)
    must not be remembered as valid: the check read `generation` before its round trip."""
    cache: Remembered[str] = Remembered()
    generation = cache.generation
    cache.forget("digest")  # the revocation's notice, during the check's round trip
    cache.put("digest", ROW, generation)
    assert cache.get("digest") is None
    cache.put("digest", ROW, cache.generation)  # a check that started after it
    assert cache.get("digest") == ROW


def test_forget_one_key_or_all():
    cache: Remembered[str] = Remembered()
    cache.put("a", ROW, cache.generation)
    cache.put("b", ROW, cache.generation)
    cache.forget("a")
    assert (cache.get("a"), cache.get("b")) == (None, ROW)
    cache.forget()
    assert cache.get("b") is None


def test_nothing_is_kept_while_the_listener_is_away():
    cache: Remembered[str] = Remembered()
    cache.put("a", ROW, cache.generation)
    cache.pause()
    assert cache.get("a") is None
    cache.put("a", ROW, cache.generation)
    assert cache.get("a") is None
    cache.resume()
    cache.put("a", ROW, cache.generation)
    assert cache.get("a") == ROW


def test_entries_expire_and_the_size_is_bounded():
    cache: Remembered[int] = Remembered(ttl_seconds=0.0, max_entries=2)
    cache.put(1, ROW, cache.generation)
    time.sleep(0.001)
    assert cache.get(1) is None  # past its lifetime
    cache = Remembered(max_entries=2)
    for key in (1, 2, 3):
        cache.put(key, ROW, cache.generation)
    assert [cache.get(k) for k in (1, 2, 3)] == [None, None, ROW]  # full: emptied, then 3
