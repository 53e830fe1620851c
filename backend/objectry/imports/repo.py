"""SQL of `import_jobs` (migration 0015): raw asyncpg, `$n` parameters only."""

from __future__ import annotations

from typing import Any

import asyncpg

_COLUMNS = ("id, object_id, options, columns, status, reason, rows_total, rows_done, created,"
            " updated, skipped, errors, created_at, finished_at")


# A job that commits per chunk (skip, not a dry run): what it counted is committed.
_PER_CHUNK = "(options ->> 'on_error' = 'skip' AND options ->> 'dry_run' = 'false')"


async def insert(conn: asyncpg.Connection, tenant_id: str, job_id: str, object_id: str,
                 options: dict[str, Any], columns: dict[str, str | None], actor: str | None
                 ) -> None:
    await conn.execute(
        "INSERT INTO import_jobs (tenant_id, id, object_id, options, columns, created_by)"
        " VALUES ($1, $2, $3, $4, $5, $6)", tenant_id, job_id, object_id, options, columns,
        actor)


async def progress(conn: asyncpg.Connection, tenant_id: str, job_id: str,
                   counts: dict[str, Any]) -> None:
    """Counts so far (and the errors when they changed), with the runner's heartbeat."""
    await conn.execute(
        """UPDATE import_jobs SET rows_total = $3, rows_done = $4, created = $5, updated = $6,
                  skipped = $7, errors = coalesce($8, errors), heartbeat_at = now()
           WHERE tenant_id = $1 AND id = $2 AND status = 'running'""",
        tenant_id, job_id, counts["rows_total"], counts["rows_done"], counts["created"],
        counts["updated"], counts["skipped"], counts.get("errors"))


async def finish(conn: asyncpg.Connection, tenant_id: str, job_id: str, status: str,
                 reason: str | None, counts: dict[str, Any]) -> None:
    await conn.execute(
        """UPDATE import_jobs SET status = $3, reason = $4, rows_total = $5, rows_done = $6,
                  created = $7, updated = $8, skipped = $9, errors = $10,
                  finished_at = now(), heartbeat_at = now()
           WHERE tenant_id = $1 AND id = $2""",
        tenant_id, job_id, status, reason, counts["rows_total"], counts["rows_done"],
        counts["created"], counts["updated"], counts["skipped"], counts["errors"])


async def get(conn: asyncpg.Connection, tenant_id: str, job_id: str, lease_seconds: float
              ) -> asyncpg.Record | None:
    """The job; one still `running` whose heartbeat is older than the lease (its process
    died) is ended `failed` first."""
    return await conn.fetchrow(
        f"""WITH ended AS (
                UPDATE import_jobs SET status = 'failed', finished_at = now(),
                       reason = 'interrupted: the server stopped while the import ran',
                       -- all or nothing (abort, dry run): its transaction died with it
                       created = CASE WHEN {_PER_CHUNK} THEN created ELSE 0 END,
                       updated = CASE WHEN {_PER_CHUNK} THEN updated ELSE 0 END
                WHERE tenant_id = $1 AND id = $2 AND status = 'running'
                  AND heartbeat_at < now() - make_interval(secs => $3)
                RETURNING {_COLUMNS})
            SELECT {_COLUMNS} FROM ended
            UNION ALL
            SELECT {_COLUMNS} FROM import_jobs WHERE tenant_id = $1 AND id = $2
              AND NOT EXISTS (SELECT FROM ended)""",
        tenant_id, job_id, lease_seconds)
