"""The field-type table (`REGISTRY`, by type name): a type by name, how its values compare in SQL
(`cast_of`, `operators_of`), and the checks for per-object overrides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from objectry.errors import Detail, detail
from objectry.fields import choice, computed, contact, numbers, structured, temporal, text
from objectry.fields.base import HEAVY_WORK, FieldType

REGISTRY: dict[str, FieldType] = {
    t.name: t
    for t in (*text.TYPES, *numbers.TYPES, *temporal.TYPES, *contact.TYPES, *choice.TYPES,
              *structured.TYPES, *computed.TYPES)
}

OVERRIDE_KEYS = ("label", "config")


def config_weight(*configs: Any) -> int:
    """What checking configs costs, roughly (µs): checking a JSON Schema may take seconds."""
    return HEAVY_WORK if any(isinstance(c, Mapping) and c.get("schema") is not None
                             for c in configs) else 0


class UnknownFieldType(KeyError):
    """A type name that is not in `REGISTRY`."""


def get(type_name: str) -> FieldType:
    """The field type called `type_name`; `UnknownFieldType` (a KeyError) if there is none."""
    try:
        return REGISTRY[type_name]
    except KeyError:
        raise UnknownFieldType(type_name) from None


def unknown_type(type_name: str, field: str = "type") -> Detail | None:
    """The problem with a field definition's `type` (at `field`), if it names no type."""
    if type_name in REGISTRY:
        return None
    return detail(field, "enum", "must be one of " + ", ".join(REGISTRY))


def cast_of(type_name: str) -> str:
    """The SQL cast a field of this type compares under (the compiler's filters and sorts, and
    field indexes). A type this registry does not know compares as text, so a field stored by
    another version of the code stays readable."""
    return REGISTRY.get(type_name, REGISTRY["text"]).sql_cast


def operators_of(type_name: str) -> frozenset[str]:
    """The PostgREST operators a filter on a field of this type may use (text's for a type this
    registry does not know, like `cast_of`)."""
    return REGISTRY.get(type_name, REGISTRY["text"]).operators


def merged_config(base_config: Mapping[str, Any],
                  overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """A field's config as one object sees it: the override keys replace the field's own.

    A null override unsets the key for that object (the type's default then applies).
    """
    return {**base_config, **((overrides or {}).get("config") or {})}


def validate_overrides(field_type: str, base_config: Mapping[str, Any], overrides: Any,
                       *, path: str = "field_overrides") -> list[Detail]:
    """Every problem with an object_field's `{"label"?, "config"?}` for a field of this type."""
    if not isinstance(overrides, Mapping):
        return [detail(path, "type", "must be an object")]
    problems = [detail(f"{path}.{key}", "unknown_key", f"unknown override {key!r}")
                for key in overrides if key not in OVERRIDE_KEYS]
    label, config = overrides.get("label"), overrides.get("config")
    if label is not None and not isinstance(label, str):
        problems.append(detail(f"{path}.label", "type", "must be a string"))
    elif label is not None and not label.strip():
        problems.append(detail(f"{path}.label", "min_length", "must not be empty"))
    if config is not None and not isinstance(config, Mapping):
        problems.append(detail(f"{path}.config", "type", "must be an object"))
    elif config:
        merged = merged_config(base_config, overrides)
        problems += get(field_type).validate_config(merged, path=f"{path}.config")
    return problems
