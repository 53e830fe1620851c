"""The Supabase JS client for the tests that drive it from Node: tests/clients/js, pinned by its
lockfile. Installed on first use (`npm ci`, the npm registry), so the README's test command
needs no step of its own; CI's .ci/run installs it up front anyway."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CLIENTS = Path(__file__).parents[1] / "clients" / "js"
NODE = shutil.which("node")


def installed() -> Path:
    """The folder with node_modules in place; fails the test (not skips it) when it cannot be."""
    if not (CLIENTS / "node_modules" / "@supabase" / "supabase-js").is_dir():
        npm = shutil.which("npm")
        assert npm is not None, "npm is needed to install tests/clients/js"
        subprocess.run([npm, "ci", "--prefix", str(CLIENTS), "--no-audit", "--no-fund",
                        "--silent"], check=True, timeout=300)
    return CLIENTS
