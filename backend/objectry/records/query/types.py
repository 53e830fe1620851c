"""Field type → SQL cast, and the system columns' casts: how values compare in SQL.

The compiler's own small table (the lead reconciles it with `objectry.fields` later). A cast
names a value family; `operators.py` says which operators each family accepts.
"""

from __future__ import annotations

from collections.abc import Mapping

from objectry.sqltext import BOOLEAN, DATE, INTEGER, JSONB, NUMERIC, TEXT, TIMESTAMPTZ

# How `r.data->>'fld_x'` (or `r.data->'fld_x'` for jsonb) is cast before it is compared.
FIELD_CASTS: Mapping[str, str] = {
    "text": TEXT, "long_text": TEXT, "rich_text": TEXT, "email": TEXT, "phone": TEXT,
    "url": TEXT, "select": TEXT,
    "number": NUMERIC, "currency": NUMERIC, "percent": NUMERIC, "rating": NUMERIC,
    "boolean": BOOLEAN,
    "date": DATE,
    "datetime": TIMESTAMPTZ,
    "multi_select": JSONB, "json": JSONB,
}

# System columns (API name, as in model.SYSTEM_COLUMNS) → the cast of the real column.
SYSTEM_CASTS: Mapping[str, str] = {
    "id": TEXT, "primary_value": TEXT, "created_at": TIMESTAMPTZ, "updated_at": TIMESTAMPTZ,
    "version": INTEGER, "created_by": TEXT, "updated_by": TEXT,
}

# Columns that are never NULL, so keyset conditions can skip their NULL branches.
NOT_NULL_SYSTEM = frozenset({"id", "created_at", "updated_at", "version"})

# Text search configurations shipped with PostgreSQL: the only ones `fts(config)` may name,
# so an unknown name is a 400 here rather than a database error.
FTS_CONFIGS = frozenset({
    "simple", "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english",
    "finnish", "french", "german", "greek", "hindi", "hungarian", "indonesian", "irish",
    "italian", "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian",
    "serbian", "spanish", "swedish", "tamil", "turkish", "yiddish",
})


def field_cast(type_name: str) -> str:
    """The cast for a field type; a type this table does not know compares as text."""
    return FIELD_CASTS.get(type_name, TEXT)
