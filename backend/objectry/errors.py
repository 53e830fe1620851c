"""The error tree and the one place that renders it.

    APIError (status, code)
    ├── BadRequest            400 bad_request
    │   └── UnstorableText    400 bad_request        (a NUL character; SQLSTATE 22021)
    ├── ResponseTooLarge      400 response_too_large (OBJECTRY_MAX_RESPONSE_BYTES)
    ├── Unauthenticated       401 unauthenticated
    ├── Forbidden             403 forbidden
    ├── NotFound              404 not_found
    ├── MethodNotAllowed      405 method_not_allowed (Allow)
    ├── Conflict              409 conflict
    ├── VersionMismatch       412 version_mismatch
    ├── PayloadTooLarge       413 payload_too_large
    ├── UnsupportedMediaType  415 unsupported_media_type
    ├── ValidationFailed      422 validation_failed  (details: every problem)
    ├── RateLimited           429 rate_limited       (Retry-After)
    └── QueryTimeout          503 query_timeout      (Retry-After; SQLSTATE 57014)

Database errors are mapped by SQLSTATE (`from_db_error`), so no SQL text ever reaches a client.
This module imports nothing but the standard library, so pure modules can raise these;
`handlers.py` renders them.
"""

from __future__ import annotations

from typing import Any

Detail = dict[str, Any]


def detail(field: str, code: str, message: str) -> Detail:
    return {"field": field, "code": code, "message": message}


class APIError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, details: list[Detail] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(APIError):
    status, code = 400, "bad_request"


class UnstorableText(BadRequest):
    """Text PostgreSQL cannot store (a NUL character), refused before it reaches the database."""


class ResponseTooLarge(APIError):
    status, code = 400, "response_too_large"


class Unauthenticated(APIError):
    status, code = 401, "unauthenticated"


class Forbidden(APIError):
    status, code = 403, "forbidden"


class NotFound(APIError):
    status, code = 404, "not_found"


class MethodNotAllowed(APIError):
    status, code = 405, "method_not_allowed"


class Conflict(APIError):
    status, code = 409, "conflict"


class VersionMismatch(APIError):
    status, code = 412, "version_mismatch"


class PayloadTooLarge(APIError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(APIError):
    status, code = 415, "unsupported_media_type"


class ValidationFailed(APIError):
    status, code = 422, "validation_failed"

    def __init__(self, details: list[Detail], message: str | None = None) -> None:
        count = len(details)
        noun = "problem" if count == 1 else "problems"
        super().__init__(message or f"{count} {noun} in the request", details)


class RateLimited(APIError):
    status, code = 429, "rate_limited"


class QueryTimeout(APIError):
    """A statement cancelled by `statement_timeout`: the server is busy or the query too heavy."""

    status, code = 503, "query_timeout"
    retry_after = "5"  # seconds: long enough for a load spike to pass

    def __init__(self, message: str = "the query took longer than the statement timeout",
                 details: list[Detail] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message, details, {"Retry-After": self.retry_after, **(headers or {})})


# SQLSTATE → how a failure reads to a client. Anything else is a bug (500).
_SQLSTATE: dict[str, tuple[type[APIError], str]] = {
    "23505": (Conflict, "a value that must be unique is already taken"),
    "23503": (Conflict, "the change would break a reference to another item"),
    "23514": (ValidationFailed, "a value breaks a database check"),
    "23502": (ValidationFailed, "a required value is missing"),
    # e.g. a value over a field index's entry size, written by a process whose metadata was
    # stale (its validator did not know the field was indexed yet)
    "54000": (ValidationFailed, "a value is too large for the database"),
    "22P02": (BadRequest, "a value has the wrong type"),
    "22007": (BadRequest, "a date or time is not valid"),
    "22008": (BadRequest, "a date or time is out of range"),
    "22003": (BadRequest, "a number is out of range"),
    "22021": (BadRequest, "text contains a character the database cannot store"),
    "22P05": (BadRequest, "text contains a character the database cannot store"),
    "2201B": (BadRequest, "an invalid regular expression"),
    # Raised by objectry_answer_bytes (migration 0006) when a read's rows pass the cap.
    "OB413": (ResponseTooLarge, "the answer would be larger than the server sends; ask for "
                                "fewer rows (limit), columns (select) or embedded rows"),
    "40001": (Conflict, "a concurrent change got in the way; retry"),
    "40P01": (Conflict, "a concurrent change got in the way; retry"),
    "57014": (QueryTimeout, "the query took longer than the statement timeout; retry later"),
}


def from_db_error(exc: Any) -> APIError | None:
    """An asyncpg.PostgresError as the client should see it, or None for "this is a bug"."""
    mapped = _SQLSTATE.get(getattr(exc, "sqlstate", None) or "")
    if mapped is None:
        return None
    cls, message = mapped
    if cls is ValidationFailed:
        return ValidationFailed([detail("", "constraint", message)], message)
    return cls(message)
