"""supabase-js, unchanged, in Node (tests/clients/js/realtime.mjs after `npm ci` there): its
`channel().on('postgres_changes', …)` gets an insert it makes through `.from().insert()`, in
both serializers. Skipped where Node or the installed packages are missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.databases import fresh_database
from tests.support.servers import Server, server_env
from tests.system.test_supabase_realtime import _workspace_key

JS = Path(__file__).parents[1] / "clients" / "js"
pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (JS / "node_modules" / "@supabase").is_dir(),
    reason="needs Node and `npm ci` in tests/clients/js")


@pytest.mark.parametrize("vsn", ["1.0.0", "2.0.0"])
async def test_supabase_js_receives_an_insert(server_url, tmp_path, vsn):
    async with fresh_database(server_url, "objectry_sb_js") as url:
        server = Server(tmp_path / "data", url, server_env()).start()
        try:
            server.wait_ready()
            env = {**os.environ, "OBJECTRY_URL": server.url,
                   "OBJECTRY_KEY": await _workspace_key(server)}
            run = subprocess.run(["node", "realtime.mjs", vsn], cwd=JS, env=env,
                                 capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stderr + run.stdout
            inserted, got = (json.loads(line) for line in run.stdout.splitlines())
            assert got == {"eventType": "INSERT", "table": "deals", "schema": "public",
                           "new": inserted["inserted"], "old": {}}
        finally:
            server.stop()
