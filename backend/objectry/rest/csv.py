"""`Accept: text/csv` on /rest/v1, as PostgREST answers it: a header line of the selected column
names, then one line per row, `\\n` between lines and none after the last; each value written
as PostgreSQL writes a field of a row's text form (PostgREST takes each row's `::text` without
its parentheses): unquoted unless empty or holding `"`, `\\`, `,`, parentheses or white space,
inner `"` and `\\` doubled; NULL is nothing; booleans `t`/`f`; arrays `{a,b}`; JSON as text."""

from __future__ import annotations

import re
from typing import Any

import orjson

_QUOTE = re.compile(r'[",\\()\s]')


def _array(values: list[Any]) -> str:
    """PostgreSQL's array text form: `{a,"b c",NULL}`."""
    def element(v: Any) -> str:
        if v is None:
            return "NULL"
        text = _text(v)
        if text == "" or re.search(r'[",\\{}\s]', text) or text.upper() == "NULL":
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return text
    return "{" + ",".join(element(v) for v in values) + "}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return _array(value)
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def field(value: Any) -> str:
    if value is None:
        return ""
    text = _text(value)
    if text == "" or _QUOTE.search(text):
        return '"' + text.replace('"', '""').replace("\\", "\\\\") + '"'
    return text


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    """No row: an empty header line (PostgREST reads the names from the first row)."""
    names = list(rows[0]) if rows else []
    body = "\n".join(",".join(field(row.get(name)) for name in names) for row in rows)
    return f"{','.join(names)}\n{body}".encode()
