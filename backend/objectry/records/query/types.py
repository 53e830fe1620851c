"""What the compiler knows about columns besides field types: the system columns' casts and
nullability, and the text search configurations `fts(config)` may name.

A field's cast and operators come from its type (`objectry.fields.cast_of` / `operators_of`); a
system column has a cast, and `objectry.fields.comparison.BY_CAST` says what it accepts.
"""

from __future__ import annotations

from collections.abc import Mapping

from objectry.sqltext import INTEGER, TEXT, TIMESTAMPTZ

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
