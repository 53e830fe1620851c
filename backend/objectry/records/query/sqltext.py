"""The one module that turns names into SQL text: string literals and quoted identifiers.

Only names from metadata or from the compiler's own tables pass through here (field ids, field
names, output labels); request values are always bound as `$n` parameters instead.
"""

from __future__ import annotations


def literal(text: str) -> str:
    """A SQL string literal `'fld_x'`, quotes doubled; right under either backslash setting."""
    _check(text)
    quoted = "'" + text.replace("'", "''") + "'"
    if "\\" in text:
        # E'' strings read backslashes the same way under either server setting.
        return "E" + quoted.replace("\\", "\\\\")
    return quoted


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
