"""Link events: a record's history gains its links and unlinks.

`link_events` holds one row for each of a link's two records when the link is made
(`link`) or removed (`unlink`), written in the same transaction as the link's insert or
delete (objectry/metadata/relationships.py). Its ids come from record_events' sequence, so
GET /api/records/{id}/history reads both tables in one order with one cursor. The other
record and the relationship have no foreign key: the event is kept when they go.

Workspace-owned: `tenant_id` leads the primary key, row-level security is enabled and forced
with the usual `tenant_isolation` policy, and the runtime role may read and write it (and take
ids from the shared sequence).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 10:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

RUNTIME_ROLE = "objectry_app"
TENANT = "current_setting('app.tenant_id', true)"


def upgrade() -> None:
    op.create_table('link_events',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.BigInteger(), server_default=sa.text("nextval('record_events_id_seq'::regclass)"), nullable=False),
    sa.Column('record_id', sa.Text(), nullable=False),
    sa.Column('op', sa.Text(), nullable=False),
    sa.Column('relationship_id', sa.Text(), nullable=False),
    sa.Column('forward', sa.Boolean(), nullable=False),
    sa.Column('other_record_id', sa.Text(), nullable=False),
    sa.Column('link_id', sa.Text(), nullable=False),
    sa.Column('actor', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("op IN ('link', 'unlink')", name=op.f('ck_link_events_op')),
    sa.ForeignKeyConstraint(['tenant_id', 'record_id'], ['records.tenant_id', 'records.id'], name=op.f('fk_link_events_tenant_id_record_id_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_link_events_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_link_events'))
    )
    op.create_index(op.f('ix_link_events_tenant_id_record_id_id'), 'link_events', ['tenant_id', 'record_id', 'id'], unique=False)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON link_events TO {RUNTIME_ROLE}")
    op.execute(f"GRANT USAGE ON SEQUENCE record_events_id_seq TO {RUNTIME_ROLE}")
    op.execute("ALTER TABLE link_events ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE link_events FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY tenant_isolation ON link_events"
               f" USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")


def downgrade() -> None:
    op.execute(f"REVOKE USAGE ON SEQUENCE record_events_id_seq FROM {RUNTIME_ROLE}")
    op.execute(f"REVOKE ALL ON link_events FROM {RUNTIME_ROLE}")
    op.drop_index(op.f('ix_link_events_tenant_id_record_id_id'), table_name='link_events')
    op.drop_table('link_events')
