"""Which failures without a SQLSTATE mean "the database is unreachable" (503 unavailable) and
which are bugs (500): db/pool.py `unreachable`."""

from __future__ import annotations

import asyncpg
import pytest

from objectry.db.pool import unreachable


@pytest.mark.parametrize("exc", [
    ConnectionRefusedError(111, "Connection refused"),
    ConnectionResetError(104, "Connection reset by peer"),
    FileNotFoundError(2, "No such file or directory"),  # the embedded server's socket, gone
    TimeoutError(),  # a connect or an acquire past its bound
    asyncpg.InterfaceError("connection is closed"),
    asyncpg.InterfaceError("cannot perform operation: connection is closed"),
    asyncpg.InterfaceError("pool is closing"),
    asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
], ids=repr)
def test_the_database_is_unreachable(exc):
    assert unreachable(exc)


@pytest.mark.parametrize("exc", [
    asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    asyncpg.InterfaceError("the server expects 2 arguments for this query, 1 was passed"),
    ValueError("a bug"),
    KeyError("a bug"),
], ids=repr)
def test_misuse_and_bugs_are_not(exc):
    assert not unreachable(exc)
