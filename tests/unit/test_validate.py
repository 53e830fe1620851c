"""The record validator: create, update and replace; storage by id; the published schema."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from objectry.errors import ValidationFailed
from objectry.records.validate import RecordValidator
from tests.support.metadata import field, object_def

STATUS = {"options": [{"value": "new", "label": "New"}, {"value": "won", "label": "Won"}]}


LEAD = object_def(
    field("name", is_required=True, display_order=0),
    field("email", "email", display_order=1),
    field("phone", "phone", {"default_region": "FR"}, display_order=2),
    field("amount", "currency", {"currency_code": "EUR", "min": 0}, display_order=3),
    field("status", "select", {**STATUS, "default": "new"}, is_required=True),
    field("tags", "multi_select", {"options": [{"value": "a", "label": "A"},
                                               {"value": "b", "label": "B"}]}),
    field("seen", "datetime"),
    field("score", "rating", {"default": 3}, is_readonly=True),
)
V = RecordValidator(LEAD)


def problems(call, *args) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args)
    return [(d["field"], d["code"]) for d in caught.value.details]


# --- create -------------------------------------------------------------------------------

CREATE_OK = [
    ({"name": "Ann"}, {"fld_name": "Ann", "fld_status": "new", "fld_score": 3}),
    ({"name": "Ann", "email": "Ann@Example.COM", "phone": "01 42 68 53 00",
      "seen": "2026-11-21T11:00:00+01:00", "tags": ["b", "a"], "amount": 10.5,
      "status": "won"},
     {"fld_name": "Ann", "fld_email": "ann@example.com", "fld_phone": "+33142685300",
      "fld_seen": "2026-11-21T10:00:00Z", "fld_tags": ["b", "a"], "fld_amount": 10.5,
      "fld_status": "won", "fld_score": 3}),
    # null for an optional field is "no value"; null for a read-only one is not a change
    ({"name": "Ann", "email": None, "tags": None, "score": None},
     {"fld_name": "Ann", "fld_status": "new", "fld_score": 3}),
]


@pytest.mark.parametrize(("data", "stored"), CREATE_OK)
def test_create(data, stored):
    assert V.for_create(data) == stored


CREATE_BAD = [
    ({}, [("name", "required")]),
    ({"name": None}, [("name", "required")]),
    ({"name": "Ann", "status": None}, [("status", "required")]),  # explicit null beats default
    ({"name": "Ann", "score": 5}, [("score", "read_only")]),
    ({"name": "Ann", "bogus": 1}, [("bogus", "unknown_field")]),
    ({"name": "Ann", "id": "rec_1"}, [("id", "unknown_field")]),
    ({"name": "Ann", "Name": "x"}, [("Name", "unknown_field")]),
    ({"name": 5}, [("name", "type")]),
    ({"name": "x" * 256}, [("name", "max_length")]),
    ({"name": "Ann", "amount": -1}, [("amount", "minimum")]),
    ({"name": "Ann", "amount": 1.999}, [("amount", "precision")]),
    ({"name": "Ann", "status": "lost"}, [("status", "enum")]),
    ({"name": "Ann", "tags": ["a", "a"]}, [("tags", "unique_items")]),
    ({"name": "Ann", "seen": "2026-11-21T10:00:00"}, [("seen", "format")]),
    # every problem at once, in display order, unknown fields last in the order given
    ({"zzz": 1, "email": "nope", "phone": "12", "score": 1, "amount": "10", "aaa": 2},
     [("name", "required"), ("email", "format"), ("phone", "format"), ("amount", "type"),
      ("score", "read_only"), ("zzz", "unknown_field"), ("aaa", "unknown_field")]),
]


@pytest.mark.parametrize(("data", "expected"), CREATE_BAD)
def test_create_problems(data, expected):
    assert problems(V.for_create, data) == expected


def test_problems_carry_messages_and_a_count():
    with pytest.raises(ValidationFailed) as caught:
        V.for_create({"email": "nope"})
    assert caught.value.details == [
        {"field": "name", "code": "required", "message": "is required"},
        {"field": "email", "code": "format", "message": "not a valid email address"},
    ]
    assert caught.value.status == 422 and "2" in caught.value.message


@pytest.mark.parametrize("data", [None, [], "name", 5])
def test_data_must_be_an_object(data):
    assert problems(V.for_create, data) == [("", "type")]
    assert problems(V.for_update, data, {}) == [("", "type")]
    assert problems(V.for_replace, data, {}) == [("", "type")]


def test_defaults_are_cleaned_and_not_shared():
    obj = object_def(field("when", "datetime", {"default": "2026-11-21T11:00:00+01:00"}),
                     field("doc", "json", {"default": {"list": [1]}}),
                     field("mail", "email", {"default": "A@B.example.com"}))
    v = RecordValidator(obj)
    first, second = v.for_create({}), v.for_create({})
    assert first == {"fld_when": "2026-11-21T10:00:00Z", "fld_doc": {"list": [1]},
                     "fld_mail": "a@b.example.com"}
    first["fld_doc"]["list"].append(2)
    assert second["fld_doc"] == {"list": [1]} and v.for_create({})["fld_doc"] == {"list": [1]}


def test_a_stale_default_is_ignored_rather_than_blocking_writes():
    obj = object_def(field("status", "select", {**STATUS, "default": "gone"}, is_required=True))
    v = RecordValidator(obj)
    assert problems(v.for_create, {}) == [("status", "required")]
    assert v.for_create({"status": "won"}) == {"fld_status": "won"}


def test_required_read_only_field_without_default_does_not_block_create():
    v = RecordValidator(object_def(field("ref", is_required=True, is_readonly=True)))
    assert v.for_create({}) == {}


# --- update (PATCH) -----------------------------------------------------------------------

CURRENT = {"fld_name": "Ann", "fld_email": "ann@example.com", "fld_status": "new",
           "fld_score": 4, "fld_old": "detached value"}

UPDATE_OK = [
    ({}, CURRENT),
    ({"email": "BOB@example.com"}, {**CURRENT, "fld_email": "bob@example.com"}),
    ({"email": None}, {k: v for k, v in CURRENT.items() if k != "fld_email"}),
    ({"phone": None}, CURRENT),  # removing what is not there
    ({"tags": ["a"], "amount": 3}, {**CURRENT, "fld_tags": ["a"], "fld_amount": 3}),
    ({"score": 4}, CURRENT),  # the read-only value sent back unchanged
    ({"name": "Bea"}, {**CURRENT, "fld_name": "Bea"}),
]


@pytest.mark.parametrize(("patch", "stored"), UPDATE_OK)
def test_update(patch, stored):
    before = dict(CURRENT)
    assert V.for_update(patch, CURRENT) == stored
    assert before == CURRENT  # current is never modified


UPDATE_BAD = [
    ({"name": None}, [("name", "required")]),
    ({"status": None}, [("status", "required")]),
    ({"score": 5}, [("score", "read_only")]),
    ({"score": None}, [("score", "read_only")]),
    ({"old": "x"}, [("old", "unknown_field")]),  # detached fields are not writable
    ({"bogus": 1, "amount": -5, "name": ""}, [("amount", "minimum"), ("bogus", "unknown_field")]),
    ({"status": "lost", "name": 1, "email": "x"},
     [("name", "type"), ("email", "format"), ("status", "enum")]),
]


@pytest.mark.parametrize(("patch", "expected"), UPDATE_BAD)
def test_update_problems(patch, expected):
    assert problems(V.for_update, patch, CURRENT) == expected


def test_update_does_not_require_what_storage_already_lacks():
    assert V.for_update({"email": "c@example.com"}, {"fld_old": 1}) == {
        "fld_old": 1, "fld_email": "c@example.com"}


# --- replace (PUT) ------------------------------------------------------------------------

REPLACE_OK = [
    ({"name": "Bea"}, {"fld_name": "Bea", "fld_status": "new", "fld_score": 4,
                       "fld_old": "detached value"}),
    ({"name": "Bea", "status": "won", "score": 4, "email": None},
     {"fld_name": "Bea", "fld_status": "won", "fld_score": 4, "fld_old": "detached value"}),
    ({"name": "Ann", "email": "ann@example.com", "status": "new", "score": 4},
     CURRENT),  # a GET → PUT round trip changes nothing
]


@pytest.mark.parametrize(("data", "stored"), REPLACE_OK)
def test_replace(data, stored):
    assert V.for_replace(data, CURRENT) == stored


REPLACE_BAD = [
    ({}, [("name", "required")]),
    ({"name": "Bea", "status": None}, [("status", "required")]),
    ({"name": "Bea", "score": 1}, [("score", "read_only")]),
    ({"name": "Bea", "score": None}, [("score", "read_only")]),
    ({"name": "Bea", "old": "x"}, [("old", "unknown_field")]),
    ({"email": "x", "bogus": 1}, [("name", "required"), ("email", "format"),
                                  ("bogus", "unknown_field")]),
]


@pytest.mark.parametrize(("data", "expected"), REPLACE_BAD)
def test_replace_problems(data, expected):
    assert problems(V.for_replace, data, CURRENT) == expected


def test_replace_keeps_read_only_absence():
    assert V.for_replace({"name": "Bea"}, {"fld_name": "Ann"}) == {
        "fld_name": "Bea", "fld_status": "new"}


# --- the published JSON Schema ------------------------------------------------------------

def test_json_schema_shape():
    schema = V.json_schema
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == [f.name for f in LEAD.fields]
    assert schema["required"] == ["name"]  # status has a default, score is read-only
    assert schema["properties"]["name"] == {"type": "string", "maxLength": 255, "title": "Name"}
    assert schema["properties"]["email"]["type"] == ["string", "null"]
    assert schema["properties"]["status"] == {"enum": ["new", "won"], "title": "Status",
                                              "default": "new"}
    assert schema["properties"]["score"]["readOnly"] is True


def test_json_schema_descriptions_and_json_fields():
    obj = object_def(field("doc", "json", {"schema": {"type": "string", "const": "x"},
                                            "help_text": "A document"}))
    prop = RecordValidator(obj).json_schema["properties"]["doc"]
    assert prop == {"anyOf": [{"type": "string", "const": "x"}, {"type": "null"}],
                    "title": "Doc", "description": "A document"}


@pytest.mark.parametrize("data", [row[0] for row in CREATE_OK])
def test_json_schema_accepts_what_create_accepts(data):
    Draft202012Validator(V.json_schema).validate(data)


@pytest.mark.parametrize("data", [{}, {"name": "Ann", "bogus": 1}, {"name": None},
                                  {"name": "Ann", "status": "lost"}])
def test_json_schema_refuses_what_create_refuses(data):
    assert not Draft202012Validator(V.json_schema).is_valid(data)


def test_create_is_fast():
    # A smoke bound only (the real figure is ~5 µs plus ~20 µs per e-mail or phone value):
    # it catches a full jsonschema pass per record slipping into the hot path.
    import timeit

    data = {"name": "Ann", "amount": 10.5, "status": "won", "tags": ["a"],
            "seen": "2026-11-21T10:00:00Z"}
    seconds = min(timeit.repeat(lambda: V.for_create(data), number=200, repeat=3)) / 200
    assert seconds < 200e-6


# --- patch without the record (one-statement PATCH) ---------------------------------------

PATCHES = [
    {"email": "Bo@Example.com"}, {"email": None, "tags": ["a"]}, {"amount": 3, "seen": None},
    {"phone": "+33 1 42 68 53 00", "name": "Bo"}, {}, {"tags": None},
    # None: what needs the record (read-only) or is refused — the read path answers those
    {"score": 3}, {"score": 4}, {"name": None}, {"amount": -1}, {"nope": 1}, {"email": "x"},
]


@pytest.mark.parametrize("patch", PATCHES)
def test_a_patch_without_the_record_merges_as_for_update(patch):
    """for_patch's (sets, clears) applied to any record give for_update's data, or it declines
    (None) where for_update needs the record or refuses."""
    current = {"fld_name": "Ann", "fld_email": "ann@example.com", "fld_tags": ["b"],
               "fld_status": "new", "fld_score": 3, "fld_detached": 1}
    found = V.for_patch(patch)
    readonly = any(LEAD.fields_by_name[n].is_readonly for n in patch if n in LEAD.fields_by_name)
    try:
        expected = V.for_update(patch, current)
    except ValidationFailed:
        assert found is None
        return
    if readonly:
        assert found is None
        return
    assert found is not None
    sets, clears = found
    merged = {k: v for k, v in current.items() if k not in clears} | sets
    assert merged == expected
