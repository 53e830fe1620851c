"""What /rest/v1 refuses in PostgREST's own terms: `QueryError`s with the code, message and hint
PostgREST 12 would give (the tree and how each error reads under /rest: objectry/errors.py).

    PGRST205  404  no such table (with a close name as the hint)
    PGRST204  400  no such column in a body          428C9  400  writing a system column
    PGRST102  400  a body that is not JSON           21000  400  PATCH/DELETE without a filter
    PGRST116  406  not exactly one row for `Accept: application/vnd.pgrst.object+json`
"""

from __future__ import annotations

import difflib

from objectry.metadata.model import Snapshot
from objectry.records.query import QueryError


def table_not_found(snapshot: Snapshot, name: str) -> QueryError:
    shown = name if len(name) <= 100 else name[:97] + "..."
    close = difflib.get_close_matches(name, list(snapshot.objects_by_name), n=1, cutoff=0.75)
    hint = f"Perhaps you meant the table 'public.{close[0]}'" if close else None
    return QueryError("PGRST205", f"Could not find the table 'public.{shown}' in the schema cache",
                      hint=hint, status=404)


def column_not_found(table: str, column: str) -> QueryError:
    shown = column if len(column) <= 100 else column[:97] + "..."
    return QueryError("PGRST204", f"Could not find the '{shown}' column of '{table}' in the "
                      "schema cache")


def system_column(column: str, verb: str) -> QueryError:
    message = (f'cannot insert a non-DEFAULT value into column "{column}"' if verb == "insert"
               else f'column "{column}" can only be updated to DEFAULT')
    return QueryError("428C9", message, f'"{column}" is set by the server.')


def invalid_body(details: str) -> QueryError:
    return QueryError("PGRST102", "Empty or invalid json", details)


def needs_filter(command: str) -> QueryError:
    """PostgREST with pg-safeupdate: a 400 (SQLSTATE 21000) for a write without a WHERE."""
    return QueryError("21000", f"{command} requires a WHERE clause",
                      hint="add a filter such as ?id=eq.<id>; to match every record use "
                           "?id=not.is.null")


def not_singular(count: int) -> QueryError:
    return QueryError("PGRST116", "Cannot coerce the result to a single JSON object",
                      f"The result contains {count} rows", status=406)
