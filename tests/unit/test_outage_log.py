"""During an outage the server logs one line per second, not one per failed request."""

from __future__ import annotations

import logging

import pytest

from objectry.web.error_handlers import _OutageLog


def test_repeats_within_the_interval_are_counted_into_the_next_line(
        caplog: pytest.LogCaptureFixture) -> None:
    outage = _OutageLog(every_seconds=3600)
    with caplog.at_level(logging.WARNING, logger="objectry"):
        for _ in range(5):
            outage.warn(ConnectionRefusedError("refused"))
        assert [r.getMessage() for r in caplog.records] == [
            "database unavailable: ConnectionRefusedError('refused') "
            "(0 more like it since the last line)"]
        outage.last -= 3600  # the interval has passed
        outage.warn(ConnectionRefusedError("refused"))
    assert caplog.records[-1].getMessage().endswith("(4 more like it since the last line)")
    assert len(caplog.records) == 2
