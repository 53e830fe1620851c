"""Webhooks: subscriptions, an outbox written by the record-change statement, deliveries.

- `webhooks`: a workspace's subscriptions (url, events, object ids, a PostgREST filter, the
  signing secret, whether it is active and why not).
- `webhook_events`: the outbox. A statement-level trigger on record_events (every record write
  inserts its events in the same statement) copies each event with the record as it is after
  the statement, only when the workspace has an active webhook: one primary-key range probe
  per statement for everyone else. Written in the writer's transaction, so a rolled-back write
  leaves nothing and a committed one cannot be lost by a crash. It NOTIFYs
  `objectry_webhooks` (the workspace id) so that a process wakes up at once.
- `webhook_deliveries`: one row per (event, webhook), the durable queue: `pending` until a
  2xx (`succeeded`) or the last retry (`failed`); `leased_until` is a claim's visibility
  timeout, so the delivery of a process killed mid-send is claimed again (at least once).

A delivery waiting for an earlier one of its record (in order per record) has no
`next_attempt_at` until that one is final.

Finding the workspaces with due (or waiting) work is a cross-workspace question: `objectry_webhook_due()`
(SECURITY DEFINER, as in 0002) answers it with workspace ids only; every other statement runs
in the workspace's scope through the usual row-level security.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 07:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

RUNTIME_ROLE = "objectry_app"
TENANT = "current_setting('app.tenant_id', true)"
NEW_TABLES = ("webhooks", "webhook_events", "webhook_deliveries")

OUTBOX = """
    CREATE FUNCTION objectry_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        watched text[];
    BEGIN
        SELECT array_agg(DISTINCT w.tenant_id) INTO watched FROM webhooks w
        WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events);
        IF watched IS NULL THEN
            RETURN NULL;
        END IF;
        INSERT INTO webhook_events (tenant_id, record_id, object_id, op, record, changes, at)
        SELECT e.tenant_id, e.record_id, r.object_id, e.op, to_jsonb(r), e.changes, e.at
        FROM new_events e
        JOIN records r ON r.tenant_id = e.tenant_id AND r.id = e.record_id
        WHERE e.tenant_id = any(watched)
        ORDER BY e.id;
        PERFORM pg_notify('objectry_webhooks', t) FROM unnest(watched) AS t;
        RETURN NULL;
    END $$"""

DUE = """
    CREATE FUNCTION objectry_webhook_due() RETURNS TABLE (tenant_id text) LANGUAGE plpgsql
    VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
    BEGIN
        PERFORM set_config('app.definer', 'on', true);
        RETURN QUERY
            SELECT e.tenant_id FROM public.webhook_events e WHERE e.event_id IS NULL
            UNION
            SELECT d.tenant_id FROM public.webhook_deliveries d
            WHERE d.status = 'pending' AND (d.next_attempt_at IS NULL OR (
                  d.next_attempt_at <= now()
                  AND (d.leased_until IS NULL OR d.leased_until < now())));
        PERFORM set_config('app.definer', '', true);
    END $fn$"""


def upgrade() -> None:
    op.create_table('webhooks',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('events', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('object_ids', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('filter', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_webhooks_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_webhooks'))
    )
    op.create_table('webhook_events',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('event_id', sa.Text(), nullable=True),
    sa.Column('record_id', sa.Text(), nullable=True),
    sa.Column('object_id', sa.Text(), nullable=True),
    sa.Column('op', sa.Text(), nullable=False),
    sa.Column('record', postgresql.JSONB(), nullable=True),
    sa.Column('changes', postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_webhook_events_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'seq', name=op.f('pk_webhook_events'))
    )
    op.create_index('ix_webhook_events_undispatched', 'webhook_events', ['tenant_id', 'seq'], unique=False, postgresql_where=sa.text('event_id IS NULL'))
    op.create_table('webhook_deliveries',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('webhook_id', sa.Text(), nullable=False),
    sa.Column('event_seq', sa.BigInteger(), nullable=False),
    sa.Column('record_id', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name=op.f('ck_webhook_deliveries_status')),
    sa.ForeignKeyConstraint(['tenant_id', 'event_seq'], ['webhook_events.tenant_id', 'webhook_events.seq'], name=op.f('fk_webhook_deliveries_tenant_id_event_seq_webhook_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'webhook_id'], ['webhooks.tenant_id', 'webhooks.id'], name=op.f('fk_webhook_deliveries_tenant_id_webhook_id_webhooks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_webhook_deliveries_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_webhook_deliveries'))
    )
    op.create_index(op.f('ix_webhook_deliveries_tenant_id_webhook_id_created_at'), 'webhook_deliveries', ['tenant_id', 'webhook_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_webhook_deliveries_tenant_id_event_seq'), 'webhook_deliveries', ['tenant_id', 'event_seq'], unique=False)
    op.create_index('ix_webhook_deliveries_due', 'webhook_deliveries', ['tenant_id', 'next_attempt_at', 'event_seq'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_webhook_deliveries_pending_record', 'webhook_deliveries', ['tenant_id', 'webhook_id', 'record_id', 'event_seq'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    for table in NEW_TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {RUNTIME_ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table}"
                   f" USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")
    for table in ("webhook_events", "webhook_deliveries"):
        # TO CURRENT_USER: the owner that objectry_webhook_due runs as (0002's pattern).
        op.execute(f"CREATE POLICY definer_lookup ON {table} FOR SELECT TO CURRENT_USER"
                   " USING (current_setting('app.definer', true) = 'on')")
    op.execute(OUTBOX)
    op.execute("CREATE TRIGGER record_events_webhooks AFTER INSERT ON record_events"
               " REFERENCING NEW TABLE AS new_events"
               " FOR EACH STATEMENT EXECUTE FUNCTION objectry_webhook_outbox()")
    op.execute(DUE)
    op.execute("REVOKE EXECUTE ON FUNCTION objectry_webhook_due() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION objectry_webhook_due() TO {RUNTIME_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION objectry_webhook_due()")
    op.execute("DROP TRIGGER record_events_webhooks ON record_events")
    op.execute("DROP FUNCTION objectry_webhook_outbox()")
    for table in reversed(NEW_TABLES):
        op.execute(f"REVOKE ALL ON {table} FROM {RUNTIME_ROLE}")
        op.drop_table(table)
