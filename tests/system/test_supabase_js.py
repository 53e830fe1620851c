"""@supabase/supabase-js (tests/clients/js, pinned by its lockfile) run by Node against
`objectry serve`: the same auth and tables path as the Python client, two workspaces. Skipped
only when `node` is absent (CI has it); the client is installed on first use."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support import js_clients
from tests.support.js_clients import NODE
from tests.support.servers import Server
from tests.system.test_supabase_py import Workspace, server  # noqa: F401 (the fixture)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_supabase_js_auth_and_tables(server: Server) -> None:  # noqa: F811
    script = js_clients.installed() / "check.mjs"
    a, b = Workspace(server), Workspace(server)
    run = subprocess.run([str(NODE), str(script), server.url, a.anon, b.anon, a.member_email,
                          a.invitation], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {
        "signUpRole": "editor", "signUpSession": True, "wrong": [400, "invalid_credentials"],
        "aud": "authenticated", "getUser": True, "updated": "Jo Renamed", "rotated": True,
        "mine": [{"title": "js edited"}], "theirs": [{"title": "b's js"}], "afterDelete": [],
        "signedOut": True}
