"""schemathesis against a live server: a real uvicorn on loopback over a fresh database, seeded
with a workspace, an API token and an object with fields and records, then `st run` with the
repository's schemathesis.toml (phases, checks, bounds) and the token.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m tests.system.schemathesis_live [extra st run options]

tests/system/test_schemathesis.py runs the same and expects exit status 0 (no failure).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.databases import fresh_database_blocking
from tests.support.servers import Server, serving

ROOT = Path(__file__).resolve().parents[2]
ST = str(Path(sys.executable).with_name("st"))
PASSWORD = "schemathesis-seeds-" + secrets.token_hex(8)


def seed(base: str) -> str:
    """A workspace with an object `contact` (text, number, choice, date fields), a second
    object linked to it, a few records, and an API token with every scope; returns the token."""
    with httpx.Client(base_url=base, timeout=30) as client:
        def ok(response: httpx.Response) -> dict:
            assert response.status_code in (200, 201), response.text
            return response.json()

        ok(client.post("/api/auth/register", json={"email": "fuzz@example.com",
                                                    "password": PASSWORD}))
        login = ok(client.post("/api/auth/login", json={"email": "fuzz@example.com",
                                                        "password": PASSWORD}))
        client.headers["Authorization"] = f"Bearer {login['access_token']}"
        contact = ok(client.post("/api/objects", json={"name": "contact", "label": "Contact"}))
        company = ok(client.post("/api/objects", json={"name": "company", "label": "Company"}))
        stages = {"options": [{"value": "lead", "label": "Lead"}, {"value": "won", "label": "Won"}]}
        for name, type_, config in (("name", "text", {}), ("age", "number", {}),
                                    ("stage", "select", stages), ("born", "date", {})):
            ok(client.post(f"/api/objects/{contact['id']}/fields",
                           json={"name": name, "label": name.title(), "type": type_,
                                 "config": config}))
        ok(client.post(f"/api/objects/{company['id']}/fields",
                       json={"name": "title", "label": "Title", "type": "text"}))
        ok(client.post("/api/relationships", json={
            "name": "employer", "from_object_id": contact["id"], "to_object_id": company["id"],
            "type": "1:N", "from_label": "Employer", "to_label": "Employees"}))
        for i in range(3):
            ok(client.post("/api/records", json={"object": "contact", "data": {
                "name": f"Ada {i}", "age": 30 + i, "stage": "lead", "born": f"1990-01-0{i + 1}"}}))
            ok(client.post("/api/records", json={"object": "company",
                                                 "data": {"title": f"Firm {i}"}}))
        token = ok(client.post("/api/tokens", json={
            "name": "schemathesis", "scopes": ["records:read", "records:write", "schema:read",
                                               "schema:write", "admin"]}))
        return str(token["token"])


def run(database_url: str, work: Path, extra: list[str], output: Path | None = None) -> int:
    """Serve, seed, run schemathesis (its report to `output` if given, else the terminal);
    its exit status (0: no failure)."""
    server = Server(work / "data", database_url, {"OBJECTRY_SECRET_KEY": secrets.token_hex(32)})
    with serving(server):
        base = server.url
        token = seed(base)
        command = [ST, "--config-file", str(ROOT / "schemathesis.toml"), "--no-color", "run",
                   f"{base}/openapi.json", "-H", f"Authorization: Bearer {token}", *extra]
        if output is None:
            return subprocess.run(command, cwd=work, check=False).returncode
        with open(output, "wb") as out:
            return subprocess.run(command, cwd=work, check=False, stdout=out,
                                  stderr=subprocess.STDOUT).returncode


def main() -> int:
    server = os.environ.get("DATABASE_URL")
    if not server:
        raise SystemExit("set DATABASE_URL to a PostgreSQL server (a database is created on it)")
    work = ROOT / "test-artifacts" / "schemathesis"
    work.mkdir(parents=True, exist_ok=True)
    with fresh_database_blocking(server, "objectry_fuzz") as url:
        return run(url, work, sys.argv[1:])


if __name__ == "__main__":
    asyncio.set_event_loop(None)
    raise SystemExit(main())
