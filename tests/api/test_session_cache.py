"""A signed-in session is checked against the database once, then remembered per process
(auth/sessions/cache.py): a request with a session JWT costs no round trip for its check. What
the check reads — logout, revoked refresh families, the member's role, removal — applies at
once on the process that changed it and, through the triggers of migration 0017, on every
other process. Counted at the protocol (tests/support/round_trips.py); "another process" is a
second app on the same database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.api.builders import make_object, make_record, ok
from tests.api.conftest import Account, client, eventually, join, sign_up
from tests.conftest import running_app, settings_for
from tests.support.round_trips import Counter, counting_relay


@pytest.fixture
async def counted(database_url: str) -> AsyncIterator[tuple[Any, Counter]]:
    async with counting_relay(database_url) as (url, counter):
        settings = settings_for(url, direct_database_url=database_url, open_signup=True)
        async with running_app(settings) as app:
            yield app, counter


async def _with_record(app: Any) -> tuple[Account, dict[str, Any]]:
    owner = await sign_up(app)
    async with client(app, owner.headers) as api:
        await make_object(api, "note")
        record = await make_record(api, "note")
    return owner, record


async def test_a_checked_session_costs_no_round_trip_of_its_own(
        counted: tuple[Any, Counter]) -> None:
    app, counter = counted
    owner, record = await _with_record(app)
    async with client(app, owner.headers) as api:
        await ok(await api.get(f"/api/records/{record['id']}"))  # checked and remembered
        before = counter.round_trips
        for _ in range(5):
            got = await ok(await api.get(f"/api/records/{record['id']}"))
            assert got["id"] == record["id"]
    assert counter.round_trips == before + 5  # the read itself, nothing for the session


async def test_logout_ends_a_remembered_session_at_once(counted: tuple[Any, Counter]) -> None:
    app, _ = counted
    owner, record = await _with_record(app)
    async with client(app, owner.headers) as api:
        await ok(await api.get(f"/api/records/{record['id']}"))
        assert (await api.post("/api/auth/logout")).status_code == 204
        refused = await api.get(f"/api/records/{record['id']}")
    assert refused.status_code == 401, refused.text
    assert refused.json()["error"]["code"] == "unauthenticated"


async def test_a_role_change_applies_to_the_next_request_here_and_elsewhere(
        app: Any, other_process: Any) -> None:
    owner, record = await _with_record(app)
    editor = await join(app, owner, "editor")
    for process in (app, other_process):  # remembered as an editor by both processes
        async with client(process, editor.headers) as api:
            made = await api.post("/api/records", json={"object": "note", "data": {}})
            assert made.status_code == 201, made.text
    async with client(app, owner.headers) as api:
        await ok(await api.patch(f"/api/workspaces/{owner.workspace_id}/members/"
                                 f"{editor.user_id}", json={"role": "viewer"}))
    async with client(app, editor.headers) as api:  # the process that made the change
        refused = await api.post("/api/records", json={"object": "note", "data": {}})
        assert refused.status_code == 403, refused.text
        await ok(await api.get(f"/api/records/{record['id']}"))  # a viewer still reads

    async def refused_elsewhere() -> bool:
        async with client(other_process, editor.headers) as api:
            answer = await api.post("/api/records", json={"object": "note", "data": {}})
        assert answer.status_code in (201, 403), answer.text
        return answer.status_code == 403

    await eventually(refused_elsewhere)


async def test_a_removed_member_is_refused_by_every_process(app: Any, other_process: Any,
                                                            owner_db: Any) -> None:
    owner, record = await _with_record(app)
    member = await join(app, owner, "editor")
    for process in (app, other_process):
        async with client(process, member.headers) as api:
            await ok(await api.get(f"/api/records/{record['id']}"))
    # Removed by SQL, as another tool would: only the trigger's notice can tell the processes.
    await owner_db.execute("DELETE FROM workspace_members WHERE tenant_id = $1 AND user_id = $2",
                           owner.workspace_id, member.user_id)
    for process in (app, other_process):
        async def refused(process: Any = process) -> bool:
            async with client(process, member.headers) as api:
                answer = await api.get(f"/api/records/{record['id']}")
            assert answer.status_code in (200, 401), answer.text
            return answer.status_code == 401

        await eventually(refused)


async def test_a_remembered_session_opens_only_its_own_workspace(app: Any) -> None:
    first, record = await _with_record(app)
    second, _ = await _with_record(app)
    async with client(app, first.headers) as api:
        await ok(await api.get(f"/api/records/{record['id']}"))
    async with client(app, second.headers) as api:  # its own session, remembered too
        await ok(await api.get("/api/objects"))
        missing = await api.get(f"/api/records/{record['id']}")
        listed = await ok(await api.get("/api/records", params={"object": "note"}))
    assert missing.status_code == 404, missing.text
    assert all(item["id"] != record["id"] for item in listed["items"])
