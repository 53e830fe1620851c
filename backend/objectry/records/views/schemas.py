"""Request bodies of /api/views (pydantic; unknown keys are refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from objectry.metadata.schemas import Body, Label

ViewType = Literal["grid", "kanban", "calendar"]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# A PostgREST query-string fragment; long enough for any filter bar, short enough to plan fast.
FilterText = Annotated[str, StringConstraints(max_length=10_000)]
OrderText = Annotated[str, StringConstraints(max_length=2_000)]
Width = Annotated[int, Field(ge=20, le=2_000)]  # pixels


class ViewColumn(Body):
    name: FieldName
    width: Width | None = None  # None: the grid's default
    hidden: bool = False


class ViewCreate(Body):
    """`filter`, `order` and `fields` may be null: none (stored as "", "" and [])."""

    object: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    name: Label
    type: ViewType = "grid"
    filter: FilterText | None = ""
    order: OrderText | None = ""
    fields: Annotated[list[ViewColumn], Field(max_length=500)] | None = Field(
        default_factory=list)
    group_by: FieldName | None = None
    date_field: FieldName | None = None
    shared: bool = False


class ViewUpdate(Body):
    """Every key optional; `object` cannot change (a view belongs to its object)."""

    name: Label = None  # type: ignore[assignment]
    type: ViewType = None  # type: ignore[assignment]
    filter: FilterText | None = None
    order: OrderText | None = None
    fields: Annotated[list[ViewColumn], Field(max_length=500)] | None = None
    group_by: FieldName | None = None
    date_field: FieldName | None = None
    shared: bool = None  # type: ignore[assignment]
