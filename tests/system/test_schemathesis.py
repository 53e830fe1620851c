"""schemathesis (every phase, bounded by schemathesis.toml) against a live server finds no
server error, undocumented status, schema or header violation, and no valid request refused
(tests/system/schemathesis_live.py; ~3 minutes)."""

from __future__ import annotations

from tests.support.databases import fresh_database_blocking
from tests.system.schemathesis_live import ROOT, run

# The last run's report stays here for reading (test-artifacts/ is not committed).
KEPT = ROOT / "test-artifacts" / "schemathesis" / "last-run.txt"


def test_schemathesis_finds_nothing(server_url, tmp_path):
    report = tmp_path / "schemathesis.txt"
    with fresh_database_blocking(server_url, "objectry_fuzz") as url:
        status = run(url, tmp_path, [], output=report)
    text = report.read_text()
    KEPT.parent.mkdir(parents=True, exist_ok=True)
    KEPT.write_text(text)
    assert status == 0, text[-20000:]
    assert "No issues found" in text or " passed" in text, text[-3000:]
