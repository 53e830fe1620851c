"""English plurals for objects created without them (Company → Companies / companies), so the
data API answers at /rest/v1/<plural> for objects made in the admin."""

from __future__ import annotations

import re

import inflection

from objectry.metadata.schemas import ObjectCreate

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def plural_name(name: str) -> str | None:
    """The plural of a snake_case name's last word; None when it would not be a valid name."""
    plural = inflection.pluralize(name)
    return plural if _NAME.match(plural) else None


def plural_label(label: str) -> str | None:
    """The plural of a label's last word, its case kept (Sales Opportunity → … Opportunities)."""
    plural = inflection.pluralize(label)
    return plural if len(plural) <= 200 else None


def filled(body: ObjectCreate) -> ObjectCreate:
    """POST /api/objects: the plurals the body leaves out, derived from its name and label."""
    missing = {k for k in ("plural_name", "plural_label") if k not in body.model_fields_set}
    if not missing:
        return body
    derived = {"plural_name": plural_name(body.name), "plural_label": plural_label(body.label)}
    return body.model_copy(update={k: derived[k] for k in missing})
