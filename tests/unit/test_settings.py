"""The documented limits are settings read from the environment ("defaults, configurable")."""

from __future__ import annotations

import pytest

from objectry.settings import Settings

LIMITS = {
    "OBJECTRY_MAX_BODY_BYTES": ("max_body_bytes", 10 * 1024 * 1024, 2048),
    "OBJECTRY_MAX_BULK_RECORDS": ("max_bulk_records", 10_000, 50),
    "OBJECTRY_MAX_FIELDS_PER_OBJECT": ("max_fields_per_object", 500, 20),
    "OBJECTRY_MAX_PAGE_SIZE": ("max_page_size", 1000, 200),
    "OBJECTRY_MAX_INDEXED_FIELDS": ("max_indexed_fields", 64, 8),
    "OBJECTRY_STATEMENT_TIMEOUT_MS": ("statement_timeout_ms", 15_000, 500),
    "OBJECTRY_MAX_EMBED_DEPTH": ("max_embed_depth", 3, 1),
    "OBJECTRY_MAX_RESPONSE_BYTES": ("max_response_bytes", 10 * 1024 * 1024, 4096),
    "OBJECTRY_SIGNUP_LIMIT": ("signup_limit", 20, 5),
}


@pytest.mark.parametrize("variable", sorted(LIMITS))
def test_each_limit_has_its_default_and_reads_its_variable(
        variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    attribute, default, configured = LIMITS[variable]
    monkeypatch.delenv(variable, raising=False)
    assert getattr(Settings.from_env(), attribute) == default
    monkeypatch.setenv(variable, str(configured))
    assert getattr(Settings.from_env(), attribute) == configured


def test_pool_acquire_timeout_and_shutdown_grace(monkeypatch):
    assert (Settings().pool_acquire_timeout_ms, Settings().shutdown_grace_seconds) == (5000, 20)
    monkeypatch.setenv("OBJECTRY_POOL_ACQUIRE_TIMEOUT_MS", "1500")
    monkeypatch.setenv("OBJECTRY_SHUTDOWN_GRACE_SECONDS", "7")
    settings = Settings.from_env()
    assert (settings.pool_acquire_timeout_ms, settings.shutdown_grace_seconds) == (1500, 7)
