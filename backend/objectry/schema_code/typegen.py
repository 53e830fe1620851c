"""Client types from a schema document, for rows as the data API (/rest/v1) returns them:
TypeScript shaped like `supabase gen types typescript` (a `Database` type that supabase-js's
`createClient<Database>` reads), and Python TypedDicts. Pure: no I/O.

Each object is a table under its `name` and, when it has one, its `plural_name` (the data API
answers to both). Row: system columns, then every attached field, `| null` (a record may hold
no value). Insert/Update: the fields a client may write — computed and autonumber fields are
left out (a write of them is refused) — required ones (without a default) required in Insert
and never null.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from objectry.fields.computed import SERVER_MADE

# A field type's value as the data API returns it: (TypeScript, Python).
_SCALARS = {
    **dict.fromkeys(("text", "long_text", "rich_text", "email", "phone", "url", "date",
                     "datetime"), ("string", "str")),
    **dict.fromkeys(("number", "currency", "percent"), ("number", "float")),
    "rating": ("number", "int"),
    "boolean": ("boolean", "bool"),
    "json": ("Json", "Json"),
}
_RESULTS = {"text": ("string", "str"), "number": ("number", "float"),
            "boolean": ("boolean", "bool"), "date": ("string", "str"),
            "datetime": ("string", "str")}
SYSTEM = (("id", ("string", "str")), ("primary_value", ("string | null", "str | None")),
          ("created_at", ("string", "str")), ("updated_at", ("string", "str")),
          ("version", ("number", "int")), ("created_by", ("string | null", "str | None")),
          ("updated_by", ("string | null", "str | None")))


@dataclass(frozen=True)
class Column:
    name: str
    ts: str
    py: str
    writable: bool
    required: bool  # in an insert


def _config(obj_field: dict[str, Any], field: dict[str, Any]) -> dict[str, Any]:
    overrides = obj_field.get("field_overrides") or {}
    return {**field.get("config", {}), **(overrides.get("config") or {})}


def _options(config: dict[str, Any]) -> tuple[str, str] | None:
    values = [str(o["value"]) for o in config.get("options", []) if "value" in o]
    if not values:
        return None
    return (" | ".join(json.dumps(v) for v in values),
            f"Literal[{', '.join(repr(v) for v in values)}]")


class _Types:
    """Resolves each field's value type; lookups and rollups through the relationships."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.fields = {f["name"]: f for f in document["fields"]}
        self.objects = {o["name"]: o for o in document["objects"]}
        self.relationships = {r["name"]: r for r in document["relationships"]}

    def of(self, obj: dict[str, Any], attached: dict[str, Any], depth: int = 0
           ) -> tuple[str, str]:
        field = self.fields[attached["field"]]
        config, kind = _config(attached, field), field["type"]
        if kind in ("select", "multi_select"):
            one = _options(config) or ("string", "str")
            return one if kind == "select" else (f"({one[0]})[]", f"list[{one[1]}]")
        if kind == "formula":
            return _RESULTS.get(config.get("result_type", ""), ("Json", "Json"))
        if kind == "autonumber":
            text = "prefix" in config or "digits" in config
            return ("string", "str") if text else ("number", "int")
        if kind in ("lookup", "rollup"):
            return self._linked(obj, kind, config, depth)
        if kind == "number" and config.get("integer"):
            return ("number", "int")
        return _SCALARS.get(kind, ("Json", "Json"))

    def _linked(self, obj: dict[str, Any], kind: str, config: dict[str, Any], depth: int
                ) -> tuple[str, str]:
        function = config.get("function")
        if kind == "rollup" and function in ("count", "sum", "avg"):
            return ("number", "float")
        target = self._target(obj, config)
        if target is None or depth > 3:
            return ("Json[]", "list[Json]") if kind == "lookup" else ("Json", "Json")
        ts, py = self.of(*target, depth=depth + 1)
        return (f"({ts})[]", f"list[{py}]") if kind == "lookup" else (ts, py)

    def _target(self, obj: dict[str, Any], config: dict[str, Any]
                ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        rel = self.relationships.get(config.get("relationship", ""))
        if rel is None:
            return None
        other = self.objects.get(rel["to_object"] if rel["from_object"] == obj["name"]
                                 else rel["from_object"])
        found = [a for a in (other or {}).get("fields", []) if a["field"] == config.get("field")]
        return (other, found[0]) if other and found else None

    def columns(self, obj: dict[str, Any]) -> list[Column]:
        out = []
        for attached in obj["fields"]:
            field = self.fields[attached["field"]]
            ts, py = self.of(obj, attached)
            writable = field["type"] not in SERVER_MADE and not attached.get("is_readonly")
            required = attached.get("is_required", False) and \
                "default" not in _config(attached, field)
            out.append(Column(attached["field"], ts, py, writable, writable and required))
        return out


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def typescript(document: dict[str, Any]) -> str:
    types = _Types(document)
    lines = ["// Generated by `objectry gen types --lang typescript`: do not edit.",
             "export type Json =", "  | string", "  | number", "  | boolean", "  | null",
             "  | { [key: string]: Json | undefined }", "  | Json[]", ""]
    tables = []
    for obj in document["objects"]:
        columns, name = types.columns(obj), pascal(obj["name"])
        lines += [f"export type {name}Table = {{", "  Row: {"]
        lines += [f"    {col}: {ts}" for col, (ts, _) in SYSTEM]
        lines += [f"    {c.name}: {c.ts} | null" for c in columns]
        lines += ["  }", "  Insert: {"]
        lines += [f"    {c.name}: {c.ts}" if c.required else f"    {c.name}?: {c.ts} | null"
                  for c in columns if c.writable]
        lines += ["  }", "  Update: {"]
        lines += [f"    {c.name}?: {c.ts}{'' if c.required else ' | null'}"
                  for c in columns if c.writable]
        lines += ["  }", "  Relationships: []", "}", ""]
        tables.append(f"      {obj['name']}: {name}Table")
        if obj.get("plural_name") and obj["plural_name"] != obj["name"]:
            tables.append(f"      {obj['plural_name']}: {name}Table")
    empty = "{ [_ in never]: never }"
    lines += ["export type Database = {", "  public: {", "    Tables: {", *tables, "    }",
              f"    Views: {empty}", f"    Functions: {empty}", f"    Enums: {empty}",
              f"    CompositeTypes: {empty}", "  }", "}", "",
              'type PublicTables = Database["public"]["Tables"]',
              'export type Tables<T extends keyof PublicTables> = PublicTables[T]["Row"]',
              'export type TablesInsert<T extends keyof PublicTables> = PublicTables[T]["Insert"]',
              'export type TablesUpdate<T extends keyof PublicTables> = PublicTables[T]["Update"]',
              ""]
    return "\n".join(lines)


def python(document: dict[str, Any]) -> str:
    types = _Types(document)
    lines = ['"""Generated by `objectry gen types --lang python`: do not edit."""', "",
             "from __future__ import annotations", "",
             "from typing import Any, Literal, Required, TypedDict", "",
             "Json = Any", ""]
    for obj in document["objects"]:
        columns, name = types.columns(obj), pascal(obj["name"])
        row = [f"    {col!r}: {py}," for col, (_, py) in SYSTEM]
        row += [f"    {c.name!r}: {c.py} | None," for c in columns]
        insert = [f"    {c.name!r}: Required[{c.py}]," if c.required
                  else f"    {c.name!r}: {c.py} | None," for c in columns if c.writable]
        update = [f"    {c.name!r}: {c.py}{'' if c.required else ' | None'},"
                  for c in columns if c.writable]
        # The functional form: a field may be named like a Python keyword (`from`, `class`).
        lines += [f"{name}Row = TypedDict({name + 'Row'!r}, {{", *row, "})", "",
                  f"{name}Insert = TypedDict({name + 'Insert'!r}, {{", *insert,
                  "}, total=False)", "",
                  f"{name}Update = TypedDict({name + 'Update'!r}, {{", *update,
                  "}, total=False)", ""]
    return "\n".join(lines) + "\n"


GENERATORS = {"typescript": typescript, "python": python}
