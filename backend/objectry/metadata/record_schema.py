"""What a record of an object may hold, compiled once per snapshot: each attached field's
cleaner and cleaned default (`compiled_fields`), and the JSON Schema of record data
(`json_schema`) that the schema endpoint publishes and records/validate.py enforces.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from objectry.errors import Detail, detail
from objectry.fields import ValueProblem, get, index_size
from objectry.fields.base import Cleaner, Weigher
from objectry.fields.computed import SERVER_MADE
from objectry.metadata.model import FieldDef, ObjectDef, Snapshot

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MISSING: Any = object()  # "no key", as opposed to an explicit null


@dataclass(frozen=True, slots=True)
class CompiledField:
    """What validating one field needs, resolved once: its cleaner and its cleaned default."""

    index: int
    id: str
    name: str
    required: bool
    readonly: bool
    clean: Cleaner
    default: Any = MISSING
    default_is_mutable: bool = False
    weigh: Weigher | None = None  # what cleaning a value costs, for the costly types
    computed: bool = False  # a read-time value (formula, lookup, rollup): any write is refused

    def fresh_default(self) -> Any:
        # A list/dict default must not be shared between the records it is stored in.
        return copy.deepcopy(self.default) if self.default_is_mutable else self.default

    def problem(self, code: str, message: str) -> tuple[int, Detail]:
        return self.index, detail(self.name, code, message)


def compiled_fields(snapshot: Snapshot, obj: ObjectDef) -> tuple[CompiledField, ...]:
    """The object's fields compiled, once per metadata snapshot."""
    return snapshot.memo("compiled_fields", obj, compile_fields)


def compile_fields(obj: ObjectDef) -> tuple[CompiledField, ...]:
    return tuple(compile_field(i, f) for i, f in enumerate(obj.fields))


def compile_field(index: int, field: FieldDef) -> CompiledField:
    field_type = get(field.type)
    try:
        clean, weigh = field_type.cleaner(field.config), field_type.weigher(field.config)
    except Exception as exc:  # noqa: BLE001 - any stored config that no longer compiles
        # A config saved before a newer check refused it (a pattern RE2 cannot run, a bound
        # that overflows…) must not break reads of the object: only values of it are refused.
        clean, weigh = unusable(exc), None
    if field.is_unique or field.is_indexed:
        clean = index_size.limited(clean)
    default = field.config.get("default")
    try:
        default = MISSING if default is None else clean(default)
    except ValueProblem:
        # Config validation refuses bad defaults; one made stale by a later override is ignored
        # rather than failing every write (a required field then reports "required").
        default = MISSING
    # Computed and server-assigned (autonumber) values are never the client's to write.
    server_made = field.type in SERVER_MADE
    readonly = field.is_readonly or server_made
    if server_made:
        default = MISSING
    return CompiledField(index, field.id, field.name, field.is_required, readonly,
                         clean, default, isinstance(default, (list, dict)), weigh,
                         field_type.computed)


def unusable(exc: Exception) -> Cleaner:
    message = f"the field's config can no longer be applied ({exc}); an admin must fix it"

    def refuse(value: Any) -> Any:
        raise ValueProblem("config", message[:300])

    return refuse


def json_schema(snapshot: Snapshot, obj: ObjectDef) -> dict[str, Any]:
    """The JSON Schema of the object's record data, once per metadata snapshot."""
    return snapshot.memo("json_schema", obj,
                         lambda o: object_schema(o, compiled_fields(snapshot, o)))


# Keywords of the built-in value schemas under which null can simply join the "type".
_PLAIN_KEYWORDS = frozenset({"type", "minLength", "maxLength", "pattern", "format", "minimum",
                             "maximum", "contentMediaType", "items", "uniqueItems", "minItems",
                             "maxItems"})


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema, also accepting null (an optional field's "no value")."""
    if not schema:
        return schema
    if isinstance(schema.get("type"), str) and schema.keys() <= _PLAIN_KEYWORDS:
        return {**schema, "type": [schema["type"], "null"]}
    if schema.keys() == {"enum"}:
        return {"enum": [*schema["enum"], None]}
    return {"anyOf": [schema, {"type": "null"}]}


def object_schema(obj: ObjectDef, fields: tuple[CompiledField, ...]) -> dict[str, Any]:
    """The JSON Schema of API `data` for create: what a client may and must send."""
    properties = {}
    for field, compiled in zip(obj.fields, fields, strict=True):
        value = get(field.type).value_schema(field.config)
        prop = dict(value if compiled.required and not compiled.readonly else nullable(value))
        prop["title"] = field.label
        if field.config.get("help_text"):
            prop["description"] = field.config["help_text"]
        if compiled.default is not MISSING:
            prop["default"] = compiled.default
        if compiled.readonly:
            prop["readOnly"] = True
        properties[field.name] = prop
    required = [f.name for f in fields
                if f.required and not f.readonly and f.default is MISSING]
    return {"$schema": SCHEMA_DIALECT, "type": "object", "properties": properties,
            "required": required, "additionalProperties": False}
