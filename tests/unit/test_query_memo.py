"""Remembered reads: the same query on the same snapshot is compiled once; a new snapshot
(metadata changed) compiles anew; the cache is bounded."""

from __future__ import annotations

from objectry.records.query import memo, parse_rest, plan_read
from tests.support.metadata import CONTACT, snapshot


def test_parse_and_plan_are_remembered_per_snapshot() -> None:
    pairs = [("age", "eq.3"), ("order", "age.desc")]
    assert memo.parsed_rest(pairs) is memo.parsed_rest(list(pairs))
    assert memo.parsed_rest(pairs) == parse_rest(pairs)
    first, second = snapshot(CONTACT), snapshot(CONTACT, version=2)
    plan = memo.planned(memo.parsed_rest(pairs), CONTACT, first, max_limit=10)
    assert plan == plan_read(parse_rest(pairs), CONTACT, first, max_limit=10)
    assert memo.planned(memo.parsed_rest(pairs), CONTACT, first, max_limit=10) is plan
    assert memo.planned(memo.parsed_rest(pairs), CONTACT, first, max_limit=20) is not plan
    assert memo.planned(memo.parsed_rest(pairs), CONTACT, second, max_limit=10) is not plan


def test_plans_are_bounded() -> None:
    snap = snapshot(CONTACT)
    for i in range(memo.MAX_PLANS + 5):
        memo.planned(memo.parsed_rest([("age", f"eq.{i}")]), CONTACT, snap)
    assert len(snap.plans) <= memo.MAX_PLANS


def test_one_off_queries_do_not_push_out_a_plan_in_use() -> None:
    """Least recently used first: a hot list's plan and SQL stay while a stream of by-id
    queries (each its own plan) passes through the bounded cache."""
    snap = snapshot(CONTACT)
    hot_query = memo.parsed_rest([("age", "eq.30"), ("order", "age.desc")])
    hot = memo.planned(hot_query, CONTACT, snap)
    sql = memo.rendered(hot, snap)
    for i in range(memo.MAX_PLANS * 3):
        memo.planned(memo.parsed_rest([("id", f"eq.rec_{i:016d}")]), CONTACT, snap)
        if i % 100 == 0:  # the app keeps listing meanwhile
            assert memo.planned(hot_query, CONTACT, snap) is hot
            assert memo.rendered(hot, snap) is sql
    assert memo.planned(hot_query, CONTACT, snap) is hot
    assert len(snap.plans) <= memo.MAX_PLANS
    # A plan not used since is the one forgotten.
    cold = memo.planned(memo.parsed_rest([("age", "eq.31")]), CONTACT, snap)
    for i in range(memo.MAX_PLANS):
        memo.planned(memo.parsed_rest([("id", f"eq.rec_x{i:015d}")]), CONTACT, snap)
    assert memo.planned(memo.parsed_rest([("age", "eq.31")]), CONTACT, snap) is not cold
