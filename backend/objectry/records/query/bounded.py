"""Reads bounded by the size of their answer (OBJECTRY_MAX_RESPONSE_BYTES), in SQL.

PostgreSQL adds up the rows' sizes as it produces them and `objectry_answer_bytes` (migration
0006) stops the statement with SQLSTATE OB413 (errors.OVER_CAP) at the first row past the cap:
rows after it are never computed and no more than the cap ever reaches Python. A to-many embed
is bounded the same way on its own, so one record's embeds stop growing as soon as one of them
passes the cap.

The running total is a window (WindowAgg), about a quarter of a 50-row page's database time. A
page of at most `rows` rows can instead hold each row to its share of the cap (`cap / rows`),
which needs no total: if no row is over its share the page is under the cap. A row over its
share stops that statement with OB413 too, and the caller asks again with the running total
(records/repo.py `page_rows`), which alone tells whether the page is over the cap.
"""

from __future__ import annotations

from objectry.sqltext import ident

# The smallest share of the cap a row is held to (`shared_rows`): below it rows of ordinary
# size would be over their share, and such pages would always be read twice.
MIN_SHARE = 2048

# What one row carries besides its data, primary_value and embeds (ids, timestamps, version,
# keys and JSON punctuation), roughly: sizes are estimates, not the exact bytes sent.
ROW_BYTES = 240


def data_bytes(column: str) -> str:
    """A jsonb value's size without printing it when it is small and stored uncompressed (its
    binary size is then close to its JSON text); a large or compressed one is printed."""
    return (f"CASE WHEN pg_column_compression({column}) IS NULL AND pg_column_size({column})"
            f" < 2048 THEN pg_column_size({column}) ELSE octet_length({column}::text) END")


def checked(running: str, cap: str, *, answered: bool = True) -> str:
    """`running` (null if not `answered`), or an error (OB413) once it passes `cap`. The check
    function is called for that one row only: a plpgsql call on every row cost a 50-row page
    about 15%. (A window function, written twice, is computed once: WindowAgg shares identical
    calls; any other expression is computed again for the ELSE, which `answered=False` spares.)"""
    otherwise = f" ELSE {running}" if answered else ""
    return (f"CASE WHEN {running} > {cap} THEN objectry_answer_bytes({running}, {cap})"
            f"{otherwise} END")


def shared_rows(cap_bytes: int, limit: int | None) -> int | None:
    """`limit`, the most rows a page brings, when each row's share of the cap is worth holding
    it to (`capped_rows`' `rows`); else None (the running total)."""
    return limit if limit and cap_bytes // limit >= MIN_SHARE else None


def capped_rows(sql: str, embed_labels: list[str], cap: str, *, rows: int | None = None
                ) -> str:
    """`sql` (a read of records: data, primary_value and the embeds' json columns), stopped
    once its rows add up to more than `cap` bytes (`_bytes`: the running total). Rows keep
    the order `sql` gives them: a window with neither ORDER BY nor PARTITION BY reads its input
    as it comes. With `rows` (at most that many come), stopped at the first row over its share
    of the cap instead (`_bytes` null), which may stop a page that is under the cap: see the
    module's docstring."""
    sizes = [str(ROW_BYTES), data_bytes("q.data"), "coalesce(octet_length(q.primary_value), 0)"]
    sizes += [f"coalesce(octet_length(q.{ident(label)}::text), 0)" for label in embed_labels]
    size = " + ".join(sizes)
    if rows is not None:
        share = f"({cap} / {int(rows)})"
        return f'SELECT q.*, {checked(size, share, answered=False)} AS "_bytes" FROM ({sql}) q'
    running = f"sum({size}) OVER (ROWS UNBOUNDED PRECEDING)"
    return f'SELECT q.*, {checked(running, cap)} AS "_bytes" FROM ({sql}) q'


def capped_embed(rows_sql: str, cap: str) -> str:
    """An embed's `(SELECT <row> AS j, row_number() … AS n …)` rows, stopped once they add up
    to more than `cap` bytes (the check is VOLATILE, so the planner keeps it though unused)."""
    running = "sum(octet_length(d.j::text)) OVER (ROWS UNBOUNDED PRECEDING)"
    return f"(SELECT d.j, d.n, {checked(running, cap)} AS b FROM {rows_sql} d)"
