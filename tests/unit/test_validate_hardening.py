"""The record validator with configs stored before today's checks, and its work estimate."""

from __future__ import annotations

import pytest

from objectry.errors import ValidationFailed
from objectry.fields.base import HEAVY_WORK
from objectry.records.validate import RecordValidator
from tests.support.metadata import field, object_def

# Each config passed the checks of its day and fails one of today's.
STALE = object_def(
    field("title", "text", display_order=0),
    field("code", "text", {"pattern": "(?=x)x"}, display_order=1),  # a look-ahead: RE2 can't
    field("doc", "json", {"schema": {"$schema": ["not", "a", "uri"]}}, display_order=2),
    field("when", "datetime", {"min": "0001-01-01T00:00:00+14:00"},  # overflows in UTC
          display_order=3),
    field("link", "url", {"schemes": ["javascript"]}, display_order=4),
    name="note",
)


def test_a_stale_config_does_not_break_the_object():
    validator = RecordValidator(STALE)
    assert validator.for_create({"title": "ok"}) == {"fld_title": "ok"}
    assert validator.to_api({"fld_title": "ok", "fld_code": "x"}) == {"title": "ok", "code": "x"}
    assert set(validator.json_schema["properties"]) == {"title", "code", "doc", "when", "link"}


@pytest.mark.parametrize(("name", "value"), [
    ("code", "x"), ("doc", {}), ("when", "2026-01-01T00:00:00Z"), ("link", "javascript:x"),
])
def test_values_of_a_stale_field_are_refused_with_a_reason(name, value):
    with pytest.raises(ValidationFailed) as caught:
        RecordValidator(STALE).for_create({"title": "ok", name: value})
    [problem] = caught.value.details
    assert problem["field"] == name
    assert problem["code"] in ("config", "format")


def test_work_is_estimated_from_the_costly_values_only():
    obj = object_def(
        field("title", "text", display_order=0),
        field("body", "rich_text", display_order=1),
        field("meta", "json", {"schema": {"anyOf": [{"type": "object"}]}}, display_order=2),
        name="page",
    )
    validator = RecordValidator(obj)
    assert validator.weight({"title": "x" * 10_000}) == 0
    assert validator.weight({"body": "<p>hi</p>"}) < HEAVY_WORK
    assert validator.weight({"body": "<p>hi</p>" * 1000}) >= HEAVY_WORK
    assert validator.weight({"meta": {}}) >= HEAVY_WORK
    assert validator.weight({"body": None}) == 0
    assert validator.weight(["not", "a", "mapping"]) == 0
