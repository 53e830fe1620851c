"""Request bodies of the metadata API, validated by pydantic (unknown keys are refused)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from objectry.fields.caps import json_problem
from objectry.fields.registry import REGISTRY


def capped(value: Any) -> Any:
    """JSON stored as given (views, configs…): at most 32 levels deep and 1 MB encoded, so
    that it can be stored and served (orjson gives up at 255 levels)."""
    problem = json_problem(value, scalars=False)
    if problem is not None:
        raise PydanticCustomError(*problem)
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(capped)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
# Stripped before its length is checked: it needs a character that is not white space.
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
                 Field(json_schema_extra={"pattern": r"\S"})]
Text = Annotated[str, StringConstraints(max_length=5000)]
# Checked by the field service (its message lists the types); the enum documents them.
TypeName = Annotated[str, Field(json_schema_extra={"enum": sorted(REGISTRY)})]
RIGHTS = {"read", "create", "update", "delete"}
ROLE_NAMES = {"owner", "admin", "editor", "viewer"}


def _whole(value: Any) -> Any:
    """JSON Schema's integer: 3.0 is one (strict pydantic would refuse it)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Order = Annotated[int, BeforeValidator(_whole), Field(ge=0, le=100_000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _check_permissions(value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
    if value is None:
        return value
    for role, rights in value.items():
        if role not in ROLE_NAMES:
            raise ValueError(f"unknown role {role!r}; roles are {sorted(ROLE_NAMES)}")
        if not set(rights) <= RIGHTS:
            raise ValueError(f"rights must be among {sorted(RIGHTS)}")
    return value


class ObjectCreate(Body):
    name: Name
    label: Label
    plural_name: Name | None = None
    plural_label: Label | None = None
    description: Text | None = None
    icon: Annotated[str, StringConstraints(max_length=100)] | None = None
    primary_field_id: str | None = None
    permissions: Annotated[dict[str, list[str]], AfterValidator(capped), Field(
        json_schema_extra={"propertyNames": {"enum": sorted(ROLE_NAMES)},
                           "additionalProperties": {"type": "array",
                                                    "items": {"enum": sorted(RIGHTS)}}})
    ] | None = None
    views: Annotated[dict[str, Any] | list[Any], AfterValidator(capped)] | None = None

    _permissions = field_validator("permissions")(_check_permissions)


class ObjectUpdate(ObjectCreate):
    name: Name = None  # type: ignore[assignment]
    label: Label = None  # type: ignore[assignment]


class FieldCreate(Body):
    name: Name
    label: Label
    type: TypeName
    config: JsonObject = Field(default_factory=dict)
    description: Text | None = None
    category: Annotated[str, StringConstraints(max_length=100)] | None = None


# {"old option value": "new option value" | null}: how a config change rewrites stored values
# of a select/multi_select field (metadata/option_map.py).
OptionMap = Annotated[dict[str, str | None], Field(max_length=1000)]


class FieldUpdate(FieldCreate):
    name: Name = None  # type: ignore[assignment]
    label: Label = None  # type: ignore[assignment]
    type: TypeName = None  # type: ignore[assignment]
    config: JsonObject = None  # type: ignore[assignment]
    option_map: OptionMap | None = None


class ObjectFieldSettings(Body):
    display_order: Order | None = None
    is_required: bool = False
    is_visible: bool = True
    is_readonly: bool = False
    is_unique: bool = False
    is_indexed: bool = False
    field_overrides: JsonObject = Field(default_factory=dict)


class ObjectFieldCreate(ObjectFieldSettings):
    object_id: str
    field_id: str


class ObjectFieldUpdate(Body):
    display_order: Order = None  # type: ignore[assignment]
    is_required: bool = None  # type: ignore[assignment]
    is_visible: bool = None  # type: ignore[assignment]
    is_readonly: bool = None  # type: ignore[assignment]
    is_unique: bool = None  # type: ignore[assignment]
    is_indexed: bool = None  # type: ignore[assignment]
    field_overrides: JsonObject = None  # type: ignore[assignment]
    option_map: OptionMap | None = None


class FieldAndAttach(FieldCreate, ObjectFieldSettings):
    """POST /api/objects/{id}/fields: a new field and its settings on the object in one step."""


class RelationshipCreate(Body):
    name: Name
    from_object_id: str
    to_object_id: str
    type: Literal["1:1", "1:N", "N:N"]
    from_label: Label
    to_label: Label
    on_delete: Literal["unlink", "cascade", "restrict"] = "unlink"


class RelationshipUpdate(Body):
    name: Name = None  # type: ignore[assignment]
    from_label: Label = None  # type: ignore[assignment]
    to_label: Label = None  # type: ignore[assignment]
    on_delete: Literal["unlink", "cascade", "restrict"] = None  # type: ignore[assignment]


class LinkCreate(Body):
    relationship_id: str
    from_record_id: str
    to_record_id: str
    relationship_metadata: JsonObject | None = None


class ApplicationConfig(Body):
    objects: list[str] = Field(default_factory=list)
    navigation: list[Any] = Field(default_factory=list)
    model_config = ConfigDict(extra="allow", strict=True)


class ApplicationCreate(Body):
    name: Name
    label: Label
    description: Text | None = None
    icon: Annotated[str, StringConstraints(max_length=100)] | None = None
    config: ApplicationConfig = Field(default_factory=ApplicationConfig)

    # Before the model reads it: its extra keys are any JSON.
    _config = field_validator("config", mode="before")(capped)


class ApplicationUpdate(ApplicationCreate):
    name: Name = None  # type: ignore[assignment]
    label: Label = None  # type: ignore[assignment]
    config: ApplicationConfig = None  # type: ignore[assignment]
