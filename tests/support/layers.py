"""Which layer a test belongs to — `unit` (no I/O), `db` (real PostgreSQL) or `e2e` (a browser
against a live server) — so that `pytest -m unit|db|e2e` runs one layer. tests/conftest.py
marks every collected test with it."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

# By the top-level directory under tests/. One not listed (tests/property) holds both kinds:
# there a test is `db` when it reaches the database.
BY_DIRECTORY = {"unit": "unit", "api": "db", "db": "db", "system": "db", "e2e": "e2e"}
# Every fixture that reaches PostgreSQL (app, database_url, owner_db…) depends on this one.
DATABASE_FIXTURE = "server_url"


def layer_of(directory: str, fixtures: Iterable[str]) -> str:
    """The layer of a test in tests/<directory> that uses `fixtures` (all it depends on)."""
    on_database = DATABASE_FIXTURE in fixtures
    layer = BY_DIRECTORY.get(directory, "db" if on_database else "unit")
    if layer == "unit" and on_database:
        raise pytest.UsageError(f"a test in tests/{directory} uses the database: "
                                "unit tests do no I/O (move it to tests/api or tests/db)")
    return layer
