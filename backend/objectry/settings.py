"""Settings from the environment, built once and passed down (never read from globals)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _networks(value: str | None) -> tuple[Network, ...]:
    """Comma-separated CIDRs (a bare address is a /32 or /128); a bad one stops the start."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False)
                 for part in (value or "").split(",") if part.strip())


# How the pool reaches PostgreSQL (db/pool.py): straight, or through a pooler in transaction mode.
DIRECT, TRANSACTION = "direct", "transaction"
POOLERS = (DIRECT, TRANSACTION)


def _without_pgbouncer_flag(url: str | None) -> tuple[str | None, bool]:
    """Prisma's and Supabase's `?pgbouncer=true` marks a transaction pooler's URL; the flag is
    taken out (PgBouncer refuses unknown startup parameters) and read as the pooler setting."""
    if url is None or "pgbouncer=" not in url:
        return url, False
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    flag = any(key == "pgbouncer" and _bool(value, False) for key, value in query)
    kept = urlencode([(key, value) for key, value in query if key != "pgbouncer"])
    return urlunsplit(parts._replace(query=kept)), flag


RETRY_SCHEDULE = (5.0, 60.0, 600.0, 3600.0, 21600.0, 86400.0)  # webhooks (docs/API.md)


def _seconds(value: str | None, default: tuple[float, ...]) -> tuple[float, ...]:
    """Comma-separated delays in seconds (OBJECTRY_WEBHOOK_RETRY_SCHEDULE); a bad one stops
    the start."""
    if value is None or not value.strip():
        return default
    delays = tuple(float(part) for part in value.split(","))
    if any(delay < 0 for delay in delays):
        raise ValueError("OBJECTRY_WEBHOOK_RETRY_SCHEDULE: delays must not be negative")
    return delays


def _optional_int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip() else None


def _pooler(value: str | None, flagged: bool) -> str:
    pooler = (value or (TRANSACTION if flagged else DIRECT)).strip().lower()
    if pooler not in POOLERS:
        raise ValueError(f"OBJECTRY_DATABASE_POOLER must be one of {', '.join(POOLERS)}")
    return pooler


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path(".objectry")
    # None means "start the embedded PostgreSQL in data_dir/pgdata".
    database_url: str | None = None
    # "transaction" when database_url is a transaction-mode pooler (PgBouncer, Supavisor):
    # every request's statements then carry their scope in a transaction of their own.
    database_pooler: str = DIRECT
    # A session of its own, never through a transaction pooler: migrations, LISTEN, field-index
    # DDL and the advisory locks it holds across transactions. None: database_url.
    direct_database_url: str | None = None
    # A streaming replica for reads (db/replica.py): None reads from the primary only.
    database_read_url: str | None = None
    database_read_pooler: str = DIRECT  # TRANSACTION when the read URL has ?pgbouncer=true
    # A read that needs a write the replica has not replayed yet waits this long, then the
    # primary serves it; a replica further behind the primary than max lag serves nothing;
    # one that cannot be reached is left alone for retry seconds (connecting: connect timeout).
    replica_wait_ms: int = 200
    replica_max_lag_ms: int = 5_000
    replica_retry_seconds: float = 5
    replica_connect_timeout_ms: int = 1_000
    pool_min_size: int = 2
    pool_max_size: int = 10
    max_body_bytes: int = 10 * 1024 * 1024
    max_import_bytes: int = 2 * 1024 * 1024 * 1024  # an import's upload, spooled to disk
    # A running import whose heartbeat (renewed per chunk) is older than this: its process died.
    import_lease_seconds: float = 120
    max_bulk_records: int = 10_000
    max_fields_per_object: int = 500
    # Attachments with is_indexed or is_unique (both on one counts once), per workspace.
    max_indexed_fields: int = 64
    max_page_size: int = 1000
    default_page_size: int = 50
    # Every statement on the runtime pool; a cancelled one answers 503 query_timeout.
    statement_timeout_ms: int = 15_000
    # The longest a request waits for a pooled connection (or for a new one to connect): past
    # it, 503 unavailable, whether the database is down or every connection is busy.
    pool_acquire_timeout_ms: int = 5_000
    # Per-workspace admission control (db/admission.py): units of database work (a statement or
    # a transaction) one workspace may have running at once in this process; more wait their
    # turn in FIFO order within the acquire timeout above. None: the pool but one (see
    # `workspace_limit`), so that one workspace never holds every connection; 0 turns it off.
    workspace_concurrency: int | None = None
    # /realtime/v1 channels reading with a session JWT check it again this often, so that a
    # logout (or a membership removed) stops delivery (API tokens: at once, by NOTIFY).
    realtime_recheck_seconds: int = 30
    # On SIGTERM, in-flight requests get this long to finish before they are cancelled.
    shutdown_grace_seconds: int = 20
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
    # Sign-ups allowed per client address per hour.
    signup_limit: int = 20
    # Peers whose X-Forwarded-For is believed (auth/client_address.py); none by default.
    trusted_proxies: tuple[Network, ...] = ()
    # smtp[s]://[user:pass@]host[:port][?from=…&starttls=true]: invitations are also e-mailed.
    smtp_url: str | None = None
    # The address people reach the server at (for links in e-mails); else the request's.
    public_url: str | None = None
    # Reads: embedding nests at most this deep, and an answer larger than this is refused.
    max_embed_depth: int = 3
    max_response_bytes: int = 10 * 1024 * 1024
    # Webhooks (objectry/webhooks). Whether this process sends deliveries (any number of
    # processes may; tests of other parts run without).
    webhook_worker: bool = True
    # URLs resolving to private, loopback, link-local or reserved addresses are refused unless
    # this is on (a test receiver on 127.0.0.1).
    webhook_allow_private: bool = False
    # Seconds before each retry: N delays allow N + 1 attempts, then the delivery fails.
    webhook_retry_schedule: tuple[float, ...] = RETRY_SCHEDULE
    webhook_timeout_seconds: float = 10
    # A webhook whose deliveries fail for this long without one success is deactivated.
    webhook_disable_after_seconds: float = 3 * 24 * 3600
    # Deliveries in flight per target URL (scheme, host, port), per process.
    webhook_concurrency_per_url: int = 4
    # A claimed delivery not finished within this long (its process died) is claimed again.
    webhook_lease_seconds: float = 60
    # The safety net beside NOTIFY: the queue is looked at this often anyway.
    webhook_poll_seconds: float = 5
    # Events (and their deliveries, once final) older than this leave the delivery log.
    webhook_retention_days: float = 30
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def workspace_limit(self) -> int:
        """The per-workspace limit in force: the setting, else all of the pool but one
        connection (at least 1). Half the pool cost a single busy workspace 6-14% of its
        throughput at 16 connections (its requests queued at the gate while connections sat
        idle) and did not measurably shorten a neighbour's wait on 2 cores (bench/notes.md);
        one connection kept back still means a workspace can never hold the whole pool."""
        if self.workspace_concurrency is not None:
            return self.workspace_concurrency
        return max(1, self.pool_max_size - 1)

    @property
    def direct_url(self) -> str | None:
        return self.direct_database_url or self.database_url

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        database_url, flagged = _without_pgbouncer_flag(env.get("DATABASE_URL") or None)
        read_url, read_flagged = _without_pgbouncer_flag(env.get("DATABASE_READ_URL") or None)
        settings = cls(
            data_dir=Path(env.get("OBJECTRY_DATA_DIR", ".objectry")),
            database_url=database_url,
            database_pooler=_pooler(env.get("OBJECTRY_DATABASE_POOLER"), flagged),
            direct_database_url=env.get("OBJECTRY_DIRECT_DATABASE_URL") or None,
            database_read_url=read_url,
            database_read_pooler=TRANSACTION if read_flagged else DIRECT,
            replica_wait_ms=int(env.get("OBJECTRY_REPLICA_WAIT_MS", "200")),
            replica_max_lag_ms=int(env.get("OBJECTRY_REPLICA_MAX_LAG_MS", "5000")),
            replica_retry_seconds=float(env.get("OBJECTRY_REPLICA_RETRY_SECONDS", "5")),
            replica_connect_timeout_ms=int(env.get("OBJECTRY_REPLICA_CONNECT_TIMEOUT_MS",
                                                   "1000")),
            pool_min_size=int(env.get("OBJECTRY_POOL_MIN", "2")),
            pool_max_size=int(env.get("OBJECTRY_POOL_MAX", "10")),
            max_body_bytes=int(env.get("OBJECTRY_MAX_BODY_BYTES", str(10 * 1024 * 1024))),
            max_import_bytes=int(env.get("OBJECTRY_MAX_IMPORT_BYTES",
                                         str(2 * 1024 * 1024 * 1024))),
            import_lease_seconds=float(env.get("OBJECTRY_IMPORT_LEASE_SECONDS", "120")),
            max_bulk_records=int(env.get("OBJECTRY_MAX_BULK_RECORDS", "10000")),
            max_fields_per_object=int(env.get("OBJECTRY_MAX_FIELDS_PER_OBJECT", "500")),
            max_page_size=int(env.get("OBJECTRY_MAX_PAGE_SIZE", "1000")),
            max_indexed_fields=int(env.get("OBJECTRY_MAX_INDEXED_FIELDS", "64")),
            statement_timeout_ms=int(env.get("OBJECTRY_STATEMENT_TIMEOUT_MS", "15000")),
            pool_acquire_timeout_ms=int(env.get("OBJECTRY_POOL_ACQUIRE_TIMEOUT_MS", "5000")),
            workspace_concurrency=_optional_int(env.get("OBJECTRY_WORKSPACE_CONCURRENCY")),
            realtime_recheck_seconds=int(env.get("OBJECTRY_REALTIME_RECHECK_SECONDS", "30")),
            shutdown_grace_seconds=int(env.get("OBJECTRY_SHUTDOWN_GRACE_SECONDS", "20")),
            secret_key=env.get("OBJECTRY_SECRET_KEY") or None,
            open_signup=_bool(env.get("OBJECTRY_OPEN_SIGNUP"), False),
            access_token_minutes=int(env.get("OBJECTRY_ACCESS_TOKEN_MINUTES", "15")),
            refresh_token_days=int(env.get("OBJECTRY_REFRESH_TOKEN_DAYS", "14")),
            login_max_failures=int(env.get("OBJECTRY_LOGIN_MAX_FAILURES", "5")),
            login_max_failures_per_address=int(env.get("OBJECTRY_LOGIN_MAX_FAILURES_PER_ADDRESS",
                                                       "20")),
            login_window_seconds=int(env.get("OBJECTRY_LOGIN_WINDOW_SECONDS", "300")),
            signup_limit=int(env.get("OBJECTRY_SIGNUP_LIMIT", "20")),
            trusted_proxies=_networks(env.get("OBJECTRY_TRUSTED_PROXIES")),
            smtp_url=env.get("OBJECTRY_SMTP_URL") or None,
            public_url=env.get("OBJECTRY_PUBLIC_URL") or None,
            max_embed_depth=int(env.get("OBJECTRY_MAX_EMBED_DEPTH", "3")),
            max_response_bytes=int(env.get("OBJECTRY_MAX_RESPONSE_BYTES", str(10 * 1024 * 1024))),
            webhook_worker=_bool(env.get("OBJECTRY_WEBHOOK_WORKER"), True),
            webhook_allow_private=_bool(env.get("OBJECTRY_WEBHOOK_ALLOW_PRIVATE"), False),
            webhook_retry_schedule=_seconds(env.get("OBJECTRY_WEBHOOK_RETRY_SCHEDULE"),
                                            RETRY_SCHEDULE),
            webhook_timeout_seconds=float(env.get("OBJECTRY_WEBHOOK_TIMEOUT_SECONDS", "10")),
            webhook_disable_after_seconds=float(env.get("OBJECTRY_WEBHOOK_DISABLE_AFTER_SECONDS",
                                                        str(3 * 24 * 3600))),
            webhook_concurrency_per_url=int(env.get("OBJECTRY_WEBHOOK_CONCURRENCY_PER_URL", "4")),
            webhook_lease_seconds=float(env.get("OBJECTRY_WEBHOOK_LEASE_SECONDS", "60")),
            webhook_poll_seconds=float(env.get("OBJECTRY_WEBHOOK_POLL_SECONDS", "5")),
            webhook_retention_days=float(env.get("OBJECTRY_WEBHOOK_RETENTION_DAYS", "30")),
        )
        return replace(settings, **overrides)  # type: ignore[arg-type]
