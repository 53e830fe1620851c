"""The layers of auth/ and metadata/, read from their source (no database): SQL text lives only
in repo modules; routes reach the database only through a service; a repo knows nothing of
HTTP. A statement added to a service or a route fails here with the place to move it to."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import objectry

PACKAGE = Path(objectry.__file__).parent
# A string that holds (part of) an SQL statement: upper-case keywords, as the code writes them.
SQL = re.compile(r"\b(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s)")
# Index DDL, catalog checks and advisory locks on owner connections of their own (field-index
# builds): not SQL a repo could hold for a request's transaction.
NOT_REPOS = {"metadata/indexes.py"}


def modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (PACKAGE / package).rglob("*.py"))


def name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def is_repo(path: Path) -> bool:
    return path.name == "repo.py" or path.name.endswith("_repo.py")


def sql_strings(tree: ast.AST) -> list[tuple[int, str]]:
    """The SQL-looking string constants of a module, docstrings left out."""
    docstrings = {id(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and SQL.search(node.value)]


def imported(tree: ast.AST) -> set[str]:
    """Every module a module imports, `from a import b` counted as both `a` and `a.b`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def parsed(path: Path) -> ast.AST:
    return ast.parse(path.read_text(), filename=str(path))


@pytest.mark.parametrize("path", [p for p in modules("auth", "metadata") if not is_repo(p)
                                  and name(p) not in NOT_REPOS], ids=name)
def test_sql_lives_only_in_repo_modules(path: Path) -> None:
    found = sql_strings(parsed(path))
    assert not found, (f"{name(path)} holds SQL at line(s) {[line for line, _ in found]}: "
                       "move it into the package's repo.py (or a small <thing>_repo.py)")


def test_the_repo_modules_hold_the_sql() -> None:
    # The check above would pass vacuously if the pattern stopped matching what repos write.
    for path in modules("auth", "metadata"):
        if is_repo(path):
            assert sql_strings(parsed(path)), f"{name(path)} holds no SQL: is SQL still found?"


@pytest.mark.parametrize("path", modules("auth"), ids=name)
def test_auth_routes_reach_the_database_only_through_a_service(path: Path) -> None:
    names = imported(parsed(path))
    if path.name == "routes.py":
        assert "asyncpg" not in names
        assert not any(n.endswith(("repo", "_repo")) for n in names), sorted(names)
    if is_repo(path):
        web = ("fastapi", "starlette", "objectry.web")
        assert not any(n == w or n.startswith(w + ".") for n in names for w in web), names
        assert not any(n.endswith(".service") for n in names), sorted(names)


def test_each_auth_package_has_the_three_roles() -> None:
    for package in ("sessions", "members", "tokens"):
        for role in ("routes.py", "service.py", "repo.py"):
            assert (PACKAGE / "auth" / package / role).is_file(), f"auth/{package}/{role}"
