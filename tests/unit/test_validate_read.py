"""Reading records back: `to_api` (by name, attached fields only), `primary_value`, the memo."""

from __future__ import annotations

from typing import Any

import pytest

from objectry.metadata.model import FieldDef, ObjectDef, Snapshot
from objectry.records.validate import RecordValidator, as_text, validator_for


def field(name: str, type_: str = "text", config: dict | None = None, **settings: Any) -> FieldDef:
    return FieldDef(id=f"fld_{name}", name=name, label=name.title(), type=type_,
                    config=config or {}, **settings)


def make_object(*fields: FieldDef, primary: str | None = None) -> ObjectDef:
    return ObjectDef(id="obj_1", name="lead", label="Lead", fields=fields,
                     primary_field_id=f"fld_{primary}" if primary else None)


LEAD = make_object(
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
    renamed = make_object(FieldDef(id="fld_name", name="full_name", label="Full name",
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
    (make_object(field("n", "number"), field("t"), primary="n"), {"fld_n": 12.0}, "12"),
    (make_object(field("t"), field("flag", "boolean"), primary="flag"), {"fld_flag": False},
     "false"),
    (make_object(field("tags", "multi_select", {"options": [{"value": "a", "label": "A"}]}),
                 primary="tags"), {"fld_tags": ["a", "b"]}, "a, b"),
    (make_object(field("email", "email")), {"fld_email": "a@example.com"}, None),  # no text
    (make_object(field("t"), primary="gone"), {"fld_t": "x", "fld_gone": "y"}, "x"),
])
def test_primary_value(obj, stored, expected):
    assert RecordValidator(obj).primary_value(stored) == expected


def test_validator_for_memoises_per_snapshot():
    snapshot = Snapshot(tenant_id="wsp_1", version=1, objects=(LEAD,))
    first = validator_for(snapshot, LEAD)
    assert isinstance(first, RecordValidator) and validator_for(snapshot, LEAD) is first
    newer = Snapshot(tenant_id="wsp_1", version=2, objects=(LEAD,))
    assert validator_for(newer, LEAD) is not first
