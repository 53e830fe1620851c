"""Field types: one table of types, each validating its config and cleaning its values.

    REGISTRY["email"].clean("Ann@Example.com", {})  # → "ann@example.com"
"""

from objectry.fields.base import FieldType, ValueProblem
from objectry.fields.registry import (
    REGISTRY,
    UnknownFieldType,
    get,
    merged_config,
    validate_overrides,
)

__all__ = [
    "REGISTRY",
    "FieldType",
    "UnknownFieldType",
    "ValueProblem",
    "get",
    "merged_config",
    "validate_overrides",
]
