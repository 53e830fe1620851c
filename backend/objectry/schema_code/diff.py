"""What it takes to go from one schema document to another: a list of changes in the order an
apply makes them (deletes first, dependents before what they depend on; then creates and
updates, what is depended on first). Pure: no I/O."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from objectry.schema_code.document import view_key

KINDS = ("field", "object", "object_field", "relationship", "view", "application")
# What an object entry says about the object itself; its attached fields are changes of their own.
_OBJECT_OWN = ("name", "label", "plural_name", "plural_label", "description", "icon",
               "primary_field", "permissions", "views")
# What a relationship cannot change in place: a new one replaces it (its links go).
_RELATIONSHIP_IDENTITY = ("from_object", "to_object", "type")


@dataclass(frozen=True)
class Change:
    op: str  # "create" | "update" | "delete"
    kind: str  # one of KINDS
    name: str  # an attached field `object.field`, a view `object.name`
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    destructive: bool

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        return {k: v for k, v in out.items() if v is not None or k not in ("before", "after")}


def entries(document: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Each kind's entries by name."""
    attached = {f"{o['name']}.{a['field']}": {"object": o["name"], **a}
                for o in document["objects"] for a in o["fields"]}
    return {
        "field": {f["name"]: f for f in document["fields"]},
        "object": {o["name"]: {k: o[k] for k in _OBJECT_OWN} for o in document["objects"]},
        "object_field": attached,
        "relationship": {r["name"]: r for r in document["relationships"]},
        "view": {view_key(v): v for v in document["views"]},
        "application": {a["name"]: a for a in document["applications"]},
    }


def diff(current: dict[str, Any], desired: dict[str, Any]) -> list[Change]:
    have, want = entries(current), entries(desired)
    gone_objects = set(have["object"]) - set(want["object"])
    replaced = {name for name, rel in want["relationship"].items()
                if name in have["relationship"] and any(
                    rel[k] != have["relationship"][name][k] for k in _RELATIONSHIP_IDENTITY)}
    deletes: list[Change] = []
    for kind in ("application", "view", "object_field", "relationship", "object", "field"):
        for name, before in sorted(have[kind].items()):
            if kind in ("view", "object_field") and before["object"] in gone_objects:
                continue  # they go with their object
            if name not in want[kind] or (kind == "relationship" and name in replaced):
                deletes.append(Change("delete", kind, name, before, None, True))
    upserts: list[Change] = []
    for kind in ("object", "field", "relationship", "object_field", "view", "application"):
        for name, after in sorted(want[kind].items()):
            had = have[kind].get(name)
            if had is None or (kind == "relationship" and name in replaced):
                upserts.append(Change("create", kind, name, None, after, False))
            elif had != after:
                retyped = kind == "field" and had["type"] != after["type"]
                upserts.append(Change("update", kind, name, had, after, retyped))
    return deletes + upserts
