"""db/replica.py's arithmetic: WAL positions, the lag measured from the primary's samples, and
what a request needs (the LSN it sent, its principal's remembered writes, for a bounded time).
The replica itself is exercised in tests/system/test_read_replica.py."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from objectry.db.replica import Needs, Replica, format_lsn, parse_lsn, request_needs
from objectry.settings import Settings


@pytest.mark.parametrize(("text", "value"), [
    ("0/0", 0), ("0/16B3748", 0x16B3748), ("16/B374D848", (0x16 << 32) | 0xB374D848),
    ("FFFFFFFF/FFFFFFFF", 2**64 - 1), (" 1/a ", (1 << 32) | 10)])
def test_a_wal_position_reads_and_writes_as_postgresql_shows_it(text: str, value: int) -> None:
    assert parse_lsn(text) == value
    assert parse_lsn(format_lsn(value)) == value


@pytest.mark.parametrize("text", ["", "0", "/1", "1/", "x/1", "1/g", "123456789/0", "1/2/3",
                                  "-1/0", "+1/0", "0x1/0", "1_0/0", "１/0", "yesterday"])
def test_anything_else_is_not_a_wal_position(text: str) -> None:
    assert parse_lsn(text) is None


def test_format_is_uppercase_hex_without_padding() -> None:
    assert format_lsn((0x16 << 32) | 0xB374D848) == "16/B374D848"
    assert format_lsn(0x3016038) == "0/3016038"


def _replica(**settings: Any) -> Replica:
    # The arithmetic touches neither pool.
    return Replica(None, None, Settings(**settings))


def test_lag_is_the_age_of_the_oldest_primary_position_not_replayed() -> None:
    replica = _replica(replica_max_lag_ms=1000)
    replica._samples.extend([(10.0, 100), (10.5, 200), (11.0, 300)])
    assert replica._lag(300, 12.0) == 0.0  # everything replayed
    assert replica._lag(250, 12.0) == pytest.approx(1.0)  # misses what the primary had at 11
    assert replica._lag(150, 12.0) == pytest.approx(1.5)
    assert replica._lag(0, 12.0) == pytest.approx(2.0)


def test_the_watch_interval_follows_the_lag_bound_within_limits() -> None:
    assert _replica(replica_max_lag_ms=300).interval == pytest.approx(0.075)
    assert _replica(replica_max_lag_ms=60_000).interval == 1.0
    assert _replica(replica_max_lag_ms=0).interval == 0.05


def test_a_request_needs_what_it_sent_and_what_its_principal_wrote() -> None:
    replica = _replica()
    assert replica.required() == 0  # outside a request
    token = request_needs.set(Needs(given=50, principal="usr_a"))
    try:
        assert replica.required() == 50
        replica.remember("usr_a", 70)
        replica.remember("usr_b", 90)
        assert replica.required() == 70  # usr_b's writes are not usr_a's claim
        replica.remember("usr_a", 40)  # a later write is always further; the newest counts
        assert replica.required() == 50
    finally:
        request_needs.reset(token)


def test_a_remembered_write_is_forgotten_after_its_time() -> None:
    replica = _replica(replica_max_lag_ms=1000)
    assert replica.remember_seconds == 3  # twice the lag bound, and a second
    replica.remember("usr_a", 70)
    token = request_needs.set(Needs(principal="usr_a"))
    try:
        assert replica.required() == 70
        replica._written["usr_a"] = (70, time.monotonic() - 0.001)
        assert replica.required() == 0
        assert "usr_a" not in replica._written
    finally:
        request_needs.reset(token)


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("objectry.db.replica.MAX_REMEMBERED", 3)
    replica = _replica()
    for n in range(5):
        replica.remember(f"usr_{n}", n)
    assert list(replica._written) == ["usr_2", "usr_3", "usr_4"]


def test_what_the_replica_cannot_serve_goes_to_the_primary_without_a_connection() -> None:
    """None means the primary; the pool (None here) is never asked."""
    replica = _replica(replica_max_lag_ms=1000)
    replica.written = 100
    assert asyncio.run(replica._usable(101)) is None  # beyond anything written: made up, or
    replica.lag = 1.5  # newer than the last sample
    assert asyncio.run(replica._usable(0)) is None  # lagging past the bound
    replica.lag, replica.down_until = 0.0, time.monotonic() + 60
    assert asyncio.run(replica._usable(0)) is None  # the breaker is open
