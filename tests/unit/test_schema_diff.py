"""The schema document and its diff, pure: normal form, reference checks, the order of
changes, what is destructive, a relationship replaced, an object's dependents left implicit."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from objectry.errors import ValidationFailed
from objectry.schema_code import document
from objectry.schema_code.diff import diff

BASE: dict[str, Any] = {
    "format": "objectry-schema/1",
    "fields": [{"name": "title", "label": "Title", "type": "text"},
               {"name": "amount", "label": "Amount", "type": "number"}],
    "objects": [{"name": "deal", "label": "Deal",
                 "fields": [{"field": "title"}, {"field": "amount"}]},
                {"name": "company", "label": "Company", "fields": [{"field": "title"}]}],
    "relationships": [{"name": "company_deals", "from_object": "company", "to_object": "deal",
                       "type": "1:N", "from_label": "Company", "to_label": "Deals"}],
    "views": [{"object": "deal", "name": "All"}],
}


def read(doc: dict[str, Any]) -> dict[str, Any]:
    return document.read(copy.deepcopy(doc))


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    return [(c.op, c.kind, c.name, c.destructive) for c in diff(read(before), read(after))]


def test_normal_form_fills_defaults_and_sorts():
    doc = read(BASE)
    assert list(doc) == ["format", "fields", "objects", "relationships", "views",
                         "applications"]
    assert [f["name"] for f in doc["fields"]] == ["amount", "title"]
    assert [o["name"] for o in doc["objects"]] == ["company", "deal"]
    assert [(a["field"], a["display_order"]) for a in doc["objects"][1]["fields"]] == \
        [("title", 0), ("amount", 1)]
    assert doc["fields"][0] == {"name": "amount", "label": "Amount", "type": "number",
                                "config": {}, "description": None, "category": None}
    assert doc["views"][0] == {"object": "deal", "name": "All", "type": "grid", "filter": "",
                               "order": "", "fields": [], "group_by": None, "date_field": None}
    assert read(doc) == doc  # normal form is a fixed point


def test_reference_problems_are_all_reported_at_the_callers_paths():
    bad = copy.deepcopy(BASE)
    bad["objects"][1]["fields"].append({"field": "title"})
    bad["objects"][0]["primary_field"] = "nope"
    bad["relationships"][0]["to_object"] = "ghost"
    bad["fields"].append({"name": "title", "label": "Again", "type": "text"})
    with pytest.raises(ValidationFailed) as refused:
        document.read(bad, prefix="schema.")
    assert [(d["field"], d["code"]) for d in refused.value.details] == [
        ("schema.fields.2.name", "duplicate"),
        ("schema.objects.0.primary_field", "not_found"),
        ("schema.objects.1.fields.1.field", "duplicate"),
        ("schema.relationships.0.to_object", "not_found")]


def test_nothing_to_do():
    assert changes(BASE, BASE) == []


def test_creates_in_dependency_order():
    empty = {"format": "objectry-schema/1"}
    assert changes(empty, BASE) == [
        ("create", "object", "company", False), ("create", "object", "deal", False),
        ("create", "field", "amount", False), ("create", "field", "title", False),
        ("create", "relationship", "company_deals", False),
        ("create", "object_field", "company.title", False),
        ("create", "object_field", "deal.amount", False),
        ("create", "object_field", "deal.title", False),
        ("create", "view", "deal.All", False)]


def test_deleting_an_object_takes_its_attachments_and_views_with_it():
    smaller = copy.deepcopy(BASE)
    smaller["objects"] = smaller["objects"][1:]  # company stays, without its field
    smaller["objects"][0]["fields"] = []
    smaller["relationships"] = []
    smaller["views"] = []
    assert changes(BASE, smaller) == [  # not deal's attachments nor its view
        ("delete", "object_field", "company.title", True),
        ("delete", "relationship", "company_deals", True),
        ("delete", "object", "deal", True)]


def test_updates_and_what_is_destructive():
    after = copy.deepcopy(BASE)
    after["fields"][0]["type"] = "long_text"  # title
    after["fields"][1]["label"] = "Value"  # amount
    after["relationships"][0]["type"] = "N:N"
    after["objects"][0]["fields"][1]["is_indexed"] = True
    assert changes(BASE, after) == [
        ("delete", "relationship", "company_deals", True),
        ("update", "field", "amount", False), ("update", "field", "title", True),
        ("create", "relationship", "company_deals", False),
        ("update", "object_field", "deal.amount", False)]
    labels_only = copy.deepcopy(BASE)
    labels_only["relationships"][0]["to_label"] = "Opportunities"
    assert changes(BASE, labels_only) == [("update", "relationship", "company_deals", False)]


def test_a_change_as_json_has_before_and_after_only_when_they_exist():
    created = diff(read({"format": "objectry-schema/1"}), read(BASE))[0].as_json()
    assert set(created) == {"op", "kind", "name", "after", "destructive"}
    deleted = diff(read(BASE), read({"format": "objectry-schema/1"}))[0].as_json()
    assert set(deleted) == {"op", "kind", "name", "before", "destructive"}
