"""A saved view against the schema, with no database (records/views/fit.py): what its filter
grammar accepts, which parts of a stale view are left out of reads and what each issue says."""

from __future__ import annotations

import pytest

from objectry.records.query import Filter, Group, Order, QueryError
from objectry.records.views.fit import fit_query, layout_issues, parse_filter, parse_sort
from tests.support.metadata import OPTIONS, field, object_def, snapshot

DEAL = object_def(field("title"), field("stage", "select", OPTIONS), field("amount", "number"),
                  field("due", "date"),
                  field("follow_up", "formula", {"expression": "{due} + 7", "result_type": "date"}),
                  field("shout", "formula",
                        {"expression": "UPPER({title})", "result_type": "text"}),
                  name="deal")


def fitted(filter_text: str, order_text: str = "") -> tuple[object, list[tuple[str, str, str]]]:
    applied, issues = fit_query(filter_text, order_text, DEAL, snapshot(DEAL))
    return applied, [(i.key, i.field, i.code) for i in issues]


@pytest.mark.parametrize(("text", "where"), [
    ("", ()),
    ("stage=eq.red", (Filter("stage", "eq", "red"),)),
    ("stage=eq.red&amount=gt.5", (Filter("stage", "eq", "red"), Filter("amount", "gt", "5"))),
    ("title=ilike.*a+b*", (Filter("title", "ilike", "*a b*"),)),
    ("not.or=(stage.eq.red,amount.is.null)",
     (Group("or", (Filter("stage", "eq", "red"), Filter("amount", "is", "null")), True),)),
])
def test_filters_parse(text, where):
    assert parse_filter(text) == where


@pytest.mark.parametrize("text", ["select=title", "order=title", "limit=1", "offset=2",
                                  "deal.title=eq.x", "stage=eq", "and=(stage.eq.red",
                                  "stage", "=eq.1"])
def test_anything_but_filters_is_a_syntax_error(text):
    with pytest.raises(QueryError) as raised:
        parse_filter(text)
    assert (raised.value.status, raised.value.rest_code) == (400, "PGRST100")


def test_sorts_parse():
    assert parse_sort("") == ()
    assert parse_sort("amount.desc,title") == (Order("amount", True), Order("title"))


def test_a_view_that_fits_is_applied_whole():
    applied, issues = fitted("and=(stage.eq.red,amount.gt.5)", "amount.desc")
    assert applied.where == parse_filter("and=(stage.eq.red,amount.gt.5)")
    assert applied.order == (Order("amount", True),)
    assert issues == []


def test_stale_leaves_are_left_out_and_emptied_groups_go():
    applied, issues = fitted("or=(gone.eq.1,and(gone.eq.2,lost.eq.3),stage.eq.red)"
                             "&amount=gt.abc&due=lt.2026-01-01", "gone.desc,title")
    assert applied.where == (Group("or", (Filter("stage", "eq", "red"),)),
                             Filter("due", "lt", "2026-01-01"))
    assert applied.order == (Order("title"),)
    assert issues == [("filter", "gone", "unknown_field"), ("filter", "gone", "unknown_field"),
                      ("filter", "lost", "unknown_field"), ("filter", "amount", "invalid"),
                      ("order", "gone", "unknown_field")]


def test_an_issue_says_what_is_wrong_and_what_a_read_does():
    _, issues = fit_query("gone=eq.1", "", DEAL, snapshot(DEAL))
    assert issues[0].message == "no field 'gone' on deal"
    assert issues[0].problem() == {
        "field": "gone", "message": "no field 'gone' on deal; the condition is left out of reads"}


def test_fitting_is_done_once_per_snapshot():
    snap = snapshot(DEAL)
    assert fit_query("stage=eq.red", "", DEAL, snap) is fit_query("stage=eq.red", "", DEAL, snap)


@pytest.mark.parametrize(("view", "expected"), [
    ({"type": "grid", "fields": [{"name": "title"}, {"name": "id"}]}, []),
    ({"type": "grid", "fields": [{"name": "gone"}, {"name": "title"}, {"name": "title"}]},
     [("fields.0.name", "gone", "unknown_field"), ("fields.2.name", "title", "duplicate")]),
    ({"type": "kanban", "group_by": "stage"}, []),
    ({"type": "kanban"}, [("group_by", "", "required")]),
    ({"type": "kanban", "group_by": "amount"}, [("group_by", "amount", "wrong_type")]),
    ({"type": "calendar", "date_field": "due"}, []),
    ({"type": "calendar", "date_field": "title", "group_by": "gone"},
     [("group_by", "gone", "unknown_field"), ("date_field", "title", "wrong_type")]),
    ({"type": "grid", "date_field": "due", "group_by": "stage"}, []),
    # A formula is judged by its result type: a date formula fills a calendar.
    ({"type": "calendar", "date_field": "follow_up"}, []),
    ({"type": "calendar", "date_field": "shout"}, [("date_field", "shout", "wrong_type")]),
    ({"type": "kanban", "group_by": "shout"}, [("group_by", "shout", "wrong_type")]),
])
def test_layout(view, expected):
    assert [(i.at, i.field, i.code) for i in layout_issues(view, DEAL)] == expected
