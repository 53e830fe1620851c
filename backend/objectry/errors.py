"""The error tree: every refusal is an `APIError`, and each class says how each dialect shows it.

                              /api                            /rest (PostgREST)
    APIError                  500 internal_error              500 internal_error
    ├── BadRequest            400 bad_request                 400 PGRST100
    │   ├── UnstorableText    400 bad_request                 400 22021     (a NUL character)
    │   └── QueryError        400 bad_request                 its own code and status
    ├── ResponseTooLarge      400 response_too_large          400 response_too_large
    ├── Unauthenticated       401 unauthenticated             401 PGRST301  (PGRST302: none given)
    ├── Forbidden             403 forbidden                   403 42501
    ├── NotFound              404 not_found                   404 PGRST205
    │   └── NoRoute           404 not_found                   404 PGRST125  (no route: any path)
    ├── MethodNotAllowed      405 method_not_allowed          405 PGRST117  (Allow)
    ├── Conflict              409 conflict                    409 23505     (23503: a restrict link)
    │   └── IdempotencyKeyInFlight  409 idempotency_key_in_flight  409 idempotency_key_in_flight
    ├── VersionMismatch       412 version_mismatch            412 version_mismatch
    ├── PayloadTooLarge       413 payload_too_large           413 54000
    ├── UnsupportedMediaType  415 unsupported_media_type      415 PGRST107
    ├── IdempotencyKeyReused  422 idempotency_key_reused      422 idempotency_key_reused
    ├── ValidationFailed      422 validation_failed           400 23514     (details: every problem)
    ├── RateLimited           429 rate_limited                429 rate_limited (Retry-After)
    ├── QueryTimeout          503 query_timeout               503 query_timeout (Retry-After; 57014)
    └── Unavailable           503 unavailable                 503 unavailable (Retry-After; 08*)

/auth/v1 (GoTrue) shows the /api status with its own `error_code` (`gotrue_code`): bad_json
(BadRequest, ResponseTooLarge, UnsupportedMediaType), no_authorization (401), not_admin (403),
not_found, method_not_allowed, conflict (409, 412), validation_failed (413, 422 — and
ValidationFailed as GoTrue's 400), over_request_rate_limit (429), request_timeout and
unexpected_failure (503, 500).

GoTrue's face is `gotrue_*`; a refusal that GoTrue names more precisely (400
`invalid_credentials`, 422 `user_already_exists`, 403 `bad_jwt`…) gets it where it is raised, with
`.as_gotrue(…)`: the account rules are shared by /api/auth and /auth/v1, only their faces differ.

/api shows `{"error": {code, message, details}}`; PostgREST `{code, message, details, hint}`
with its own code where it has one (`rest_*` and `hint` below: PostgREST's `PGRSTnnn`, or the
SQLSTATE PostgreSQL would raise against a real table), else the /api code. `QueryError` is a
refusal in PostgREST's own terms (the query compiler's, or /rest's): /api shows it as
`bad_request` with its code and hint in `details`. web/error_dialects.py renders; the dialect
follows the path.

Database errors are mapped by SQLSTATE (`from_db_error`) for both dialects, so no SQL text ever
reaches a client. A database that cannot be reached at all raises no SQLSTATE (a refused socket,
a closed connection, no pooled connection in time): db/pool.py `unreachable` tells those apart,
and web/error_handlers.py answers them `Unavailable`. This module imports nothing but the
standard library, so pure modules (the query compiler) can raise these.
"""

from __future__ import annotations

from typing import Any, Self

Detail = dict[str, Any]

# PostgREST's `details` default: the /api details (or null when there are none).
AS_API: Any = object()


def detail(field: str, code: str, message: str) -> Detail:
    return {"field": field, "code": code, "message": message}


class APIError(Exception):
    """A refusal: the /api face in `status`, `code`, `message`, `details`, `headers` (both
    dialects send the headers); PostgREST's face where it differs in `rest_*` and `hint`."""

    status = 500
    code = "internal_error"
    rest_status: int | None = None
    rest_code: str | None = None
    rest_message: str | None = None
    rest_details: Any = AS_API
    hint: str | None = None
    gotrue_status: int | None = None  # None: `status`
    gotrue_code = "unexpected_failure"
    gotrue_message: str | None = None  # None: `message`

    def __init__(self, message: str, details: list[Detail] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.headers = headers

    def as_gotrue(self, code: str, status: int, message: str | None = None) -> Self:
        """This refusal as GoTrue says it (/auth/v1), where GoTrue is more precise than the
        class; the other dialects are unchanged. Returns self, so `raise X(…).as_gotrue(…)`."""
        self.gotrue_code, self.gotrue_status, self.gotrue_message = code, status, message
        return self


class BadRequest(APIError):
    status, code = 400, "bad_request"
    gotrue_code = "bad_json"
    rest_code = "PGRST100"


class UnstorableText(BadRequest):
    """Text PostgreSQL cannot store (a NUL character), refused before it reaches the database."""

    rest_code = "22021"


class QueryError(BadRequest):
    """A refusal in PostgREST's terms: its code (`PGRSTnnn` or a SQLSTATE), message, details,
    hint and status. The query compiler raises it for every query it refuses (never for a bug:
    those raise anything else), /rest for what PostgREST itself refuses."""

    def __init__(self, code: str, message: str, details: Any = None, hint: str | None = None,
                 status: int = 400, headers: dict[str, str] | None = None) -> None:
        # On /api every refusal of a query (even PostgREST's 300 "ambiguous embed") is a
        # bad request; PostgREST's details and hint (else its message) become its details.
        said = [m for m in (details, hint) if m] or [message]
        super().__init__(message, [detail("query", code, str(m)) for m in said], headers)
        self.rest_code, self.rest_status = code, status
        self.rest_details, self.hint = details, hint

    def __repr__(self) -> str:
        return f"QueryError({self.rest_code!r}, {self.message!r})"


class ResponseTooLarge(APIError):
    status, code = 400, "response_too_large"
    gotrue_code = "bad_json"


class Unauthenticated(APIError):
    """PostgREST tells a credential it refuses (PGRST301) from none at all (PGRST302): the
    renderer, which sees the request, picks."""

    status, code = 401, "unauthenticated"
    gotrue_code = "no_authorization"
    rest_code = "PGRST301"


class Forbidden(APIError):
    status, code = 403, "forbidden"
    gotrue_code = "not_admin"
    rest_code = "42501"


class NotFound(APIError):
    status, code = 404, "not_found"
    gotrue_code = "not_found"
    rest_code = "PGRST205"


class NoRoute(NotFound):
    """No route serves this path."""

    rest_code, rest_message = "PGRST125", "Invalid path specified in request URL"

    def __init__(self, path: str) -> None:
        super().__init__(f"nothing is served at {path[:200]}")


class MethodNotAllowed(APIError):
    """The path is served, but not for this method; `allow` lists the methods it takes."""

    status, code = 405, "method_not_allowed"
    gotrue_code = "method_not_allowed"
    rest_code = "PGRST117"

    def __init__(self, method: str, allow: str | None) -> None:
        super().__init__(f"{method[:20]} is not allowed on this path",
                         headers={"Allow": allow} if allow else None)
        self.rest_message = f"Unsupported HTTP method: {method[:20]}"


class Conflict(APIError):
    status, code = 409, "conflict"
    gotrue_code = "conflict"
    rest_code = "23505"

    def __init__(self, message: str, details: list[Detail] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message, details, headers)
        if any(d.get("code") == "restrict" for d in self.details):
            self.rest_code = "23503"  # an `on_delete: restrict` link: PostgreSQL's FK violation


class IdempotencyKeyInFlight(Conflict):
    """The first request with this `Idempotency-Key` is still running: retry in a moment."""

    code = rest_code = "idempotency_key_in_flight"
    retry_after = "1"  # seconds: most writes take milliseconds

    def __init__(self, message: str = "a request with this Idempotency-Key is still running; "
                                      "retry when it has finished") -> None:
        super().__init__(message, [detail("Idempotency-Key", "in_flight", "in use")],
                         {"Retry-After": self.retry_after})


class IdempotencyKeyReused(APIError):
    """The `Idempotency-Key` was first sent with another request (method, path, query string,
    body or caller): a key names one request."""

    status, code = 422, "idempotency_key_reused"
    gotrue_code = "validation_failed"

    def __init__(self, message: str = "this Idempotency-Key was used for a different request "
                                      "in the last 24 hours; use a new key for a new request"
                 ) -> None:
        super().__init__(message, [detail("Idempotency-Key", "reused", "names another request")])


class VersionMismatch(APIError):
    status, code = 412, "version_mismatch"
    gotrue_code = "conflict"


class PayloadTooLarge(APIError):
    status, code = 413, "payload_too_large"
    gotrue_code = "validation_failed"
    rest_code = "54000"


class UnsupportedMediaType(APIError):
    status, code = 415, "unsupported_media_type"
    gotrue_code = "bad_json"
    rest_code = "PGRST107"


class ValidationFailed(APIError):
    status, code = 422, "validation_failed"
    gotrue_status, gotrue_code = 400, "validation_failed"
    rest_status, rest_code = 400, "23514"  # PostgREST: a CHECK violation

    def __init__(self, details: list[Detail], message: str | None = None) -> None:
        count = len(details)
        noun = "problem" if count == 1 else "problems"
        super().__init__(message or f"{count} {noun} in the request", details)


class RateLimited(APIError):
    status, code = 429, "rate_limited"
    gotrue_code = "over_request_rate_limit"


class QueryTimeout(APIError):
    """A statement cancelled by `statement_timeout`: the server is busy or the query too heavy."""

    status, code = 503, "query_timeout"
    gotrue_code = "request_timeout"
    retry_after = "5"  # seconds: long enough for a load spike to pass

    def __init__(self, message: str = "the query took longer than the statement timeout",
                 details: list[Detail] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message, details, {"Retry-After": self.retry_after, **(headers or {})})


class Unavailable(APIError):
    """The database cannot be reached (down, restarting, shutting down) or no pooled connection
    came free in time: answered at once, never after a hang, and gone when the database is."""

    status, code = 503, "unavailable"
    retry_after = "1"  # seconds: a restart takes about that long; clients back off from there

    def __init__(self, message: str = "the database is unavailable; retry shortly",
                 details: list[Detail] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message, details, {"Retry-After": self.retry_after, **(headers or {})})


# The SQLSTATE objectry_answer_bytes (migration 0006) raises when a read's rows pass the answer's
# byte cap (records/query/bounded.py).
OVER_CAP = "OB413"

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
    OVER_CAP: (ResponseTooLarge, "the answer would be larger than the server sends; ask for "
                                "fewer rows (limit), columns (select) or embedded rows"),
    "40001": (Conflict, "a concurrent change got in the way; retry"),
    "40P01": (Conflict, "a concurrent change got in the way; retry"),
    "57014": (QueryTimeout, "the query took longer than the statement timeout; retry later"),
    # The server is going away or not taking connections yet: admin, crash and immediate
    # shutdown end every session, and a starting or recovering server refuses new ones.
    "57P01": (Unavailable, "the database is shutting down; retry shortly"),
    "57P02": (Unavailable, "the database restarted after a crash; retry shortly"),
    "57P03": (Unavailable, "the database is starting up or shutting down; retry shortly"),
    "53300": (Unavailable, "the database has no free connection slot; retry shortly"),
}
# Class 08 (connection exception): asyncpg's ConnectionDoesNotExistError (08003) when a
# connection closes under a query, ConnectionFailureError (08006) and their kin.
_CONNECTION_CLASS = "08"


def over_cap() -> APIError:
    """OB413's refusal, for an answer measured in Python rather than by its statement."""
    cls, message = _SQLSTATE[OVER_CAP]
    return cls(message)


def from_db_error(exc: Any) -> APIError | None:
    """An asyncpg.PostgresError as the client should see it, or None for "this is a bug"."""
    sqlstate = getattr(exc, "sqlstate", None) or ""
    if sqlstate.startswith(_CONNECTION_CLASS):
        return Unavailable()
    mapped = _SQLSTATE.get(sqlstate)
    if mapped is None:
        return None
    cls, message = mapped
    error = (ValidationFailed([detail("", "constraint", message)], message)
             if cls is ValidationFailed else cls(message))
    if issubclass(cls, BadRequest | ValidationFailed | Conflict):
        # PostgREST passes the database's refusal on under its SQLSTATE, without our details.
        error.rest_code, error.rest_details = sqlstate, None
    return error
