"""Request bodies of /api/webhooks (unknown keys refused; the service checks names and URLs)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# What a webhook may subscribe to; `webhook.test` is only ever sent by POST …/test.
RecordEvent = Literal["record.created", "record.updated", "record.deleted", "record.restored"]
EVENTS: tuple[str, ...] = RecordEvent.__args__  # type: ignore[attr-defined]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Filter = Annotated[str, StringConstraints(max_length=4000)]
ObjectName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    url: Url
    events: list[RecordEvent] = Field(min_length=1, max_length=len(EVENTS))
    objects: list[ObjectName] | None = Field(default=None, max_length=100)
    filter: Filter | None = None
    active: bool = True


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    url: Url | None = None
    events: list[RecordEvent] | None = Field(default=None, min_length=1, max_length=len(EVENTS))
    objects: list[ObjectName] | None = Field(default=None, max_length=100)
    filter: Filter | None = None
    active: bool | None = None
    rotate_secret: bool = False
