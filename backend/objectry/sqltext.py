"""The one module that turns names into SQL text: literals, quoted identifiers, the casts values
are compared under, and a field's value expression.

The query compiler (records/query) and field-index DDL (metadata/indexes.py) both write a
field's expression here, so an index and the filters that should use it are the same text.
Only names from metadata or from the code's own tables pass through here (field ids, field
names, output labels); request values are always bound as `$n` parameters instead.
"""

from __future__ import annotations

# The casts a value is compared under: a field type's `sql_cast` (objectry.fields), or the type
# of a system column (records/query/types.py).
TEXT, NUMERIC, INTEGER, BOOLEAN = "text", "numeric", "integer", "boolean"
DATE, TIMESTAMPTZ, JSONB = "date", "timestamptz", "jsonb"
CASTS = frozenset({TEXT, NUMERIC, INTEGER, BOOLEAN, DATE, TIMESTAMPTZ, JSONB})

# text → date/timestamptz casts are only STABLE, which expression indexes refuse; these
# IMMUTABLE wrappers (created by the first migration) are safe because stored values are ISO
# 8601 (dates) and UTC with an offset (datetimes), read the same under any DateStyle/TimeZone.
# A SQL function is not inlined when its body is less than immutable, so each call costs ~4x
# the plain cast: only a field with an index, whose expression a query must repeat, uses them.
_IMMUTABLE_CASTS = {DATE: "objectry_date", TIMESTAMPTZ: "objectry_timestamptz"}


def literal(text: str) -> str:
    """A SQL string literal `'fld_x'`, quotes doubled; right under either backslash setting."""
    _check(text)
    quoted = "'" + text.replace("'", "''") + "'"
    if "\\" in text:
        # E'' strings read backslashes the same way under either server setting.
        return "E" + quoted.replace("\\", "\\\\")
    return quoted


def limit(rows: int) -> str:
    """` LIMIT 50`: a page's size as a literal, never a parameter. Given `LIMIT $n`,
    PostgreSQL's generic plan for a prepared statement assumes a tenth of the matching rows are
    wanted; once a filter matches more than ten pages that plan looks costlier than the page's
    own, and the statement is planned again on every run (tests/api/test_rest_index.py)."""
    return f" LIMIT {int(rows)}"


def ident(name: str) -> str:
    """A double-quoted identifier: `"_e0"`; quotes doubled."""
    _check(name)
    if not name or len(name.encode()) > 63:
        # PostgreSQL would silently truncate a longer name, so two names could collide.
        raise ValueError(f"not a usable identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def _check(text: str) -> None:
    if "\x00" in text:
        raise ValueError("NUL cannot appear in SQL text")


def field_expr(field_id: str, cast: str, alias: str | None, *, indexed: bool = True) -> str:
    """A field's value as compared and indexed: `(r.data ->> 'fld_x')::numeric`, text uncast
    (it compares with the column's collation), jsonb as `(r.data -> 'fld_x')`. With no alias
    this is exactly the expression a field index is built on; `indexed=False` (a field
    without an index) casts dates and datetimes directly."""
    data = f"{alias}.data" if alias else "data"
    key = literal(field_id)
    if cast == JSONB:
        return f"({data} -> {key})"
    raw = f"({data} ->> {key})"
    if cast == TEXT:
        return raw
    if indexed and cast in _IMMUTABLE_CASTS:
        return f"{_IMMUTABLE_CASTS[cast]}{raw}"
    return f"{raw}::{cast}"
