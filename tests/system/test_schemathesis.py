"""schemathesis (every phase, bounded by schemathesis.toml) against a live server finds no
server error, undocumented status, schema or header violation, and no valid request refused
(tests/system/schemathesis_live.py; ~3 minutes)."""

from __future__ import annotations

import re

from tests.support.databases import fresh_database_blocking
from tests.system.schemathesis_live import ROOT, run

# The last run's report stays here for reading (test-artifacts/ is not committed).
KEPT = ROOT / "test-artifacts" / "schemathesis" / "last-run.txt"

# schemathesis.toml's seed, which the first attempt uses.
SEED = int(re.search(r"^seed = (\d+)$", (ROOT / "schemathesis.toml").read_text(), re.M)[1])

# The report's summary of errors: one "🚫 <title>: <count>" line per kind.
_ERROR_KINDS = re.compile(r"^\s*🚫 (.+?): \d+\s*$", re.M)


def crashed_itself(report: str) -> bool:
    """Whether a failed run failed only because schemathesis raised in its own code: no check
    failed (no FAILURES section), every error is a "Runtime Error" (an exception the tool did
    not classify, such as an AssertionError inside its coverage generator, seen once in CI),
    and the tracebacks run through schemathesis. Not a finding about the API, so the run is
    worth one more try; a network error, an unresponsive operation or a failed check is not."""
    kinds = set(_ERROR_KINDS.findall(report))
    return (" FAILURES " not in report and kinds == {"Runtime Error"}
            and "/schemathesis/" in report)


def errors_of(report: str) -> str:
    """The report's ERRORS section, tracebacks included: the tail the failure prints (its
    summary) leaves it out, and a crash cannot be read without it."""
    start = report.find(" ERRORS ") + 1
    end = report.find(" SUMMARY ", start)
    return "" if start == 0 else report[start:end if end > 0 else None][:20000] + "\n"


def test_schemathesis_finds_nothing(server_url, tmp_path):
    reports = []
    for attempt in (1, 2):
        report, work = tmp_path / f"schemathesis-{attempt}.txt", tmp_path / str(attempt)
        work.mkdir()
        # A retry draws from another seed, on one worker: CI once saw a crash in both attempts
        # on the configured seed and two workers (schemathesis.toml), which twelve local runs of
        # its first two phases under full CPU load did not reproduce; one worker rules out a
        # race between its threads.
        retry = [] if attempt == 1 else ["--seed", str(SEED + attempt), "--workers", "1"]
        with fresh_database_blocking(server_url, "objectry_fuzz") as url:
            status = run(url, work, retry, output=report)
        text = report.read_text()
        reports.append(text)
        KEPT.parent.mkdir(parents=True, exist_ok=True)
        KEPT.write_text(text)
        if status == 0 or not crashed_itself(text):
            break
    earlier = "".join(f"(attempt {i}: schemathesis crashed in its own code)\n{errors_of(t)}\n"
                      for i, t in enumerate(reports[:-1], 1))
    assert status == 0, earlier + errors_of(text) + text[-20000:]
    assert "No issues found" in text or " passed" in text, earlier + text[-3000:]


def test_a_crash_of_the_tool_is_told_from_a_finding():
    crash = ("=== ERRORS ===\n___ POST /api/records ___\nRuntime Error\n\n    AssertionError\n"
             '  File ".../site-packages/schemathesis/specs/openapi/coverage/_operation.py"\n'
             "Errors:\n  🚫 Runtime Error: 1\n")
    assert crashed_itself(crash)
    assert errors_of(crash + "=== SUMMARY ===\n").startswith("ERRORS ===\n___ POST /api/records")
    assert "_operation.py" in errors_of(crash) and errors_of("all passed") == ""
    finding = crash.replace("=== ERRORS ===", "=== FAILURES ===\n1. Server error\n=== ERRORS ===")
    assert not crashed_itself(finding)
    network = crash + "  🚫 Network Error: 2\n"
    assert not crashed_itself(network)
    assert not crashed_itself(crash.replace("/schemathesis/", "/objectry/"))
