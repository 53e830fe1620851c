"""An import whose server stops under it ends `failed` with its reason: SIGTERM lets the job
record "the server shut down"; `kill -9` leaves a stale heartbeat, and the next read after a
restart ends it "interrupted". With `abort` nothing of it was committed."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.servers import Server, server_env, sign_up

ROWS = 200_000


def _started(server: Server, headers: dict[str, str], on_error: str) -> str:
    rows = "".join(f"p{n},{n}\n" for n in range(ROWS))
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as api:
        assert api.post("/api/objects", json={"name": "item", "label": "Item"}
                        ).status_code == 201
        for name, type_ in (("name", "text"), ("n", "number")):
            assert api.post("/api/objects/item/fields", json={
                "name": name, "label": name.title(), "type": type_, "config": {}}
                ).status_code == 201
        started = api.post("/api/objects/item/import", files={
            "file": ("items.csv", "name,n\n" + rows)},
            data={"options": f'{{"on_error": "{on_error}"}}'})
        assert started.status_code == 202, started.text
        job_id: str = started.json()["id"]
        deadline = time.monotonic() + 120
        while api.get(f"/api/imports/{job_id}").json()["rows_done"] < 2_000:
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.05)
    return job_id


def _job(server: Server, headers: dict[str, str], job_id: str) -> dict[str, object]:
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as api:
        answer = api.get(f"/api/imports/{job_id}")
        assert answer.status_code == 200, answer.text
        job: dict[str, object] = answer.json()
        return job


@pytest.mark.parametrize("how", ["sigterm", "kill"])
async def test_an_import_cut_short_ends_failed(tmp_path, new_database, how):
    url = await new_database("objectry_import_cut")
    env = server_env(OBJECTRY_IMPORT_LEASE_SECONDS="2")
    server = Server(tmp_path / "data", url, env).start()
    server.wait_ready()
    headers = sign_up(server)
    job_id = _started(server, headers, "abort")
    if how == "sigterm":
        server.stop()
    else:
        server.kill()
    again = Server(tmp_path / "data", url, env, port=server.port).start()
    try:
        again.wait_ready()
        time.sleep(2.5)  # the lease, for the killed one
        job = _job(again, headers, job_id)
        expected = ("interrupted: the server shut down" if how == "sigterm" else
                    "interrupted: the server stopped while the import ran")
        assert (job["status"], job["reason"]) == ("failed", expected)
        assert 0 < int(job["rows_done"]) < ROWS  # type: ignore[call-overload]
        assert job["created"] == 0
        with httpx.Client(base_url=again.url, headers=headers, timeout=30) as api:
            page = api.get("/api/records?object=item&limit=1&count=exact").json()
        assert page["total"] == 0  # abort: one transaction, never committed
    finally:
        again.stop()
