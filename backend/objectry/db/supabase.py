"""Render Alembic's migrations as Supabase CLI migrations (`supabase/migrations/*.sql`).

Alembic authors every schema change; this only renders each revision's offline SQL into a file
named the Supabase way (`<YYYYMMDDHHMMSS>_<slug>.sql`). The files keep Alembic's own
`alembic_version` bookkeeping, so a database built by `supabase db reset` is one Objectry
recognises as migrated. A test fails when the files drift from the revisions.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from objectry.db.migrate import PROJECT_ROOT, config, offline_sql

MIGRATIONS_DIR = PROJECT_ROOT / "supabase" / "migrations"
HEADER = "-- Rendered from Alembic revision {rev} by `objectry supabase`; do not edit.\n"


def _file_name(path: str, rev: str, message: str) -> str:
    created = re.search(r"Create Date: (\S+ \S+)", Path(path).read_text())
    stamp = datetime.fromisoformat(created.group(1)) if created else datetime(2026, 1, 1)
    slug = re.sub(r"[^a-z0-9]+", "_", (message or rev).lower()).strip("_")[:50]
    return f"{stamp:%Y%m%d%H%M%S}_{rev}_{slug}.sql"


def render() -> dict[str, str]:
    """File name → SQL for every revision, oldest first."""
    scripts = ScriptDirectory.from_config(config())
    files: dict[str, str] = {}
    for script in reversed(list(scripts.walk_revisions())):
        start = script.down_revision or "base"
        sql = offline_sql(f"{start}:{script.revision}")
        name = _file_name(script.path, script.revision, script.doc)
        files[name] = HEADER.format(rev=script.revision) + sql
    return files


def write(directory: Path = MIGRATIONS_DIR) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    files = render()
    for stale in directory.glob("*.sql"):
        if stale.name not in files:
            stale.unlink()
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return list(files)
