"""`objectry serve` on the embedded default, as a user runs it: it starts PostgreSQL, migrates,
answers, stops the database cleanly on exit, and finds its data again on the next start."""

from __future__ import annotations

from tests.support.servers import CLEAN_EXIT, Server, embedded_sql


async def test_serve_keeps_data_across_restarts_and_stops_postgres(tmp_path):
    data_dir = tmp_path / "data"
    pgdata = data_dir / "pgdata"
    first = Server(data_dir).start()
    try:
        ready = first.wait_ready()
        assert ready["status"] == "ok"
        await embedded_sql(pgdata, "INSERT INTO workspaces (id, name) VALUES"
                           " ('wsp_restartcheck0000', 'kept') RETURNING id")
    finally:
        code = first.stop()
    assert code in CLEAN_EXIT, first.log()
    assert not (pgdata / "postmaster.pid").exists(), "PostgreSQL was not stopped on exit"

    second = Server(data_dir, port=first.port).start()
    try:
        second.wait_ready()
        kept = await embedded_sql(pgdata, "SELECT name FROM workspaces WHERE id = $1",
                                  "wsp_restartcheck0000")
        assert kept == "kept"
    finally:
        code = second.stop()
    assert code in CLEAN_EXIT, second.log()
    assert not (pgdata / "postmaster.pid").exists()
