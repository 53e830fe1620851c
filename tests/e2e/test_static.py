"""The admin's files without a browser: CSP-friendly (no inline script, style or handlers, no
HTML from strings), every module small, and every module the app imports present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "frontend_static"
MODULES = sorted((STATIC / "js").rglob("*.js"))
IMPORT = re.compile(r'^import [^;]*? from "(\.{1,2}/[^"]+)";', re.M)


def test_index_loads_only_files_and_sets_a_policy() -> None:
    html = (STATIC / "index.html").read_text()
    assert 'http-equiv="Content-Security-Policy"' in html
    assert "script-src 'self'" in html and "style-src 'self'" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script"
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html), "no inline style or handler"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(STATIC)) for p in MODULES])
def test_module_is_small_and_builds_dom_safely(path: Path) -> None:
    source = path.read_text()
    assert len(source.splitlines()) <= 300, "split the module: 300 lines at most"
    assert source.startswith("//"), "a first comment says the module's one job"
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                  "new Function", 'setAttribute("style"', "setAttribute('style'"):
        assert risky not in source, f"{risky} in {path.name}"
    for target in IMPORT.findall(source):
        assert (path.parent / target).resolve().is_file(), f"{path.name} imports {target}"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(STATIC)) for p in MODULES])
def test_only_api_js_spells_endpoint_urls(path: Path) -> None:
    """Every server URL is in js/api.js (one function per endpoint); the rest call those."""
    if path == STATIC / "js" / "api.js":
        return
    source = path.read_text()
    assert not re.search(r"[\"'`]/(api|rest|realtime)/", source), "call a function of api.js"
    assert not re.search(r"\bfetch\(", source), "only api.js talks to the server"
