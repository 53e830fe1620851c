"""Audit log: who changed the schema, members, invitations and tokens, when, with which credential.

`audit_log` holds one row per change an admin may want to trace (objects, fields, their
attachments, relationships and links, applications, members, invitations, tokens), written by
objectry/audit/recorder.py in the transaction of the change itself: a rolled-back change leaves
no row. Who acted is copied at write time (the user's e-mail, the API token's name): the entry
keeps saying who it was after the account or token is gone. No retention: rows stay until the
workspace is deleted. The (tenant_id, at, id) index serves the newest-first pages.

Workspace-owned: `tenant_id` leads every key, row-level security is enabled and forced with the
usual `tenant_isolation` policy; the runtime role may read and insert, never update or delete.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 07:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

RUNTIME_ROLE = "objectry_app"
TENANT = "current_setting('app.tenant_id', true)"


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('target_id', sa.Text(), nullable=False),
    sa.Column('target_name', sa.Text(), nullable=True),
    sa.Column('actor_user_id', sa.Text(), nullable=True),
    sa.Column('actor_email', sa.Text(), nullable=True),
    sa.Column('credential_type', sa.Text(), nullable=False),
    sa.Column('credential_id', sa.Text(), nullable=True),
    sa.Column('credential_name', sa.Text(), nullable=True),
    sa.Column('changes', postgresql.JSONB(), nullable=True),
    sa.CheckConstraint("credential_type IN ('session', 'token')", name=op.f('ck_audit_log_credential_type')),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_audit_log_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_tenant_id_at_id'), 'audit_log', ['tenant_id', 'at', 'id'], unique=False)
    op.create_index(op.f('ix_audit_log_tenant_id_actor_user_id_at'), 'audit_log', ['tenant_id', 'actor_user_id', 'at'], unique=False)
    op.execute(f"GRANT SELECT, INSERT ON audit_log TO {RUNTIME_ROLE}")
    op.execute("ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_log FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY tenant_isolation ON audit_log"
               f" USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")


def downgrade() -> None:
    op.execute(f"REVOKE ALL ON audit_log FROM {RUNTIME_ROLE}")
    op.drop_index(op.f('ix_audit_log_tenant_id_actor_user_id_at'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_tenant_id_at_id'), table_name='audit_log')
    op.drop_table('audit_log')
