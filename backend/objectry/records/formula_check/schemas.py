"""The body of a formula check (pydantic; unknown keys are refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from objectry.metadata.schemas import Body

ResultType = Literal["text", "number", "boolean", "date", "datetime"]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class FormulaCheck(Body):
    """`field`: the formula field being edited (id or name): the draft takes its place, so a
    cycle through it is found and it cannot read itself. `record_id`: the sample record
    (default: the object's first live record)."""

    # Longer than the language's own limit (4,000), so that limit is the message people see.
    expression: Annotated[str, StringConstraints(max_length=20_000)]
    result_type: ResultType | None = None
    record_id: Ref | None = None
    field: Ref | None = None
