"""`objectry gen types`: the TypeScript output compiles under `tsc --strict` with supabase-js
reading it (tests/clients/ts/usage.ts), the Python output passes `mypy --strict` with a
postgrest-py call, and both name exactly the columns the data API returns."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from objectry.cli import app
from objectry.schema_code import catalog, typegen
from tests.api.builders import ok

TS_CLIENT = Path(__file__).parents[1] / "clients" / "ts"
MYPY = str(Path(sys.executable).with_name("mypy"))

USAGE_PY = '''
from typing import cast

from postgrest import SyncPostgrestClient

from generated import DealInsert, DealRow, DealUpdate

client = SyncPostgrestClient("http://localhost:8000/rest/v1", headers={"apikey": "token"})


def titles() -> list[str | None]:
    rows = cast(list[DealRow], client.from_("deals").select("*").execute().data)
    weighted: float | None = rows[0]["weighted_value"]
    number: str | None = rows[0]["deal_number"]
    print(weighted, number)
    return [row["title"] for row in rows]


def add() -> None:
    deal: DealInsert = {"title": "Anvils", "status": "open", "amount": 100.0}
    client.from_("deals").insert(dict(deal)).execute()
    change: DealUpdate = {"probability": 50.0}
    client.from_("deals").update(dict(change)).eq("title", "Anvils").execute()
'''
# Each must be refused by mypy: a value outside the options, a computed field, a missing title.
WRONG_PY = [
    'bad: DealInsert = {"title": "x", "status": "maybe"}',
    'bad: DealInsert = {"title": "x", "status": "open", "weighted_value": 1.0}',
    'bad: DealInsert = {"status": "open"}',
]


def crm() -> dict[str, Any]:
    return catalog.get("crm")["schema"]


def tsc() -> Path:
    """tests/clients/ts with typescript and supabase-js, installed on first use (npm ci)."""
    if not (TS_CLIENT / "node_modules" / "typescript").is_dir():
        npm = shutil.which("npm")
        assert npm is not None, "npm is needed to install tests/clients/ts"
        subprocess.run([npm, "ci", "--prefix", str(TS_CLIENT), "--no-audit", "--no-fund",
                        "--silent"], check=True, timeout=300)
    return TS_CLIENT / "node_modules" / "typescript" / "bin" / "tsc"


def test_typescript_compiles_strict_with_supabase_js(tmp_path):
    schema = tmp_path / "crm.yaml"
    schema.write_text(yaml.safe_dump(crm()))
    result = CliRunner().invoke(app, ["gen", "types", "--lang", "typescript", "--schema",
                                      str(schema), "-o", str(TS_CLIENT / "generated.ts")])
    assert result.exit_code == 0, result.stderr
    compiled = subprocess.run(
        ["node", str(tsc()), "--strict", "--noEmit", "--target", "es2022", "--module",
         "esnext", "--moduleResolution", "bundler", "--skipLibCheck", "usage.ts"],
        cwd=TS_CLIENT, capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def _mypy(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    (folder / "usage.py").write_text(source)
    return subprocess.run([MYPY, "--strict", "--no-incremental", "--cache-dir", os.devnull,
                           "usage.py"], cwd=folder, capture_output=True, text=True,
                          timeout=300)


def test_python_passes_mypy_strict_with_postgrest(tmp_path):
    (tmp_path / "generated.py").write_text(typegen.python(crm()))
    checked = _mypy(tmp_path, USAGE_PY)
    assert checked.returncode == 0, checked.stdout
    for wrong in WRONG_PY:
        refused = _mypy(tmp_path, "from generated import DealInsert\n" + wrong + "\n")
        assert refused.returncode == 1, (wrong, refused.stdout)


@pytest.mark.parametrize("name", ["crm", "ecommerce"])
async def test_rows_have_exactly_the_generated_columns(api, tmp_path, name):
    await ok(await api.post(f"/api/templates/{name}/apply",
                            json={"with_sample_records": True}))
    document = await ok(await api.get("/api/schema"))
    namespace: dict[str, Any] = {}
    exec(compile(typegen.python(document), "generated.py", "exec"), namespace)  # noqa: S102
    for obj in document["objects"]:
        rows = await ok(await api.get(f"/rest/v1/{obj['plural_name']}", params={"limit": 1}))
        row_type = namespace[typegen.pascal(obj["name"]) + "Row"]
        assert set(rows[0]) == set(row_type.__annotations__), obj["name"]
