"""Reading records back: `to_api` (by name, attached fields only), `primary_value`, the memo."""

from __future__ import annotations

import pytest

from objectry.metadata.model import FieldDef, Snapshot
from objectry.records.validate import RecordValidator, as_text, validator_for
from tests.support.metadata import field, object_def

LEAD = object_def(
    field("email", "email"),
    field("name", is_required=True),
    field("status", "select", {"options": [{"value": "new", "label": "New"}]}),
    field("phone", "phone"),
    field("score", "rating", is_readonly=True),
)
V = RecordValidator(LEAD)
# fld_old: a field since detached from the object; its value stays in storage
CURRENT = {"fld_name": "Ann", "fld_email": "ann@example.com", "fld_status": "new",
           "fld_score": 4, "fld_old": "detached value"}


def test_to_api_hides_detached_and_omits_absent_fields():
    assert V.to_api(CURRENT) == {"name": "Ann", "email": "ann@example.com", "status": "new",
                                 "score": 4}
    assert V.to_api({}) == {}


def test_to_api_follows_renames():
    renamed = object_def(FieldDef(id="fld_name", name="full_name", label="Full name",
                                  type="text", config={}))
    assert RecordValidator(renamed).to_api({"fld_name": "Ann"}) == {"full_name": "Ann"}


@pytest.mark.parametrize(("value", "text"), [
    ("Ann", "Ann"),
    ("", ""),
    (42, "42"),
    (-7, "-7"),
    (3.0, "3"),
    (2.5, "2.5"),
    (1e20, "100000000000000000000"),
    (True, "true"),
    (False, "false"),
    (["a", "b"], "a, b"),
    ([], ""),
    ({"k": "v"}, '{"k":"v"}'),
])
def test_as_text(value, text):
    assert as_text(value) == text


@pytest.mark.parametrize(("obj", "stored", "expected"), [
    (LEAD, {"fld_name": "Ann"}, "Ann"),  # first text field
    (LEAD, {"fld_email": "a@example.com"}, None),
    (object_def(field("n", "number"), field("t"), primary="n"), {"fld_n": 12.0}, "12"),
    (object_def(field("t"), field("flag", "boolean"), primary="flag"), {"fld_flag": False},
     "false"),
    (object_def(field("tags", "multi_select", {"options": [{"value": "a", "label": "A"}]}),
                primary="tags"), {"fld_tags": ["a", "b"]}, "a, b"),
    (object_def(field("email", "email")), {"fld_email": "a@example.com"}, None),  # no text
    (object_def(field("t"), primary="gone"), {"fld_t": "x", "fld_gone": "y"}, "x"),
])
def test_primary_value(obj, stored, expected):
    assert RecordValidator(obj).primary_value(stored) == expected


def test_validator_for_memoises_per_snapshot():
    snapshot = Snapshot(tenant_id="wsp_1", version=1, objects=(LEAD,))
    first = validator_for(snapshot, LEAD)
    assert isinstance(first, RecordValidator) and validator_for(snapshot, LEAD) is first
    newer = Snapshot(tenant_id="wsp_1", version=2, objects=(LEAD,))
    assert validator_for(newer, LEAD) is not first
