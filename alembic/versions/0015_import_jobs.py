"""Import jobs: a CSV/XLSX import running in the background, and what it has done so far.

`import_jobs` holds one row per `POST /api/objects/{id}/import`: its options, which column
feeds which field, counts (rows_done
updated per chunk in a short transaction of its own, so `GET /api/imports/{id}` sees progress),
the first 1,000 row errors, and `heartbeat_at`, renewed while its runner lives. A job whose
heartbeat is older than the lease (the server died under it) reads and is written `failed`
with reason `interrupted` (objectry/imports/repo.py).

Workspace-owned: `tenant_id` leads the primary key, row-level security is enabled and forced
with the usual `tenant_isolation` policy, and the runtime role may read and write it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 08:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

RUNTIME_ROLE = "objectry_app"
TENANT = "current_setting('app.tenant_id', true)"


def upgrade() -> None:
    op.create_table('import_jobs',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('object_id', sa.Text(), nullable=False),
    sa.Column('options', postgresql.JSONB(), nullable=False),
    sa.Column('columns', postgresql.JSONB(), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'running'"), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('rows_total', sa.BigInteger(), nullable=True),
    sa.Column('rows_done', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('created', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('skipped', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('errors', postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name=op.f('ck_import_jobs_status')),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_import_jobs_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_import_jobs'))
    )
    op.create_index(op.f('ix_import_jobs_tenant_id_created_at'), 'import_jobs', ['tenant_id', 'created_at'], unique=False)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON import_jobs TO {RUNTIME_ROLE}")
    op.execute("ALTER TABLE import_jobs ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE import_jobs FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY tenant_isolation ON import_jobs"
               f" USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")


def downgrade() -> None:
    op.execute(f"REVOKE ALL ON import_jobs FROM {RUNTIME_ROLE}")
    op.drop_index(op.f('ix_import_jobs_tenant_id_created_at'), table_name='import_jobs')
    op.drop_table('import_jobs')
