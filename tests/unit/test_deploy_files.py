"""The deployment files (deploy/, .dockerignore) parse and say what docs/SCALING.md and the
README promise: CI checks them here; it does not build the image (deploy/build.sh does)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1])
            for line in lines if line and not line.startswith("#")]


def test_dockerfile_builds_on_python_311_slim_and_runs_unprivileged():
    instructions = _dockerfile_instructions()
    names = [name for name, _ in instructions]
    froms = [args for name, args in instructions if name == "FROM"]
    assert froms and all(f.startswith("python:3.11-slim") for f in froms)
    # The last USER before CMD is not root, and the health check asks /health/ready.
    users = [args for name, args in instructions if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert names.index("USER") < names.index("CMD")
    healthcheck = next(args for name, args in instructions if name == "HEALTHCHECK")
    assert "/health/ready" in healthcheck
    cmd = next(args for name, args in instructions if name == "CMD")
    assert '"objectry", "serve", "--host", "0.0.0.0"' in cmd


def test_compose_has_the_database_the_pooler_and_replicated_api():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "pgbouncer", "api", "replica"}
    assert services["db"]["image"] == "postgres:16"
    assert services["replica"]["image"] == "postgres:16"
    assert services["replica"]["profiles"] == ["replica"]
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    api = services["api"]
    assert api["deploy"]["replicas"] > 1
    assert api["build"]["dockerfile"] == "deploy/Dockerfile"
    env = api["environment"]
    assert env["OBJECTRY_DATABASE_POOLER"] == "transaction"
    assert "@pgbouncer:" in env["DATABASE_URL"]
    assert "@db:" in env["OBJECTRY_DIRECT_DATABASE_URL"]
    assert "OBJECTRY_SECRET_KEY" in env  # every replica signs with the same key
    # Reads from the replica profile's standby when given (empty: the primary only).
    assert env["DATABASE_READ_URL"] == "${DATABASE_READ_URL:-}"


def _unit() -> configparser.ConfigParser:
    # strict=False: systemd allows a key more than once; none of ours relies on it.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((DEPLOY / "objectry.service").read_text())
    return parser


def test_systemd_unit_restarts_on_failure_hardened_with_an_environment_file():
    service = _unit()["Service"]
    assert service["EnvironmentFile"] == "/etc/objectry/objectry.env"
    assert service["Restart"] == "on-failure"
    assert " serve " in service["ExecStart"]
    assert service["User"] != "root"
    for option in ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp"):
        assert service[option] in ("yes", "strict"), option
    assert _unit()["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path):
    # verify also checks that ExecStart's program exists: the installed venv is not on this
    # machine, so the copy checked runs `true` instead; every other line is verified as written.
    # It exits 0 on unknown keys and bad values, printing them: any output is a failure.
    unit = (DEPLOY / "objectry.service").read_text()
    executable = shutil.which("true")
    assert executable is not None
    copy = tmp_path / "objectry.service"
    copy.write_text(unit.replace("/opt/objectry/bin/objectry", executable, 1))
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", ".objectry"):
        assert entry in ignored
