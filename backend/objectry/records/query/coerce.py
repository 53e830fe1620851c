"""Request text → the Python value a `$n` parameter is bound to, per cast; refuse the rest.

Everything that would make PostgreSQL raise on a cast is caught here (`22P02`, `22003`), so a
bad filter value is a 400 and the database never sees an invalid value.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from objectry.records.query.errors import QueryError, bad_value, syntax
from objectry.records.query.scan import Scanner
from objectry.sqltext import (
    BOOLEAN,
    DATE,
    INTEGER,
    JSONB,
    NUMERIC,
    TIMESTAMPTZ,
)

_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_INTEGER = re.compile(r"[+-]?[0-9]{1,10}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(?:Z|z|[+-][0-9:]+)?")
_SPACE_OFFSET = re.compile(r"(T[0-9:.]+) ([0-9]{2}(?::?[0-9]{2})?)$")  # '+' read as a space
_INT64 = (-(2**63), 2**63 - 1)
_PG_TYPE = {NUMERIC: "numeric", INTEGER: "integer", BOOLEAN: "boolean", DATE: "date",
            TIMESTAMPTZ: "timestamp with time zone", JSONB: "json"}
MAX_NUMERIC_DIGITS = 1000
MAX_JSON_DEPTH = 64


def text(raw: str) -> str:
    """Any text bound as a parameter: no NUL, valid UTF-8 (PostgreSQL refuses both)."""
    if "\x00" in raw:
        raise QueryError("22021", "invalid byte sequence for encoding \"UTF8\": 0x00")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError("22021", "a value is not valid UTF-8") from None
    return raw


def scalar(cast: str, raw: str) -> Any:
    """One value of a column of this cast, as its Python type (`Decimal`, `date`, …)."""
    reader = _READERS.get(cast)
    return text(raw) if reader is None else reader(text(raw))


def numeric(raw: str) -> Decimal:
    if not _NUMBER.fullmatch(raw.strip()):
        raise bad_value("numeric", raw)
    value = Decimal(raw.strip())
    digits = value.as_tuple().digits
    if len(digits) > MAX_NUMERIC_DIGITS or abs(value.adjusted()) > MAX_NUMERIC_DIGITS:
        raise QueryError("22003", f'value out of range for type numeric: "{raw[:40]}"')
    return value


def integer(raw: str) -> int:
    if not _INTEGER.fullmatch(raw.strip()):
        raise bad_value("integer", raw)
    value = int(raw)
    if not -(2**31) <= value < 2**31:
        raise QueryError("22003", f'value "{raw}" is out of range for type integer')
    return value


def boolean(raw: str) -> bool:
    word = raw.strip().lower()
    if word not in ("true", "false"):
        raise bad_value("boolean", raw)
    return word == "true"


def a_date(raw: str) -> date:
    try:
        if _DATE.fullmatch(raw.strip()):
            return date.fromisoformat(raw.strip())
    except ValueError:
        pass
    raise QueryError("22007", f'invalid input syntax for type date: "{raw[:40]}"',
                     hint="use YYYY-MM-DD")


def timestamptz(raw: str) -> datetime:
    """ISO 8601 with an offset; a bare date means midnight UTC. A `+` that URL decoding turned
    into a space (`10:00:00 02:00`) is read back as `+`."""
    value = _SPACE_OFFSET.sub(r"\1+\2", raw.strip())
    if _DATE.fullmatch(value):
        return datetime.combine(a_date(value), datetime.min.time(), UTC)
    try:
        if _DATETIME.fullmatch(value):
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                return _in_utc(parsed, raw)
            raise QueryError("22007", f'timestamp without a time zone offset: "{raw[:40]}"',
                             hint="add an offset such as Z or +02:00")
    except ValueError:
        pass
    raise QueryError("22007", f'invalid input syntax for type timestamp with time zone: '
                              f'"{raw[:40]}"', hint="use ISO 8601, e.g. 2026-11-21T10:00:00Z")


def _in_utc(parsed: datetime, raw: str) -> datetime:
    """The driver sends UTC: `0001-01-01T00:00:00+14:00` is a year Python cannot hold (and
    `9999-12-31T23:59:59-14:00` one past its last), so it is refused here, not in the driver."""
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise QueryError("22008", f'timestamp out of range: "{raw[:40]}"',
                         hint="use a time between 0001-01-01 and 9999-12-31 in UTC") from None


def json_value(raw: str) -> Any:
    """A JSON document, refused if PostgreSQL or the pool's encoder could not take it."""
    def no_constant(name: str) -> Any:
        raise ValueError(name)

    def checked_int(digits: str) -> int:
        number = int(digits)
        if not _INT64[0] <= number <= _INT64[1]:
            raise ValueError(digits)
        return number

    def checked_float(digits: str) -> float:
        number = float(digits)
        if number in (float("inf"), float("-inf")):
            raise ValueError(digits)
        return number

    try:
        value = json.loads(text(raw), parse_constant=no_constant, parse_int=checked_int,
                           parse_float=checked_float)
        if _checked_depth(value) > MAX_JSON_DEPTH:
            raise ValueError("too deep")
    except (ValueError, RecursionError):
        raise bad_value("json", raw) from None
    return value


def contains_value(raw: str, strings_only: bool) -> Any:
    """cs/cd: a JSON value, or a PostgreSQL array literal `{a,"b c"}` read as a JSON array."""
    stripped = raw.strip()
    try:
        value = json_value(stripped)
    except QueryError:
        if not stripped.startswith("{") or _parses(stripped):
            raise  # JSON, but not a value PostgreSQL can take (a lone surrogate, too deep)
        value = pg_array(stripped)
    if value == {}:
        value = []  # `cs.{}`: the empty array literal, not an empty object
    if strings_only and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise QueryError("22P02", f'expecting a list of values like {{a,b}}: "{raw[:40]}"')
    return value


def _parses(raw: str) -> bool:
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return True


def strings(raw: str) -> list[str]:
    """ov: `{a,b}` or `["a","b"]`, a list of strings."""
    value = contains_value(raw, strings_only=True)
    return [text(item) for item in value]


def pg_array(raw: str) -> list[str]:
    """A one-dimensional PostgreSQL array literal of texts: `{a,"b,c",d}`."""
    s = Scanner(raw.strip(), "array value")
    s.expect("{")
    items: list[str] = []
    if s.eat("}"):
        return items
    while True:
        s.skip_spaces()
        if s.peek() == "{":
            raise s.fail("nested arrays are not supported")
        items.append(text(s.quoted() if s.peek() == '"' else s.until(",}").strip()))
        s.skip_spaces()
        if not s.eat(","):
            s.expect("}")
            s.end()
            return items


def like_pattern(raw: str) -> str:
    """PostgREST lets `*` stand for `%` (a literal `%` is awkward in a URL). A pattern ending in
    an unescaped `\\` is refused here: PostgreSQL raises only when some row's text reaches the
    end of the pattern, so its error would depend on which rows exist (22025, as it says)."""
    pattern = text(raw).replace("*", "%")
    if (len(pattern) - len(pattern.rstrip("\\"))) % 2:
        raise QueryError("22025", "LIKE pattern must not end with escape character",
                         hint="a literal backslash is written \\\\ in a pattern")
    return pattern


def escape_like(raw: str) -> str:
    """User text made literal inside a LIKE pattern (backslash is LIKE's default escape)."""
    return text(raw).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_TSQ = re.compile(r"\s*(?:(?P<op>&|\||<->|<[0-9]{1,4}>)|(?P<not>!)|(?P<open>\()|(?P<close>\))"
                  r"|(?P<word>(?:'(?:[^'\\]|'')+'|[^\s&|!()<>:'\\]+)(?::[*a-dA-D]+)?))")


def tsquery(raw: str) -> str:
    """Check to_tsquery's syntax here: PostgreSQL would answer a malformed query with a
    syntax error, which is not a 400 there. Deliberately strict (no backslashes)."""
    source, pos, depth, want_operand = text(raw), 0, 0, True
    while source[pos:].strip():
        token = _TSQ.match(source, pos)
        if token is None:
            break
        kind, pos = token.lastgroup, token.end()
        if want_operand and kind in ("not", "open"):
            depth += kind == "open"
        elif want_operand and kind == "word":
            want_operand = False
        elif not want_operand and kind == "op":
            want_operand = True
        elif not want_operand and kind == "close" and depth > 0:
            depth -= 1
        else:
            break
        if depth > 32:
            break
    else:
        if not want_operand and depth == 0:
            return source
    raise syntax(f'invalid text search query: "{source[:40]}"',
                 hint="words joined by & | <-> with ! and ( ); or use plfts / wfts for plain text")


def _checked_depth(value: Any) -> int:
    """Nesting depth of a JSON value, without recursion. Its strings and keys must be text
    PostgreSQL can hold: JSON may escape a lone surrogate (`"\\ud800"`), which no UTF-8 can
    carry, so the driver would fail to send it (ValueError, a 400 to the caller)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        if isinstance(item, str):
            _utf8(item)
        elif isinstance(item, dict):
            stack.extend((key, level) for key in item)
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


def _utf8(value: str) -> None:
    if "\x00" in value:
        raise ValueError("NUL")
    value.encode("utf-8")  # UnicodeEncodeError is a ValueError


def pg_type(cast: str) -> str:
    return _PG_TYPE.get(cast, cast)


_READERS = {NUMERIC: numeric, INTEGER: integer, BOOLEAN: boolean, DATE: a_date,
            TIMESTAMPTZ: timestamptz, JSONB: json_value}
