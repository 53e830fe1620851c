"""Autonumber counters: the next number of each autonumber field on each object.

A create takes its numbers with one upsert that adds the batch's size (records/autonumber.py),
so concurrent creates get distinct numbers and a number once handed out is never handed out
again (a failed create leaves a gap, like a sequence). Deleting the object or the field drops
its counters.

Workspace-owned: `tenant_id` leads the primary key, row-level security is enabled and forced
with the usual `tenant_isolation` policy, and the runtime role may read and write it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 07:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

RUNTIME_ROLE = "objectry_app"
TENANT = "current_setting('app.tenant_id', true)"


def upgrade() -> None:
    op.create_table('autonumber_counters',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('object_id', sa.Text(), nullable=False),
    sa.Column('field_id', sa.Text(), nullable=False),
    sa.Column('next_value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'field_id'], ['fields.tenant_id', 'fields.id'], name=op.f('fk_autonumber_counters_tenant_id_field_id_fields'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'object_id'], ['objects.tenant_id', 'objects.id'], name=op.f('fk_autonumber_counters_tenant_id_object_id_objects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_autonumber_counters_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'object_id', 'field_id', name=op.f('pk_autonumber_counters'))
    )
    op.create_index(op.f('ix_autonumber_counters_tenant_id_field_id'), 'autonumber_counters', ['tenant_id', 'field_id'], unique=False)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON autonumber_counters TO {RUNTIME_ROLE}")
    op.execute("ALTER TABLE autonumber_counters ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE autonumber_counters FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY tenant_isolation ON autonumber_counters"
               f" USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")


def downgrade() -> None:
    op.execute(f"REVOKE ALL ON autonumber_counters FROM {RUNTIME_ROLE}")
    op.drop_index(op.f('ix_autonumber_counters_tenant_id_field_id'), table_name='autonumber_counters')
    op.drop_table('autonumber_counters')
