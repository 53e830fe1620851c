"""Ids: the documented shape, every digit of the alphabet in use, no repeats."""

from collections import Counter

import pytest

from objectry.ids import ID_PATTERN, PREFIXES, looks_like, new_id


@pytest.mark.parametrize("prefix", PREFIXES)
def test_new_ids_have_the_documented_shape(prefix: str) -> None:
    made = new_id(prefix)
    assert ID_PATTERN.match(made) and looks_like(prefix, made)
    assert len(made) == len(prefix) + 1 + 16


def test_digits_cover_crockfords_alphabet_evenly_and_ids_do_not_repeat() -> None:
    ids = [new_id("rec") for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    digits = Counter("".join(i[4:] for i in ids))
    assert set(digits) == set("0123456789abcdefghjkmnpqrstvwxyz")  # no i, l, o, u
    expected = 20_000 * 16 / 32
    assert all(abs(n - expected) < expected * 0.1 for n in digits.values()), digits


def test_looks_like_refuses_other_shapes() -> None:
    assert not looks_like("rec", "rec_ABCDEFGHJKMNPQRS")
    assert not looks_like("rec", "obj_0123456789abcdef")
    assert not looks_like("rec", "rec_0123456789abcde")
