"""Request bodies of /api/records, as OpenAPI documents them (web.bodies.documented).

The endpoints read and check their bodies themselves (service.py, bulk.py): on the hot path a
pydantic parse would cost more than the rest of the request's Python, and every refusal keeps
its documented message. So these models are the documentation, and the one list of the keys
those checks accept (`keys`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Data = Annotated[dict[str, Any], Field(description="field values keyed by field name; null "
                                                   "removes a value")]


class RecordCreate(BaseModel):
    """POST /api/records: a new record of `object`. Defaults are filled in."""

    object: str = Field(description="the object's id or name")
    data: Data


class RecordWrite(BaseModel):
    """PATCH /api/records/{id} (the values to change) or PUT (the whole record)."""

    model_config = ConfigDict(extra="forbid")
    data: Data
    version: int | None = Field(None, ge=0, le=2**63 - 1,
                                description="the version the record must still be at "
                                            "(else 412); If-Match says the same")


class BulkRecord(BaseModel):
    data: Data


class BulkWrite(BaseModel):
    """POST /api/records/bulk: all or nothing, records answered in input order."""

    model_config = ConfigDict(extra="forbid")
    object: str = Field(description="the object's id or name")
    records: list[BulkRecord] = Field(description="at most OBJECTRY_MAX_BULK_RECORDS "
                                                  "(10,000) per call")
    mode: Literal["insert", "upsert"] = "insert"
    match_on: str | None = Field(None, description="upsert: the name of a unique field; a "
                                                   "record whose value is taken is merged "
                                                   "into that record like a PATCH")


def keys(model: type[BaseModel]) -> frozenset[str]:
    """The top-level keys a body may have."""
    return frozenset(model.model_fields)
