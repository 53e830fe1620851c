"""The schema document (`objectry-schema/1`): its shape, its normal form and its checks.

Every entry names things by name, never by id, so one document describes the same schema in
any workspace. `normal` gives the form both the export and the diff compare (defaults filled
in, lists in their stable order), so a document written by hand and the export of what it
made are equal when nothing differs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError

from objectry.errors import ValidationFailed, detail
from objectry.fields.registry import unknown_type
from objectry.metadata.schemas import (
    ApplicationCreate,
    Body,
    FieldCreate,
    Label,
    Name,
    ObjectFieldSettings,
    Text,
)
from objectry.records.views.schemas import FilterText, OrderText, ViewColumn, ViewType
from objectry.web.bodies import problems as shape_problems

FORMAT = "objectry-schema/1"
Icon = Annotated[str, StringConstraints(max_length=100)]


class FieldEntry(FieldCreate):
    """A field of the library, as POST /api/fields takes it."""


class AttachedField(ObjectFieldSettings):
    """A field of the library attached to an object, with its settings on that object
    (`display_order` None: its place in the list)."""

    field: Name


class ObjectEntry(Body):
    name: Name
    label: Label
    plural_name: Name | None = None
    plural_label: Label | None = None
    description: Text | None = None
    icon: Icon | None = None
    primary_field: Name | None = None
    # Checked as the objects API checks them when applied (metadata/schemas.ObjectCreate).
    permissions: dict[str, list[str]] | None = None
    views: dict[str, Any] | list[Any] | None = None
    fields: list[AttachedField] = Field(default_factory=list)


class RelationshipEntry(Body):
    name: Name
    from_object: Name
    to_object: Name
    type: Literal["1:1", "1:N", "N:N"]
    from_label: Label
    to_label: Label
    on_delete: Literal["unlink", "cascade", "restrict"] = "unlink"


class ViewEntry(Body):
    """A shared view (personal views are their creator's, never in a document)."""

    object: Name
    name: Label
    type: ViewType = "grid"
    filter: FilterText = ""
    order: OrderText = ""
    fields: Annotated[list[ViewColumn], Field(max_length=500)] = Field(default_factory=list)
    group_by: Annotated[str, StringConstraints(max_length=200)] | None = None
    date_field: Annotated[str, StringConstraints(max_length=200)] | None = None


class ApplicationEntry(ApplicationCreate):
    """An application, as POST /api/applications takes it (its objects by name)."""


class Document(Body):
    format: Literal["objectry-schema/1"]
    fields: list[FieldEntry] = Field(default_factory=list)
    objects: list[ObjectEntry] = Field(default_factory=list)
    relationships: list[RelationshipEntry] = Field(default_factory=list)
    views: list[ViewEntry] = Field(default_factory=list)
    applications: list[ApplicationEntry] = Field(default_factory=list)


def view_key(view: dict[str, Any]) -> str:
    """How a document names a view: `object.name` (a view's name is unique only per object)."""
    return f"{view['object']}.{view['name']}"


def read(data: Any, prefix: str = "") -> dict[str, Any]:
    """A document from JSON: its shape (pydantic) then its references, every problem in one
    422 (paths under `prefix`); returned in normal form."""
    try:
        parsed = Document.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(shape_problems(exc, prefix)) from None
    return checked(parsed, prefix)


def checked(parsed: Document, prefix: str = "") -> dict[str, Any]:
    """A parsed document's references checked (every problem in one 422), in normal form."""
    document = parsed.model_dump(mode="json")
    problems = _reference_problems(document)  # before sorting: paths are the caller's
    if problems:
        raise ValidationFailed([{**p, "field": prefix + p["field"]} for p in problems])
    return normal(document)


def normal(document: dict[str, Any]) -> dict[str, Any]:
    """Sorted by name (views by object, then name; attached fields by display order), with a
    missing display order taken from the place in the list."""
    objects = []
    for obj in document["objects"]:
        attached = [{**a, "display_order": i if a["display_order"] is None else a["display_order"]}
                    for i, a in enumerate(obj["fields"])]
        objects.append({**obj, "fields": sorted(attached, key=lambda a: (a["display_order"],
                                                                           a["field"]))})
    return {"format": FORMAT,
            "fields": sorted(document["fields"], key=lambda e: e["name"]),
            "objects": sorted(objects, key=lambda e: e["name"]),
            "relationships": sorted(document["relationships"], key=lambda e: e["name"]),
            "views": sorted(document["views"], key=lambda e: (e["object"], e["name"])),
            "applications": sorted(document["applications"], key=lambda e: e["name"])}


def _duplicates(section: str, keys: list[str]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    problems = []
    for i, key in enumerate(keys):
        if key in seen:
            problems.append(detail(f"{section}.{i}.name", "duplicate", f"{key!r} is given twice"))
        seen.add(key)
    return problems


def _reference_problems(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Names that must be unique, names that must refer to something in the document, and
    field types that must exist (the documented enum: a diff must not show a field that no
    apply could make)."""
    fields = {f["name"] for f in doc["fields"]}
    objects = {o["name"] for o in doc["objects"]}
    problems = (_duplicates("fields", [f["name"] for f in doc["fields"]])
                + _duplicates("objects", [o["name"] for o in doc["objects"]])
                + _duplicates("relationships", [r["name"] for r in doc["relationships"]])
                + _duplicates("views", [view_key(v) for v in doc["views"]])
                + _duplicates("applications", [a["name"] for a in doc["applications"]]))
    problems += [p for i, f in enumerate(doc["fields"])
                 if (p := unknown_type(f["type"], f"fields.{i}.type")) is not None]
    for i, obj in enumerate(doc["objects"]):
        attached = [a["field"] for a in obj["fields"]]
        for j, name in enumerate(attached):
            if name not in fields:
                problems.append(detail(f"objects.{i}.fields.{j}.field", "not_found",
                                       f"no field {name!r} in the document's fields"))
            elif name in attached[:j]:
                problems.append(detail(f"objects.{i}.fields.{j}.field", "duplicate",
                                       f"{name!r} is attached twice to {obj['name']!r}"))
        if obj["primary_field"] is not None and obj["primary_field"] not in attached:
            problems.append(detail(f"objects.{i}.primary_field", "not_found",
                                   f"{obj['primary_field']!r} is not attached to {obj['name']!r}"))
    for i, rel in enumerate(doc["relationships"]):
        for end in ("from_object", "to_object"):
            if rel[end] not in objects:
                problems.append(detail(f"relationships.{i}.{end}", "not_found",
                                       f"no object {rel[end]!r} in the document's objects"))
    for i, view in enumerate(doc["views"]):
        if view["object"] not in objects:
            problems.append(detail(f"views.{i}.object", "not_found",
                                   f"no object {view['object']!r} in the document's objects"))
    for i, app in enumerate(doc["applications"]):
        for j, name in enumerate(app["config"].get("objects", [])):
            if name not in objects:
                problems.append(detail(f"applications.{i}.config.objects.{j}", "not_found",
                                       f"no object {name!r} in the document's objects"))
    return problems
