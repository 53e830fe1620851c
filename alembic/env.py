"""Alembic environment: async online migrations under an advisory lock, and offline --sql."""

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from objectry.db.tables import metadata

# Any constant works; it only has to be the same for every Objectry process.
MIGRATION_LOCK = 0x0B7EC7  # "objectry"


def run_offline() -> None:
    context.configure(url="postgresql://", target_metadata=metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _migrate(connection: Connection) -> None:
    # Two processes starting at once: the second waits, then finds the schema at head.
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(connection=connection, target_metadata=metadata,
                      transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
    else:
        asyncio.run(run_online())
