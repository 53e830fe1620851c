"""The schema as SQLAlchemy Core tables: Alembic's source of truth, never used on the hot path.

Every workspace-owned table carries `tenant_id`; primary keys, unique keys and foreign keys
all lead with it, so a row can never reference another workspace's row and the schema can be
distributed by tenant (Citus) without redesign.
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _now() -> Column[datetime]:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _updated() -> Column[datetime]:
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _tenant() -> Column[str]:
    return Column("tenant_id", Text, nullable=False)


def _tenant_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id"], ["workspaces.id"], ondelete="CASCADE")


workspaces = Table(
    "workspaces", metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    # Bumped in the same transaction as every metadata change; caches compare it.
    Column("schema_version", BigInteger, nullable=False, server_default="1"),
    _now(),
)

users = Table(
    "users", metadata,
    Column("id", Text, primary_key=True),
    Column("email", Text, nullable=False),
    Column("hashed_password", Text, nullable=False),
    Column("full_name", Text, nullable=False, server_default=""),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    Column("is_verified", Boolean, nullable=False, server_default=text("false")),
    _now(), _updated(),
    Column("last_login", DateTime(timezone=True)),
    Index("uq_users_email_lower", func.lower(text("email")), unique=True),
)

workspace_members = Table(
    "workspace_members", metadata,
    _tenant(),
    Column("user_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    _now(),
    PrimaryKeyConstraint("tenant_id", "user_id"),
    _tenant_fk(),
    ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    CheckConstraint("role IN ('owner', 'admin', 'editor', 'viewer')", name="role"),
    Index(None, "user_id"),
)

token_blacklist = Table(
    "token_blacklist", metadata,
    Column("jti", Text, primary_key=True),
    Column("user_id", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("blacklisted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(None, "expires_at"),
)

api_tokens = Table(
    "api_tokens", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("prefix", Text, nullable=False),
    Column("token_hash", Text, nullable=False),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("created_by", Text),
    _now(),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    UniqueConstraint("token_hash"),
)

refresh_tokens = Table(
    # One row per refresh token issued; a login starts a family, each rotation adds a row.
    "refresh_tokens", metadata,
    _tenant(),
    Column("id", Text, nullable=False),  # the token's `jti`
    Column("family_id", Text, nullable=False),
    Column("user_id", Text, nullable=False),
    Column("token_hash", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    _now(),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    Index(None, "tenant_id", "family_id"),
    Index(None, "tenant_id", "user_id"),
    Index(None, "tenant_id", "expires_at"),
)

workspace_invitations = Table(
    # One row per invitation; only the token's SHA-256 is kept. Past ones stay as history, and
    # at most one per e-mail and workspace is pending (accepted_at and revoked_at both null).
    "workspace_invitations", metadata,
    _tenant(),
    Column("email", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("invited_by", Text),
    _now(),
    Column("accepted_at", DateTime(timezone=True)),
    Column("id", Text, nullable=False),
    Column("token_hash", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("accepted_by", Text),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    ForeignKeyConstraint(["invited_by"], ["users.id"], ondelete="SET NULL"),
    ForeignKeyConstraint(["accepted_by"], ["users.id"], ondelete="SET NULL"),
    CheckConstraint("role IN ('owner', 'admin', 'editor', 'viewer')", name="role"),
    CheckConstraint("email = lower(email)", name="email_lower"),
    Index(None, "token_hash"),
    Index("uq_workspace_invitations_pending_email", "tenant_id", "email", unique=True,
          postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL")),
)

# Failed (and in-flight) sign-ins per account and per client address, hashed; global because
# a login happens before any workspace is known. Rows older than the window are pruned.
login_attempts = Table(
    "login_attempts", metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("key_hash", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(None, "key_hash", "at"),
    Index(None, "at"),
)

fields = Table(
    "fields", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("description", Text),
    Column("config", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("category", Text),
    Column("is_system", Boolean, nullable=False, server_default=text("false")),
    _now(), _updated(),
    Column("created_by", Text),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    UniqueConstraint("tenant_id", "name"),
    Index(None, "tenant_id", "category"),
    # Does the workspace have a rollup? Asked by every metadata write (records/stored_rollups.py).
    Index("ix_fields_rollups", "tenant_id", postgresql_where=text("type = 'rollup'")),
)

objects = Table(
    "objects", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("plural_name", Text),
    Column("plural_label", Text),
    Column("description", Text),
    Column("icon", Text),
    Column("primary_field_id", Text),
    Column("permissions", JSONB),
    Column("views", JSONB),
    _now(), _updated(),
    Column("created_by", Text),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    UniqueConstraint("tenant_id", "name"),
    # Deleting the primary field only clears the pointer (PostgreSQL ≥ 15 column list).
    ForeignKeyConstraint(["tenant_id", "primary_field_id"], ["fields.tenant_id", "fields.id"],
                         name="fk_objects_primary_field"),
    Index(None, "tenant_id", "primary_field_id"),
)

object_fields = Table(
    "object_fields", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("object_id", Text, nullable=False),
    Column("field_id", Text, nullable=False),
    Column("display_order", Integer, nullable=False, server_default="0"),
    Column("is_required", Boolean, nullable=False, server_default=text("false")),
    Column("is_visible", Boolean, nullable=False, server_default=text("true")),
    Column("is_readonly", Boolean, nullable=False, server_default=text("false")),
    Column("is_unique", Boolean, nullable=False, server_default=text("false")),
    Column("is_indexed", Boolean, nullable=False, server_default=text("false")),
    Column("field_overrides", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    _now(), _updated(),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    ForeignKeyConstraint(["tenant_id", "object_id"], ["objects.tenant_id", "objects.id"],
                         ondelete="CASCADE"),
    ForeignKeyConstraint(["tenant_id", "field_id"], ["fields.tenant_id", "fields.id"],
                         ondelete="RESTRICT"),
    UniqueConstraint("tenant_id", "object_id", "field_id"),
    Index(None, "tenant_id", "field_id"),
)

records = Table(
    "records", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("object_id", Text, nullable=False),
    Column("data", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("primary_value", Text),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("deleted_at", DateTime(timezone=True)),
    # Records trashed by one delete (the record and its `cascade` chain) share a batch id,
    # so restoring the record restores exactly those.
    Column("trash_batch", Text),
    _now(), _updated(),
    Column("created_by", Text),
    Column("updated_by", Text),
    PrimaryKeyConstraint("tenant_id", "id"),
    # No key to workspaces of its own (migration 0019): the object's is the workspace's, and
    # a workspace's records go with its objects.
    ForeignKeyConstraint(["tenant_id", "object_id"], ["objects.tenant_id", "objects.id"],
                         ondelete="CASCADE"),
    # The target of relationship_records' (record, object) foreign keys.
    UniqueConstraint("tenant_id", "id", "object_id"),
    Index("ix_records_live_order", "tenant_id", "object_id", "created_at", "id",
          postgresql_where=text("deleted_at IS NULL")),
    Index("ix_records_primary_value", "tenant_id", "object_id", "primary_value",
          postgresql_where=text("deleted_at IS NULL")),
    # Led by the workspace (btree_gin), like every index a caller's condition can use: a
    # trigram index over all workspaces rechecked `like` on their rows (migration 0006).
    Index("ix_records_primary_value_trgm", "tenant_id", "object_id", "primary_value",
          postgresql_using="gin", postgresql_ops={"primary_value": "gin_trgm_ops"}),
    Index("ix_records_trash_batch", "tenant_id", "trash_batch",
          postgresql_where=text("trash_batch IS NOT NULL")),
)

relationships = Table(
    "relationships", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("from_object_id", Text, nullable=False),
    Column("to_object_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("from_label", Text, nullable=False),
    Column("to_label", Text, nullable=False),
    Column("on_delete", Text, nullable=False, server_default="unlink"),
    _now(),
    Column("created_by", Text),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    UniqueConstraint("tenant_id", "name"),
    # Lets a link row carry (objects, type) copies that the database keeps honest.
    UniqueConstraint("tenant_id", "id", "from_object_id", "to_object_id", "type",
                     name="uq_relationships_link_target"),
    ForeignKeyConstraint(["tenant_id", "from_object_id"], ["objects.tenant_id", "objects.id"],
                         ondelete="CASCADE"),
    ForeignKeyConstraint(["tenant_id", "to_object_id"], ["objects.tenant_id", "objects.id"],
                         ondelete="CASCADE"),
    CheckConstraint("type IN ('1:1', '1:N', 'N:N')", name="type"),
    CheckConstraint("on_delete IN ('unlink', 'cascade', 'restrict')", name="on_delete"),
    Index(None, "tenant_id", "from_object_id"),
    Index(None, "tenant_id", "to_object_id"),
)

relationship_records = Table(
    "relationship_records", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("relationship_id", Text, nullable=False),
    # Denormalised from the relationship (and checked by the composite foreign keys below) so
    # that cardinality and "records belong to the relationship's objects" hold in the database.
    Column("rel_type", Text, nullable=False),
    Column("from_object_id", Text, nullable=False),
    Column("to_object_id", Text, nullable=False),
    Column("from_record_id", Text, nullable=False),
    Column("to_record_id", Text, nullable=False),
    Column("relationship_metadata", JSONB),
    _now(),
    Column("created_by", Text),
    PrimaryKeyConstraint("tenant_id", "id"),
    # No key to workspaces of its own (migration 0019): its records' and relationship's are.
    ForeignKeyConstraint(
        ["tenant_id", "relationship_id", "from_object_id", "to_object_id", "rel_type"],
        ["relationships.tenant_id", "relationships.id", "relationships.from_object_id",
         "relationships.to_object_id", "relationships.type"],
        ondelete="CASCADE", name="fk_relationship_records_relationship"),
    ForeignKeyConstraint(["tenant_id", "from_record_id", "from_object_id"],
                         ["records.tenant_id", "records.id", "records.object_id"],
                         ondelete="CASCADE", name="fk_relationship_records_from_record"),
    ForeignKeyConstraint(["tenant_id", "to_record_id", "to_object_id"],
                         ["records.tenant_id", "records.id", "records.object_id"],
                         ondelete="CASCADE", name="fk_relationship_records_to_record"),
    UniqueConstraint("tenant_id", "relationship_id", "from_record_id", "to_record_id",
                     name="uq_relationship_records_link"),
    # 1:1 and 1:N: a `to` record has at most one `from` record.
    Index("uq_relationship_records_one_from", "tenant_id", "relationship_id", "to_record_id",
          unique=True, postgresql_where=text("rel_type IN ('1:1', '1:N')")),
    # 1:1: a `from` record has at most one `to` record.
    Index("uq_relationship_records_one_to", "tenant_id", "relationship_id", "from_record_id",
          unique=True, postgresql_where=text("rel_type = '1:1'")),
    Index(None, "tenant_id", "from_record_id"),
    Index(None, "tenant_id", "to_record_id"),
    Index("ix_relationship_records_relationship", "tenant_id", "relationship_id",
          "from_object_id", "to_object_id", "rel_type"),
)

applications = Table(
    "applications", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("description", Text),
    Column("icon", Text),
    Column("config", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("published_at", DateTime(timezone=True)),
    _now(), _updated(),
    Column("created_by", Text),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    UniqueConstraint("tenant_id", "name"),
)

record_events = Table(
    "record_events", metadata,
    _tenant(),
    Column("id", BigInteger, Identity(always=True), nullable=False),
    Column("record_id", Text, nullable=False),
    Column("op", Text, nullable=False),
    Column("changes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("actor", Text),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "id"),
    # No key to workspaces of its own (migration 0018): the record's is the workspace's, and a
    # workspace's events go with its records.
    ForeignKeyConstraint(["tenant_id", "record_id"], ["records.tenant_id", "records.id"],
                         ondelete="CASCADE"),
    CheckConstraint("op IN ('create', 'update', 'delete', 'restore')", name="op"),
    Index(None, "tenant_id", "record_id", "id"),
)

link_events = Table(
    # A record's link and unlink events (GET /api/records/{id}/history), one row for each of
    # the link's two records, written with the link's insert or delete. Its ids come from
    # record_events' sequence so that one history reads both tables in one order. Not in
    # record_events: those are record writes (realtime and webhooks follow them), a link is not.
    # The other record and the relationship have no foreign key: the event outlives them.
    "link_events", metadata,
    _tenant(),
    Column("id", BigInteger, nullable=False,
           server_default=text("nextval('record_events_id_seq'::regclass)")),
    Column("record_id", Text, nullable=False),
    Column("op", Text, nullable=False),
    Column("relationship_id", Text, nullable=False),
    Column("forward", Boolean, nullable=False),  # record_id is the link's `from` record
    Column("other_record_id", Text, nullable=False),
    Column("link_id", Text, nullable=False),
    Column("actor", Text),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "id"),
    # No key to workspaces of its own (migration 0019): the record's is the workspace's.
    ForeignKeyConstraint(["tenant_id", "record_id"], ["records.tenant_id", "records.id"],
                         ondelete="CASCADE"),
    CheckConstraint("op IN ('link', 'unlink')", name="op"),
    Index(None, "tenant_id", "record_id", "id"),
)

idempotency_keys = Table(
    # A write's first 2xx response per client key (objectry/idempotency), stored in the write's
    # own transaction; older than 24 hours it counts as absent and is purged as keys are stored.
    "idempotency_keys", metadata,
    _tenant(),
    Column("key", Text, nullable=False),
    Column("fingerprint", LargeBinary, nullable=False),  # SHA-256 of caller + request
    Column("status", SmallInteger, nullable=False),
    Column("headers", JSONB, nullable=False),  # [[name, value], …] as first sent
    Column("body", LargeBinary, nullable=False),
    _now(),
    PrimaryKeyConstraint("tenant_id", "key"),
    _tenant_fk(),
    CheckConstraint("char_length(key) BETWEEN 1 AND 255", name="key_length"),
    Index(None, "tenant_id", "created_at"),
)

realtime_listeners = Table(
    # Workspaces with a /realtime/v1 channel joined on some process, until a time each process
    # keeps pushing forward while it holds one (realtime/hub.py): the change trigger NOTIFYs
    # only for these, since a NOTIFY serialises the commits of every transaction that sends one.
    "realtime_listeners", metadata,
    _tenant(),
    Column("until", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("tenant_id"),
    _tenant_fk(),
)

views = Table(
    # Saved views (objectry/records/views): a filter, an order and a column layout of one object's
    # records, kept as the field names the user wrote and checked against the schema on read.
    "views", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("object_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("filter", Text, nullable=False, server_default=""),  # PostgREST filter string
    Column("order_by", Text, nullable=False, server_default=""),  # PostgREST order string
    Column("fields", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("group_by", Text),
    Column("date_field", Text),
    Column("shared", Boolean, nullable=False, server_default=text("false")),
    _now(), _updated(),
    Column("created_by", Text),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    ForeignKeyConstraint(["tenant_id", "object_id"], ["objects.tenant_id", "objects.id"],
                         ondelete="CASCADE"),
    CheckConstraint("type IN ('grid', 'kanban', 'calendar')", name="view_type"),
    Index(None, "tenant_id", "object_id", "created_at"),
)

autonumber_counters = Table(
    # The next number of each autonumber field on each object (records/autonumber.py): taken
    # by an upsert that adds the batch's size, so concurrent creates get distinct numbers and a
    # number once handed out is never handed out again.
    "autonumber_counters", metadata,
    _tenant(),
    Column("object_id", Text, nullable=False),
    Column("field_id", Text, nullable=False),
    Column("next_value", BigInteger, nullable=False),
    PrimaryKeyConstraint("tenant_id", "object_id", "field_id"),
    _tenant_fk(),
    ForeignKeyConstraint(["tenant_id", "object_id"], ["objects.tenant_id", "objects.id"],
                         ondelete="CASCADE"),
    ForeignKeyConstraint(["tenant_id", "field_id"], ["fields.tenant_id", "fields.id"],
                         ondelete="CASCADE"),
    Index(None, "tenant_id", "field_id"),  # a field's delete finds its counters
)

rollup_statements = Table(
    # Per object with stored rollups, the statement that computes them for some of its records
    # (rendered by records/query/rollup_statement.py, stored by records/stored_rollups.py) and the
    # relationships whose links feed it; run by the triggers of migration 0022. `reads`: the
    # linked records' field ids its rollups read (an update changing none of them recomputes
    # nothing, migration 0023); NULL: stored before 0023, every update recomputes it and reads
    # count it as not stored until a refresh stores them.
    "rollup_statements", metadata,
    _tenant(),
    Column("object_id", Text, nullable=False),
    Column("statement", Text, nullable=False),
    Column("forward", ARRAY(Text), nullable=False),  # the object is their `from` side
    Column("backward", ARRAY(Text), nullable=False),  # their `to` side
    Column("reads", ARRAY(Text)),
    PrimaryKeyConstraint("tenant_id", "object_id"),
    ForeignKeyConstraint(["tenant_id", "object_id"], ["objects.tenant_id", "objects.id"],
                         ondelete="CASCADE"),
)

record_rollups = Table(
    # A record's stored rollup values, field id → value, kept by the writes that change them.
    "record_rollups", metadata,
    _tenant(),
    Column("id", Text, nullable=False),  # the record's
    Column("object_id", Text, nullable=False),
    Column("rollups", JSONB, nullable=False),
    PrimaryKeyConstraint("tenant_id", "id"),
    ForeignKeyConstraint(["tenant_id", "id", "object_id"],
                         ["records.tenant_id", "records.id", "records.object_id"],
                         ondelete="CASCADE"),
    Index(None, "tenant_id", "object_id"),  # an object's values computed afresh
)

audit_log = Table(
    # Who changed the schema, members, invitations and tokens (objectry/audit), written in the
    # change's own transaction; who acted is copied (e-mail, token name) so it outlives them.
    "audit_log", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False,
           server_default=text("clock_timestamp()")),  # entries of one transaction in order
    Column("kind", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target_id", Text, nullable=False),
    Column("target_name", Text),
    Column("actor_user_id", Text),
    Column("actor_email", Text),
    Column("credential_type", Text, nullable=False),
    Column("credential_id", Text),
    Column("credential_name", Text),
    Column("changes", JSONB),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    CheckConstraint("credential_type IN ('session', 'token')", name="credential_type"),
    Index(None, "tenant_id", "at", "id"),
    Index(None, "tenant_id", "actor_user_id", "at"),
)

webhooks = Table(
    # A workspace's webhook subscriptions (objectry/webhooks). The secret is kept as issued: it
    # signs every delivery (docs/SECURITY.md, "Webhooks").
    "webhooks", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("events", ARRAY(Text), nullable=False),
    Column("object_ids", ARRAY(Text), nullable=False),  # empty: every object
    Column("filter", Text),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("secret", Text, nullable=False),
    Column("failing_since", DateTime(timezone=True)),
    Column("disabled_reason", Text),
    Column("created_by", Text),
    _now(),
    _updated(),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
)

webhook_events = Table(
    # The outbox: written by a trigger on record_events in the writer's transaction, only for
    # workspaces with an active webhook; `event_id` (the webhook-id) and `body` are set when a
    # process fans the event out into deliveries.
    "webhook_events", metadata,
    _tenant(),
    Column("seq", BigInteger, Identity(always=True), nullable=False),
    Column("event_id", Text),
    Column("record_id", Text),
    Column("object_id", Text),
    Column("op", Text, nullable=False),
    Column("record", JSONB),  # the records row after the statement
    Column("changes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("body", Text),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "seq"),
    _tenant_fk(),
    Index("ix_webhook_events_undispatched", "tenant_id", "seq",
          postgresql_where=text("event_id IS NULL")),
)

webhook_deliveries = Table(
    # The durable queue: one row per (event, webhook); `leased_until` is a claim's visibility
    # timeout, so a delivery whose process died is claimed again.
    "webhook_deliveries", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("webhook_id", Text, nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("record_id", Text),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("duration_ms", Integer),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("leased_until", DateTime(timezone=True)),
    _now(),
    _updated(),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    ForeignKeyConstraint(["tenant_id", "webhook_id"], ["webhooks.tenant_id", "webhooks.id"],
                         ondelete="CASCADE"),
    ForeignKeyConstraint(["tenant_id", "event_seq"],
                         ["webhook_events.tenant_id", "webhook_events.seq"], ondelete="CASCADE"),
    CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
    Index(None, "tenant_id", "webhook_id", "created_at"),
    Index(None, "tenant_id", "event_seq"),
    Index("ix_webhook_deliveries_due", "tenant_id", "next_attempt_at", "event_seq",
          postgresql_where=text("status = 'pending'")),
    Index("ix_webhook_deliveries_pending_record", "tenant_id", "webhook_id", "record_id",
          "event_seq", postgresql_where=text("status = 'pending'")),
)

import_jobs = Table(
    # A CSV/XLSX import running in the background (objectry/imports): options, progress per
    # chunk, the first 1,000 row errors; a stale heartbeat means its runner died.
    "import_jobs", metadata,
    _tenant(),
    Column("id", Text, nullable=False),
    Column("object_id", Text, nullable=False),
    Column("options", JSONB, nullable=False),
    Column("columns", JSONB, nullable=False),  # {"file column": "field name" | null}
    Column("status", Text, nullable=False, server_default=text("'running'")),
    Column("reason", Text),
    Column("rows_total", BigInteger),
    Column("rows_done", BigInteger, nullable=False, server_default=text("0")),
    Column("created", BigInteger, nullable=False, server_default=text("0")),
    Column("updated", BigInteger, nullable=False, server_default=text("0")),
    Column("skipped", BigInteger, nullable=False, server_default=text("0")),
    Column("errors", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_by", Text),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    _now(),
    PrimaryKeyConstraint("tenant_id", "id"),
    _tenant_fk(),
    CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="status"),
    Index(None, "tenant_id", "created_at"),
)

# Tables guarded by row-level security: every table with a tenant column, plus workspaces.
TENANT_TABLES = tuple(t.name for t in metadata.sorted_tables if "tenant_id" in t.c)
