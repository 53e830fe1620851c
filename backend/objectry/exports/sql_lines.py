"""Export lines written by PostgreSQL: an export's statement wrapped so that each row comes back
as the text of its line, CSV or JSON Lines, and a worker only joins them. A worker that formats
50,000 contacts itself spends ~0.37 s of CPU holding the GIL that every other request of its
process waits for; joining the lines PostgreSQL wrote costs it ~0.02 s, and PostgreSQL ~0.14 s
to write them (bench/notes.md, "eleventh round").

CSV (`csv`): each cell is the text `formats.cell` gives the same JSON value, quoted as Python's
csv writer quotes (QUOTE_MINIMAL: a cell holding `,`, `"`, CR or LF is quoted, its quotes
doubled), so an export is the same bytes whichever writes it (tests/api/test_export_sql_lines.py
holds the two together). Values that nest (a JSON field's objects, a lookup's arrays of values)
are left to `formats.cell`, which renders them with orjson: an object with such a field is
formatted in Python (`csv_written_by_sql`).

JSON Lines (`jsonl`): each line is the record /api/records answers, as JSON text PostgreSQL
writes; the same JSON, not the same bytes (a nested value's `", "`, a number's digits as stored:
a parser reads the same values).
"""

from __future__ import annotations

import orjson

from objectry.metadata.computed import is_read_time
from objectry.metadata.model import FieldDef, ObjectDef
from objectry.sqltext import literal

NESTING = frozenset({"json", "lookup"})  # field types whose values may be objects or nested
# Field types whose every value is a string or a boolean, which `->>` gives as formats.cell does
# (validated on every write, and a type cannot change while a value is stored; a value of
# another JSON type, written into the table by hand, would come out as its JSON text).
AS_TEXT = frozenset({"text", "long_text", "rich_text", "email", "phone", "url", "select", "date",
                     "datetime", "boolean"})


def csv_written_by_sql(fields: tuple[FieldDef, ...]) -> bool:
    return not any(f.type in NESTING for f in fields)


def csv(statement: str, fields: tuple[FieldDef, ...]) -> str:
    """`statement` (a compiled read whose `data` is keyed by field id) as one column, `line`:
    the row's CSV line with its `\\r\\n`. Each value is taken out of `data` once, in a LATERAL
    subquery that OFFSET 0 keeps from being merged into the select list (which would take it
    out again for every branch that reads it): its text `s` (`->>`: a string unquoted, a
    number's decimal, true/false, NULL for null) and, unless the field's type says it is a
    string or a boolean, its JSON type `k` and, for an array, its elements joined `a`. (Each
    of those is a copy of the value out of `data`: ~0.15 µs a cell, a third of the cell.)"""
    values: list[str] = []
    cells: list[str] = []
    for i, field in enumerate(fields):
        value = f"q.data -> {literal(field.id)}"
        values.append(f"q.data ->> {literal(field.id)} AS s{i}")
        computed = is_read_time(field)
        if field.type in AS_TEXT and not computed:
            cells.append(f"coalesce({_quoted(f'x.s{i}')}, '')")
            continue
        joined = (f"(SELECT string_agg(coalesce({_element(computed)}, ''), ';' ORDER BY n) "
                  f"FROM jsonb_array_elements({value}) WITH ORDINALITY AS e (e, n))")
        values.append(f"jsonb_typeof({value}) AS k{i}" + (
            "" if computed else
            f", CASE WHEN jsonb_typeof({value}) = 'array' THEN {joined} END AS a{i}"))
        number = _number(f"x.s{i}::numeric") if computed else _stored(f"x.s{i}::numeric")
        array = "" if computed else f"WHEN 'array' THEN {_quoted(f'x.a{i}')} "
        cells.append(f"coalesce(CASE x.k{i} WHEN 'number' THEN {number} {array}"
                     f"ELSE {_quoted(f'x.s{i}')} END, '')")
    if not cells:
        return f"SELECT E'\\r\\n' AS line FROM ({statement}) q"
    if len(cells) == 1:  # csv writes a lone empty cell as "", or the line would be blank
        line = f"CASE WHEN {cells[0]} = '' THEN '\"\"' ELSE {cells[0]} END"
    else:
        line = " || ',' || ".join(cells)
    return (f"SELECT {line} || E'\\r\\n' AS line FROM ({statement}) q "
            f"CROSS JOIN LATERAL (SELECT {', '.join(values)} OFFSET 0) x")


def jsonl(statement: str, obj: ObjectDef) -> str:
    """`statement` (a compiled read of `obj` whose `data` is keyed by field id) as one column,
    `line`: the record as /api/records answers it (records/shape.py record_shaper), as JSON
    text, with its `\\n`. `data` holds the attached fields whose value is there (an explicit
    null too), in the stored order (by field id), each value taken out once (the LATERAL, as
    in `csv`) and written as jsonb writes it."""
    fields = sorted(obj.fields, key=lambda f: f.id)
    values = ", ".join(f"q.data -> {literal(f.id)} AS v{i}" for i, f in enumerate(fields))
    pairs = ", ".join(f"CASE WHEN x.v{i} IS NOT NULL THEN {_json_name(f.name)} || x.v{i}::text "
                      "END" for i, f in enumerate(fields))
    data = f"'{{' || concat_ws(',', {pairs}) || '}}'" if fields else "'{}'"
    constant = {"object_id": obj.id, "object": obj.name}
    record = " || ".join([
        "'{\"id\":' || to_json(q.id)::text",
        *(f"{_json_key(key)} || {literal(orjson.dumps(value).decode())}"
          for key, value in constant.items()),
        f"{_json_key('data')} || {data}",
        f"{_json_key('primary_value')} || {_json_or_null('q.primary_value')}",
        f"{_json_key('version')} || q.version::text",
        f"{_json_key('created_at')} || {_utc('q.created_at')}",
        f"{_json_key('updated_at')} || {_utc('q.updated_at')}",
        f"{_json_key('created_by')} || {_json_or_null('q.created_by')}",
        f"{_json_key('updated_by')} || {_json_or_null('q.updated_by')}", "'}'"])
    lateral = f" CROSS JOIN LATERAL (SELECT {values} OFFSET 0) x" if fields else ""
    return f"SELECT {record} || E'\\n' AS line FROM ({statement}) q{lateral}"


def _json_name(name: str) -> str:
    """`"name":` as a SQL literal."""
    return literal(f"{orjson.dumps(name).decode()}:")


def _json_key(name: str) -> str:
    """`,"name":` (`"id":` opens the record, so every other key follows a value)."""
    return literal(f",{orjson.dumps(name).decode()}:")


def _json_or_null(text: str) -> str:
    return f"coalesce(to_json({text})::text, 'null')"


def _utc(timestamp: str) -> str:
    """A timestamptz as orjson writes a UTC datetime (OPT_UTC_Z): seconds, then microseconds
    unless there are none, then `Z`."""
    utc = f"({timestamp} AT TIME ZONE 'UTC')"
    return (f"'\"' || to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            f"date_part('microseconds', {timestamp})::bigint % 1000000 = 0 THEN '' "
            f"ELSE to_char({utc}, '.US') END || 'Z\"'")


def _element(computed: bool) -> str:
    """formats.cell of an array's element `e` (unquoted: the joined text is quoted); an object
    or an array (not in the fields written here) is its JSON."""
    number = _number("(e #>> '{}')::numeric") if computed else _stored("(e #>> '{}')::numeric")
    return (f"CASE jsonb_typeof(e) WHEN 'number' THEN {number} WHEN 'array' THEN e::text "
            f"ELSE e #>> '{{}}' END")


def _stored(number: str) -> str:
    """A stored number as formats.cell writes it: its decimal without trailing zeros. Every
    stored number was written from a Python int or float (orjson: a float's shortest digits),
    so its decimal is the float's, without _number's round trip through float8 (half an
    export's database time for the bench's contacts)."""
    return f"trim_scale({number})::text"


def _number(number: str) -> str:
    """A computed number as formats.cell writes the one a worker decodes: an integer exactly;
    a fraction as the float it decodes to (orjson), in its shortest digits (float8's text, as
    Python's repr), as a decimal without trailing zeros. A computed 0.60000000000000008 is
    0.6000000000000001 here, as in the JSON API. Outside float8's range, the decimal."""
    return (f"CASE WHEN scale({number}) = 0 OR abs({number}) NOT BETWEEN 1e-300 AND 1e300 "
            f"THEN trim_scale({number})::text "
            f"ELSE trim_scale({number}::float8::text::numeric)::text END")


def _quoted(text: str) -> str:
    return (f"CASE WHEN {text} ~ '[\",\\r\\n]' "
            f"THEN '\"' || replace({text}, '\"', '\"\"') || '\"' ELSE {text} END")
