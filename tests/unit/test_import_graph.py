"""The import graph of backend/objectry, read from the source (ast; nothing is imported).

Three lines it must keep: metadata never imports records (records reads the metadata snapshot,
not the other way round); the query compiler and the formula language reach no web framework,
driver or database layer, even through the modules they import; top-level packages import each
other without cycles (once the arrows of KNOWN_CYCLE_ARROWS are set aside).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import objectry

ROOT = Path(objectry.__file__).parent
IMPURE = ("fastapi", "starlette", "asyncpg", "objectry.db", "objectry.web")

# Without these arrows the top-level packages form no cycle. They are outside the field-type
# work of issue 11 and go as the other parts land (web/error_handlers.py importing the query and
# rest errors; web/context.py importing auth and lifespan; auth importing lifespan's State).
# The list may only shrink: any other arrow that closes a cycle fails the test.
KNOWN_CYCLE_ARROWS = frozenset({
    ("web", "auth"), ("web", "lifespan"), ("auth", "lifespan"),
})


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


@cache
def imports(module: str) -> frozenset[str]:
    """What `module` imports (anywhere in it, TYPE_CHECKING included), as module names:
    `from objectry import offload` is objectry.offload, a name from a module is that module."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names
                      if f"{node.module}.{a.name}" in MODULES}
    return frozenset(found)


def reached(module: str) -> Iterator[str]:
    """Every objectry module that importing `module` runs, itself and its packages included."""
    seen: set[str] = set()
    stack = [module]
    while stack:
        name = stack.pop()
        parts = name.split(".")
        for here in (".".join(parts[:i]) for i in range(1, len(parts) + 1)):
            if here in MODULES and here not in seen:
                seen.add(here)
                stack.extend(imports(here))
    yield from sorted(seen)


def package(module: str) -> str:
    """The top-level package (or module) under objectry that `module` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "objectry"


def package_arrows() -> set[tuple[str, str]]:
    return {(package(m), package(i)) for m in MODULES for i in imports(m)
            if i.startswith("objectry") and package(m) != package(i)}


def cycles(arrows: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The arrows that lie on a cycle: a → b where b reaches a back."""
    following: dict[str, set[str]] = {}
    for a, b in arrows:
        following.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(following.get(node, ()))
        return False

    return sorted((a, b) for a, b in arrows if reaches(b, a))


def test_metadata_never_imports_records():
    arrows = [(m, i) for m in MODULES if m.startswith("objectry.metadata")
              for i in imports(m) if i.startswith("objectry.records")]
    assert not arrows


@pytest.mark.parametrize("package", ["objectry.records.query", "objectry.formula"])
def test_the_compilers_reach_no_web_driver_or_database_layer(package):
    compiler = [m for m in MODULES if m.startswith(package)]
    assert compiler
    impure = {(start, m, i) for start in compiler for m in reached(start)
              for i in imports(m) if i.startswith(IMPURE)}
    assert not impure


def test_no_cycle_between_top_level_packages():
    assert not cycles(package_arrows() - KNOWN_CYCLE_ARROWS)


def test_the_checks_see_what_they_look_for():
    # The graph reading itself: a known arrow, a from-package import, and a cycle.
    assert "objectry.sqltext" in imports("objectry.metadata.indexes")
    assert "objectry.offload" in imports("objectry.records.service")
    assert "objectry.metadata.model" in reached("objectry.records.query.plan")
    assert cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [
        ("a", "b"), ("b", "c"), ("c", "a")]
