"""The documented limits are settings read from the environment ("defaults, configurable")."""

from __future__ import annotations

import pytest

from objectry.settings import Settings

LIMITS = {
    "OBJECTRY_MAX_BODY_BYTES": ("max_body_bytes", 10 * 1024 * 1024, 2048),
    "OBJECTRY_MAX_IMPORT_BYTES": ("max_import_bytes", 2 * 1024 * 1024 * 1024, 4096),
    "OBJECTRY_IMPORT_LEASE_SECONDS": ("import_lease_seconds", 120, 2.5),
    "OBJECTRY_MAX_BULK_RECORDS": ("max_bulk_records", 10_000, 50),
    "OBJECTRY_MAX_FIELDS_PER_OBJECT": ("max_fields_per_object", 500, 20),
    "OBJECTRY_MAX_PAGE_SIZE": ("max_page_size", 1000, 200),
    "OBJECTRY_MAX_INDEXED_FIELDS": ("max_indexed_fields", 64, 8),
    "OBJECTRY_STATEMENT_TIMEOUT_MS": ("statement_timeout_ms", 15_000, 500),
    "OBJECTRY_MAX_EMBED_DEPTH": ("max_embed_depth", 3, 1),
    "OBJECTRY_MAX_RESPONSE_BYTES": ("max_response_bytes", 10 * 1024 * 1024, 4096),
    "OBJECTRY_SIGNUP_LIMIT": ("signup_limit", 20, 5),
    "OBJECTRY_REALTIME_RECHECK_SECONDS": ("realtime_recheck_seconds", 30, 1),
    "OBJECTRY_WEBHOOK_TIMEOUT_SECONDS": ("webhook_timeout_seconds", 10, 2.5),
    "OBJECTRY_WEBHOOK_DISABLE_AFTER_SECONDS": ("webhook_disable_after_seconds", 259_200, 60),
    "OBJECTRY_WEBHOOK_CONCURRENCY_PER_URL": ("webhook_concurrency_per_url", 4, 1),
    "OBJECTRY_WEBHOOK_LEASE_SECONDS": ("webhook_lease_seconds", 60, 5),
    "OBJECTRY_WEBHOOK_POLL_SECONDS": ("webhook_poll_seconds", 5, 0.5),
    "OBJECTRY_WEBHOOK_RETENTION_DAYS": ("webhook_retention_days", 30, 7),
    "OBJECTRY_REPLICA_WAIT_MS": ("replica_wait_ms", 200, 50),
    "OBJECTRY_REPLICA_MAX_LAG_MS": ("replica_max_lag_ms", 5000, 300),
    "OBJECTRY_REPLICA_RETRY_SECONDS": ("replica_retry_seconds", 5, 1.5),
    "OBJECTRY_REPLICA_CONNECT_TIMEOUT_MS": ("replica_connect_timeout_ms", 1000, 250),
}


@pytest.mark.parametrize("variable", sorted(LIMITS))
def test_each_limit_has_its_default_and_reads_its_variable(
        variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    attribute, default, configured = LIMITS[variable]
    monkeypatch.delenv(variable, raising=False)
    assert getattr(Settings.from_env(), attribute) == default
    monkeypatch.setenv(variable, str(configured))
    assert getattr(Settings.from_env(), attribute) == configured


@pytest.mark.parametrize(("url", "pooler_env", "expected_url", "expected_pooler"), [
    ("postgresql://u@db:5432/app", None, "postgresql://u@db:5432/app", "direct"),
    ("postgresql://u@db:6543/app?pgbouncer=true", None, "postgresql://u@db:6543/app",
     "transaction"),
    ("postgresql://u@db:6543/app?sslmode=require&pgbouncer=true&connect_timeout=5", None,
     "postgresql://u@db:6543/app?sslmode=require&connect_timeout=5", "transaction"),
    ("postgresql://u@db:6543/app?pgbouncer=false", None, "postgresql://u@db:6543/app", "direct"),
    ("postgresql://u@db:6543/app", "Transaction", "postgresql://u@db:6543/app", "transaction"),
    ("postgresql://u@db:6543/app?pgbouncer=true", "direct", "postgresql://u@db:6543/app",
     "direct"),
])
def test_the_pooler_is_read_from_its_setting_or_the_pgbouncer_flag(
        url: str, pooler_env: str | None, expected_url: str, expected_pooler: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    if pooler_env is None:
        monkeypatch.delenv("OBJECTRY_DATABASE_POOLER", raising=False)
    else:
        monkeypatch.setenv("OBJECTRY_DATABASE_POOLER", pooler_env)
    settings = Settings.from_env()
    assert (settings.database_url, settings.database_pooler) == (expected_url, expected_pooler)


def test_the_direct_url_defaults_to_the_database_url_and_a_bad_pooler_stops_the_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@pooler:6543/app?pgbouncer=true")
    monkeypatch.delenv("OBJECTRY_DIRECT_DATABASE_URL", raising=False)
    monkeypatch.delenv("OBJECTRY_DATABASE_POOLER", raising=False)
    assert Settings.from_env().direct_url == "postgresql://u@pooler:6543/app"
    monkeypatch.setenv("OBJECTRY_DIRECT_DATABASE_URL", "postgresql://u@db:5432/app")
    assert Settings.from_env().direct_url == "postgresql://u@db:5432/app"
    monkeypatch.setenv("OBJECTRY_DATABASE_POOLER", "statement")
    with pytest.raises(ValueError, match="OBJECTRY_DATABASE_POOLER must be one of"):
        Settings.from_env()

def test_pool_acquire_timeout_and_shutdown_grace(monkeypatch):
    assert (Settings().pool_acquire_timeout_ms, Settings().shutdown_grace_seconds) == (5000, 20)
    monkeypatch.setenv("OBJECTRY_POOL_ACQUIRE_TIMEOUT_MS", "1500")
    monkeypatch.setenv("OBJECTRY_SHUTDOWN_GRACE_SECONDS", "7")
    settings = Settings.from_env()
    assert (settings.pool_acquire_timeout_ms, settings.shutdown_grace_seconds) == (1500, 7)


def test_workspace_concurrency_is_half_the_pool_unless_set(monkeypatch):
    monkeypatch.delenv("OBJECTRY_WORKSPACE_CONCURRENCY", raising=False)
    monkeypatch.delenv("OBJECTRY_POOL_MAX", raising=False)
    assert Settings.from_env().workspace_limit == 9  # the pool's 10 but one
    monkeypatch.setenv("OBJECTRY_POOL_MAX", "67")
    assert Settings.from_env().workspace_limit == 66
    monkeypatch.setenv("OBJECTRY_POOL_MAX", "1")
    assert Settings.from_env().workspace_limit == 1
    monkeypatch.setenv("OBJECTRY_WORKSPACE_CONCURRENCY", "0")  # off
    assert Settings.from_env().workspace_limit == 0
    monkeypatch.setenv("OBJECTRY_WORKSPACE_CONCURRENCY", "3")
    assert Settings.from_env().workspace_limit == 3


def test_webhook_retry_schedule_and_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("OBJECTRY_WEBHOOK_RETRY_SCHEDULE", "OBJECTRY_WEBHOOK_ALLOW_PRIVATE",
                     "OBJECTRY_WEBHOOK_WORKER"):
        monkeypatch.delenv(variable, raising=False)
    default = Settings.from_env()
    assert default.webhook_retry_schedule == (5, 60, 600, 3600, 21600, 86400)
    assert (default.webhook_allow_private, default.webhook_worker) == (False, True)
    monkeypatch.setenv("OBJECTRY_WEBHOOK_RETRY_SCHEDULE", "0, 1.5")
    monkeypatch.setenv("OBJECTRY_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("OBJECTRY_WEBHOOK_WORKER", "false")
    configured = Settings.from_env()
    assert configured.webhook_retry_schedule == (0, 1.5)
    assert (configured.webhook_allow_private, configured.webhook_worker) == (True, False)
    monkeypatch.setenv("OBJECTRY_WEBHOOK_RETRY_SCHEDULE", "5,-1")
    with pytest.raises(ValueError, match="negative"):
        Settings.from_env()


@pytest.mark.parametrize(("url", "expected_url", "expected_pooler"), [
    (None, None, "direct"),
    ("", None, "direct"),  # compose's ${DATABASE_READ_URL:-}
    ("postgresql://u@replica:5432/app", "postgresql://u@replica:5432/app", "direct"),
    ("postgresql://u@replica:6543/app?pgbouncer=true", "postgresql://u@replica:6543/app",
     "transaction"),
])
def test_the_read_replica_url_and_its_pooler_flag(
        url: str | None, expected_url: str | None, expected_pooler: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if url is None:
        monkeypatch.delenv("DATABASE_READ_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_READ_URL", url)
    settings = Settings.from_env()
    assert (settings.database_read_url, settings.database_read_pooler) == (expected_url,
                                                                            expected_pooler)
