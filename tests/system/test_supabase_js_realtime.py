"""supabase-js, unchanged, in Node (tests/clients/js/realtime.mjs): its
`channel().on('postgres_changes', …)` gets an insert it makes through `.from().insert()`, in
both serializers. Skipped only when `node` is absent; the client is installed on first use."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.support import js_clients
from tests.support.databases import fresh_database
from tests.support.js_clients import NODE
from tests.support.servers import Server, server_env
from tests.system.test_supabase_realtime import _workspace_key

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


@pytest.mark.parametrize("vsn", ["1.0.0", "2.0.0"])
async def test_supabase_js_receives_an_insert(server_url, tmp_path, vsn):
    async with fresh_database(server_url, "objectry_sb_js") as url:
        server = Server(tmp_path / "data", url, server_env()).start()
        try:
            server.wait_ready()
            env = {**os.environ, "OBJECTRY_URL": server.url,
                   "OBJECTRY_KEY": await _workspace_key(server)}
            run = subprocess.run([str(NODE), "realtime.mjs", vsn], cwd=js_clients.installed(),
                                 env=env, capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stderr + run.stdout
            inserted, got = (json.loads(line) for line in run.stdout.splitlines())
            assert got == {"eventType": "INSERT", "table": "deals", "schema": "public",
                           "new": inserted["inserted"], "old": {}}
        finally:
            server.stop()
