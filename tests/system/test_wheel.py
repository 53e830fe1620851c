"""`pip install .` gives a server that can start: the wheel built from a clean copy of the
sources carries the migrations and the admin as package data, and the installed package finds
them through importlib.resources — not in a checkout it no longer has. (CI goes further and
starts the installed wheel: .ci/run, .ci/serve_once.py.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from objectry import __version__
from objectry.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["backend/objectry", "alembic", "frontend_static", "pyproject.toml", "setup.py",
           "MANIFEST.in", "README.md"]
JUNK = shutil.ignore_patterns("__pycache__", "*.py[cod]", "*.egg-info")


def _files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built as `pip install .` builds one, from a copy holding only the sources."""
    tmp = tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        source, target = ROOT / name, tmp / "src" / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=JUNK)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp / "dist"), str(tmp / "src")], check=True, capture_output=True)
    return next((tmp / "dist").glob("objectry-*.whl"))


def test_the_wheel_carries_migrations_admin_and_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "backend" / "objectry"
    expected = {f"objectry/_migrations/{name}" for name in _files(ROOT / "alembic")}
    expected |= {f"objectry/_admin/{name}" for name in _files(ROOT / "frontend_static")}
    expected |= {f"objectry/{name}" for name in _files(package) if not name.endswith(".pyc")}
    assert expected - names == set()
    assert "objectry/_migrations/env.py" in names and "objectry/_admin/index.html" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert wheel.name.startswith(f"objectry-{__version__}-")


def test_the_installed_package_finds_them_inside_itself(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    probe = ("from objectry import bundled; from objectry.db import migrate; "
             "print(bundled.migrations()); print(bundled.admin()); print(migrate.head_revision())")
    env = {**os.environ, "PYTHONPATH": str(target)}
    found = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    assert found[0] == str(target / "objectry" / "_migrations")
    assert found[1] == str(target / "objectry" / "_admin")
    assert (Path(found[1]) / "index.html").is_file()
    assert found[2] == subprocess.run(  # the same head as the checkout's migrations
        [sys.executable, "-c", "from objectry.db import migrate; print(migrate.head_revision())"],
        check=True, capture_output=True, text=True).stdout.strip()


def test_a_checkout_reads_them_where_they_are() -> None:
    from objectry import bundled

    assert bundled.migrations() == ROOT / "alembic"
    assert bundled.admin() == ROOT / "frontend_static"


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"objectry {__version__}"
