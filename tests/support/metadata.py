"""Metadata definitions for the pure tests: builders for fields and objects, and the small CRM
(contacts, companies, deals and their relationships) that the query compiler's tests share.

The CRM's objects are immutable and shared; a snapshot is built anew per test module (its
memo caches must not carry plans from one module to another).
"""

from __future__ import annotations

from typing import Any

from objectry.metadata.model import FieldDef, ObjectDef, RelationshipDef, Snapshot

TENANT = "wsp_t"

# Field configs the field-type golden tables share: a select's options, a JSON field's schema,
# a phone field's default region.
OPTIONS = {"options": [{"value": "red", "label": "Red"}, {"value": "green", "label": "Green"},
                       {"value": "blue", "label": "Blue"}]}
PERSON = {"schema": {"type": "object", "required": ["name"],
                     "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                     "additionalProperties": False}}
FR = {"default_region": "FR"}


def field(name: str, type_: str = "text", config: dict[str, Any] | None = None,
          **settings: Any) -> FieldDef:
    """A field `fld_<name>` labelled after its name; `settings` are FieldDef's flags
    (is_required, is_indexed, display_order…)."""
    return FieldDef(id=f"fld_{name}", name=name, label=name.title(), type=type_,
                    config=config or {}, **settings)


def object_def(*fields: FieldDef, name: str = "lead", id: str | None = None,
               primary: str | None = None, **settings: Any) -> ObjectDef:
    """An object `obj_<name>` (or `id`) holding `fields`; `primary` names its primary field."""
    return ObjectDef(id=id or f"obj_{name}", name=name, label=name.title(), fields=fields,
                     primary_field_id=f"fld_{primary}" if primary else None, **settings)


def snapshot(*objects: ObjectDef, relationships: tuple[RelationshipDef, ...] = (),
             version: int = 1) -> Snapshot:
    return Snapshot(TENANT, version, objects, relationships)


CONTACT = object_def(
    field("name"), field("email", "email"), field("age", "number"), field("active", "boolean"),
    field("born", "date", is_indexed=True), field("met", "datetime"),
    field("tags", "multi_select"), field("extra", "json"), field("bio", "long_text"),
    name="contact", plural_name="contacts")
COMPANY = object_def(field("cname"), name="company", plural_name="companies")
DEAL = object_def(field("title"), name="deal", plural_name="deals")

WORKS_AT = RelationshipDef("rel_works", "works_at", "1:N", "obj_company", "obj_contact",
                           "Employer", "Employees")
CONTACT_DEALS = RelationshipDef("rel_deals", "contact_deals", "N:N", "obj_contact", "obj_deal",
                                "Contacts", "Deals")
MANAGES = RelationshipDef("rel_mgr", "manages", "1:N", "obj_contact", "obj_contact", "Manager",
                          "Reports")
# A second path between contact and company: embedding `company` from a contact is ambiguous.
CEO_OF = RelationshipDef("rel_ceo", "ceo_of", "1:1", "obj_contact", "obj_company", "CEO",
                         "Led company")
CRM_RELATIONSHIPS = (WORKS_AT, CONTACT_DEALS, MANAGES)
