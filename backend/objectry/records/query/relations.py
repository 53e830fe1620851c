"""Which relationship an embed name means, seen from one object, and how many rows it gives.

An embed name is, in this order of preference: a relationship's `name`; its label on the side
looked from (from the `from` object the related records are its `to_label`, from the `to`
object its `from_label`; a label also matches in slug form, "Works at" → `works_at`); or the
other object's name / plural_name. Several matches at one step is PostgREST's 300 PGRST201.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from objectry.metadata.model import ObjectDef, RelationshipDef, Snapshot
from objectry.records.query.errors import QueryError

Side = tuple[RelationshipDef, bool]  # (relationship, forward: looked at from its from-object)


def resolve(snapshot: Snapshot, parent: ObjectDef, name: str, hint: str | None = None) -> Side:
    sides = [side for side in _sides(snapshot, parent)
             if hint is None or hint in (side[0].name, side[0].id)]
    rules: tuple[Callable[[Snapshot, Side, str], bool], ...] = (_by_name, _by_label, _by_object)
    for rule in rules:
        found = [side for side in sides if rule(snapshot, side, name)]
        if rule is _by_name:
            # A self-relationship's name matches both ways: its name means the forward way.
            found = [s for s in found if s[1] or (s[0], True) not in found]
        if len(found) == 1:
            return found[0]
        if found:
            raise _ambiguous(parent, name, found)
    raise QueryError(
        "PGRST200", f"Could not find a relationship between '{parent.name}' and '{name}'"
        " in the schema cache",
        f"Searched for a relationship of '{parent.name}' named '{name}'"
        + (f" with the hint '{hint}'" if hint else "") + ", but no matches were found.",
        _suggest(snapshot, parent))


def to_many(relationship: RelationshipDef, forward: bool) -> bool:
    """From the from-object 1:N and N:N give many rows; from the to-object only N:N does."""
    if forward:
        return relationship.type in ("1:N", "N:N")
    return relationship.type == "N:N"


def cardinality(relationship: RelationshipDef, forward: bool) -> str:
    """PostgREST's words for a relationship seen from one side."""
    names = {"1:1": "one-to-one", "N:N": "many-to-many"}
    if relationship.type in names:
        return names[relationship.type]
    return "one-to-many" if forward else "many-to-one"


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def label_of(side: Side) -> str:
    """What the related records are called from this side."""
    relationship, forward = side
    return relationship.to_label if forward else relationship.from_label


def _sides(snapshot: Snapshot, parent: ObjectDef) -> list[Side]:
    sides = []
    for rel in snapshot.relationships_of(parent.id):
        for forward in (True, False):
            here, there = ((rel.from_object_id, rel.to_object_id) if forward
                           else (rel.to_object_id, rel.from_object_id))
            if here == parent.id and there in snapshot.objects_by_id:
                sides.append((rel, forward))
    return sides


def _other(snapshot: Snapshot, side: Side) -> ObjectDef:
    rel, forward = side
    return snapshot.objects_by_id[rel.to_object_id if forward else rel.from_object_id]


def _by_name(snapshot: Snapshot, side: Side, name: str) -> bool:
    return side[0].name == name


def _by_label(snapshot: Snapshot, side: Side, name: str) -> bool:
    label = label_of(side)
    return name in (label, slug(label))


def _by_object(snapshot: Snapshot, side: Side, name: str) -> bool:
    other = _other(snapshot, side)
    return name in (other.name, other.plural_name)


def _ambiguous(parent: ObjectDef, name: str, found: list[Side]) -> QueryError:
    rel_names = [rel.name for rel, _ in found]
    if len(set(rel_names)) == len(rel_names):
        options = [f"{name}!{rel_name}" for rel_name in rel_names]
    else:  # both ways of a self-relationship: only the labels tell them apart
        options = [slug(label_of(side)) for side in found]
    details = [{"cardinality": cardinality(rel, forward),
                "embedding": f"{parent.name} with {name}",
                "relationship": f"{rel.name} ({'forward' if forward else 'reverse'})"}
               for rel, forward in found]
    hint = ("Try changing '" + name + "' to one of the following: "
            + ", ".join(f"'{option}'" for option in options)
            + ". Find the desired relationship in the 'details' key.")
    return QueryError("PGRST201", "Could not embed because more than one relationship was found"
                      f" for '{parent.name}' and '{name}'", details, hint, status=300)


def _suggest(snapshot: Snapshot, parent: ObjectDef) -> str | None:
    names = sorted({slug(label_of(side)) for side in _sides(snapshot, parent)}
                   | {side[0].name for side in _sides(snapshot, parent)})
    if not names:
        return None
    return "Embeddable from here: " + ", ".join(names[:20])
