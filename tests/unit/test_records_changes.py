"""The change diff every update path writes to history, and history shown by field names."""

from __future__ import annotations

from objectry.metadata.model import FieldDef, ObjectDef
from objectry.records.changes import by_name, diff


def test_diff_pairs_old_and_new_of_every_changed_key() -> None:
    old = {"fld_a": 1, "fld_b": "same", "fld_c": "gone"}
    new = {"fld_a": 2, "fld_b": "same", "fld_d": "new"}
    assert diff(old, new) == {"fld_a": [1, 2], "fld_c": ["gone", None], "fld_d": [None, "new"]}
    assert diff(new, new) == {}


def test_history_is_shown_by_todays_names() -> None:
    obj = ObjectDef("obj_x", "x", "X", (FieldDef(id="fld_a", name="renamed", label="A",
                                                 type="text", config={}),))
    assert by_name(obj, {"fld_a": [1, 2], "fld_gone": [3, None]}) == {
        "renamed": [1, 2], "fld_gone": [3, None]}
    assert by_name(None, {"fld_a": [1, 2]}) == {"fld_a": [1, 2]}
