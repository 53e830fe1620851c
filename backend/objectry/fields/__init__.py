"""Field types: one table of types, each validating its config, cleaning its values and saying
how they compare in SQL (the one source of casts and operators for the query compiler, field
indexes and the admin, through the schema endpoint).

    REGISTRY["email"].clean("Ann@Example.com", {})  # → "ann@example.com"
    cast_of("date"), operators_of("date")         # → "date", {"eq", "gt", "in", …}
"""

from objectry.fields.base import FieldType, ValueProblem
from objectry.fields.registry import (
    REGISTRY,
    UnknownFieldType,
    cast_of,
    get,
    merged_config,
    operators_of,
    validate_overrides,
)

__all__ = [
    "REGISTRY",
    "FieldType",
    "UnknownFieldType",
    "ValueProblem",
    "cast_of",
    "get",
    "merged_config",
    "operators_of",
    "validate_overrides",
]
