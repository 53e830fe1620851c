"""Ids: the documented shape, the clock digits first, random digits spread evenly, no repeats."""

import time
from collections import Counter

import pytest

from objectry.ids import ID_PATTERN, PREFIXES, looks_like, new_id, new_ids


@pytest.mark.parametrize("prefix", PREFIXES)
def test_new_ids_have_the_documented_shape(prefix: str) -> None:
    made = new_id(prefix)
    assert ID_PATTERN.match(made) and looks_like(prefix, made)
    assert len(made) == len(prefix) + 1 + 16


def test_random_digits_cover_crockfords_alphabet_evenly_and_ids_do_not_repeat() -> None:
    ids = [new_id("rec") for _ in range(20_000)]  # many in each millisecond
    assert len(set(ids)) == len(ids)
    _assert_random_digits_spread_evenly(ids)


def _assert_random_digits_spread_evenly(ids: list[str]) -> None:
    """Each of the 32 digits (no i, l, o, u) within 10% of its share of the random digits."""
    digits = Counter("".join(i[-11:] for i in ids))
    assert set(digits) == set("0123456789abcdefghjkmnpqrstvwxyz")
    expected = len(ids) * 11 / 32
    assert all(abs(n - expected) < expected * 0.1 for n in digits.values()), digits


def _clock(made: str) -> int:
    """The millisecond in an id's five clock digits (mod 2^25)."""
    value = 0
    for digit in made[4:9]:
        value = value * 32 + "0123456789abcdefghjkmnpqrstvwxyz".index(digit)
    return value


def test_the_first_five_digits_are_the_millisecond_so_later_ids_sort_after() -> None:
    cycle = 1 << 25  # the clock digits wrap every 9.3 hours: compare within the cycle
    before = time.time_ns() // 1_000_000
    first = new_id("rec")
    time.sleep(0.003)
    second = new_id("rec")
    elapsed = time.time_ns() // 1_000_000 - before
    assert (_clock(first) - before) % cycle <= elapsed
    assert 3 <= (_clock(second) - _clock(first)) % cycle <= elapsed
    if _clock(second) > _clock(first):  # not across a wrap: as text, the order b-trees keep
        assert first < second


def test_looks_like_refuses_other_shapes() -> None:
    assert not looks_like("rec", "rec_ABCDEFGHJKMNPQRS")
    assert not looks_like("rec", "obj_0123456789abcdef")
    assert not looks_like("rec", "rec_0123456789abcde")


@pytest.mark.parametrize("count", [0, 1, 2, 10_000])
def test_ids_made_together_are_ascending_share_their_clock_and_do_not_repeat(count: int) -> None:
    before = _clock(new_id("rec"))
    made = new_ids("rec", count)
    after = _clock(new_id("rec"))
    assert len(made) == count == len(set(made))
    assert made == sorted(made)  # a batch enters the b-trees on ids in key order
    assert all(ID_PATTERN.match(m) and looks_like("rec", m) for m in made)
    assert len({m[4:9] for m in made}) <= 1  # one reading of the clock
    for m in made[:1]:  # between the ids made just before and just after (mod the cycle)
        assert (_clock(m) - before) % 2**25 <= (after - before) % 2**25
    if count >= 10_000:  # the random digits of a batch spread as new_id's do
        _assert_random_digits_spread_evenly(made)
