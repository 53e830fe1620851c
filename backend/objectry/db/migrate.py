"""Run Alembic programmatically: at start-up (under its advisory lock) and from the CLI."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from objectry import bundled

PROJECT_ROOT = bundled.CHECKOUT  # supabase/ is rendered into the repository


def sqlalchemy_url(url: str) -> str:
    """A libpq URL (postgresql://…) as SQLAlchemy's asyncpg URL."""
    scheme, rest = url.split("://", 1)
    return "postgresql+asyncpg://" + rest


def config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(bundled.migrations()))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(config(url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(config()).get_current_head()
    assert head is not None
    return head


def offline_sql(revision_range: str = "head") -> str:
    """The SQL Alembic would run, rendered without a database (for supabase/migrations)."""
    import contextlib
    import io

    buffer = io.StringIO()
    cfg = config()
    cfg.output_buffer = buffer
    with contextlib.redirect_stdout(buffer):
        command.upgrade(cfg, revision_range, sql=True)
    return buffer.getvalue()


def current_revision_sync(connection) -> str | None:  # type: ignore[no-untyped-def]
    return MigrationContext.configure(connection).get_current_revision()
