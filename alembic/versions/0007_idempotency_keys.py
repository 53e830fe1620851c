"""Idempotency keys: a retried write answers its first response instead of writing twice.

`idempotency_keys` holds, per workspace and client key, the fingerprint of the first request
(SHA-256 of the caller, method, path, query string and body) and its 2xx response (status,
headers, body bytes). A row is written in the same transaction as the write it answers, so a
crash never leaves one without the other. Rows older than 24 hours count as absent and are
purged a few at a time as new keys are stored (the index on created_at serves that purge).

Workspace-owned: `tenant_id` leads the primary key, row-level security is enabled and forced
with the usual `tenant_isolation` policy, and the runtime role may read and write it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 04:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RUNTIME_ROLE = "objectry_app"
TENANT = "current_setting('app.tenant_id', true)"


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.SmallInteger(), nullable=False),
    sa.Column('headers', postgresql.JSONB(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('char_length(key) BETWEEN 1 AND 255', name=op.f('ck_idempotency_keys_key_length')),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_idempotency_keys_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_index(op.f('ix_idempotency_keys_tenant_id_created_at'), 'idempotency_keys', ['tenant_id', 'created_at'], unique=False)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO {RUNTIME_ROLE}")
    op.execute("ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY tenant_isolation ON idempotency_keys"
               f" USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")


def downgrade() -> None:
    op.execute(f"REVOKE ALL ON idempotency_keys FROM {RUNTIME_ROLE}")
    op.drop_index(op.f('ix_idempotency_keys_tenant_id_created_at'), table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
