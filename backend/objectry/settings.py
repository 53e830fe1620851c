"""Settings from the environment, built once and passed down (never read from globals)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path(".objectry")
    # None means "start the embedded PostgreSQL in data_dir/pgdata".
    database_url: str | None = None
    pool_min_size: int = 2
    pool_max_size: int = 10
    max_body_bytes: int = 10 * 1024 * 1024
    max_bulk_records: int = 10_000
    max_fields_per_object: int = 500
    max_page_size: int = 1000
    default_page_size: int = 50
    # Tests share one embedded server across many apps; a served process stops it on exit.
    stop_embedded_on_exit: bool = True
    secret_key: str | None = None
    open_signup: bool = False
    access_token_minutes: int = 15
    refresh_token_days: int = 14
    # Failed sign-ins allowed per window, per account and per client address (a shared NAT
    # address serves many people, so it gets more).
    login_max_failures: int = 5
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 300
    # Reads: embedding nests at most this deep, and an answer larger than this is refused.
    max_embed_depth: int = 3
    max_response_bytes: int = 10 * 1024 * 1024
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        settings = cls(
            data_dir=Path(env.get("OBJECTRY_DATA_DIR", ".objectry")),
            database_url=env.get("DATABASE_URL") or None,
            pool_min_size=int(env.get("OBJECTRY_POOL_MIN", "2")),
            pool_max_size=int(env.get("OBJECTRY_POOL_MAX", "10")),
            secret_key=env.get("OBJECTRY_SECRET_KEY") or None,
            open_signup=_bool(env.get("OBJECTRY_OPEN_SIGNUP"), False),
            access_token_minutes=int(env.get("OBJECTRY_ACCESS_TOKEN_MINUTES", "15")),
            refresh_token_days=int(env.get("OBJECTRY_REFRESH_TOKEN_DAYS", "14")),
            login_max_failures=int(env.get("OBJECTRY_LOGIN_MAX_FAILURES", "5")),
            login_max_failures_per_address=int(env.get("OBJECTRY_LOGIN_MAX_FAILURES_PER_ADDRESS",
                                                       "20")),
            login_window_seconds=int(env.get("OBJECTRY_LOGIN_WINDOW_SECONDS", "300")),
            max_embed_depth=int(env.get("OBJECTRY_MAX_EMBED_DEPTH", "3")),
            max_response_bytes=int(env.get("OBJECTRY_MAX_RESPONSE_BYTES", str(10 * 1024 * 1024))),
        )
        return replace(settings, **overrides)  # type: ignore[arg-type]
