"""Saved views: a named filter, order and column layout of one object's records (grid, kanban
by a select field, calendar by a date field), personal to its creator or shared.

The view keeps field *names* (as text, like the query string it stands for), so it is checked
against the schema as it is when read (objectry/records/views/fit.py), not when it was saved. The
object's older `views` JSON column is left as it is.

Workspace-owned: `tenant_id` leads the primary key and the object foreign key (deleting an
object deletes its views), row-level security is enabled and forced with the usual
`tenant_isolation` policy, and the runtime role may read and write it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 07:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

RUNTIME_ROLE = "objectry_app"
TENANT = "current_setting('app.tenant_id', true)"


def upgrade() -> None:
    op.create_table('views',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('object_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('filter', sa.Text(), server_default='', nullable=False),
    sa.Column('order_by', sa.Text(), server_default='', nullable=False),
    sa.Column('fields', postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('group_by', sa.Text(), nullable=True),
    sa.Column('date_field', sa.Text(), nullable=True),
    sa.Column('shared', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.CheckConstraint("type IN ('grid', 'kanban', 'calendar')", name=op.f('ck_views_view_type')),
    sa.ForeignKeyConstraint(['tenant_id', 'object_id'], ['objects.tenant_id', 'objects.id'], name=op.f('fk_views_tenant_id_object_id_objects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_views_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_views'))
    )
    op.create_index(op.f('ix_views_tenant_id_object_id_created_at'), 'views', ['tenant_id', 'object_id', 'created_at'], unique=False)
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON views TO {RUNTIME_ROLE}")
    op.execute("ALTER TABLE views ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE views FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY tenant_isolation ON views"
               f" USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")


def downgrade() -> None:
    op.execute(f"REVOKE ALL ON views FROM {RUNTIME_ROLE}")
    op.drop_index(op.f('ix_views_tenant_id_object_id_created_at'), table_name='views')
    op.drop_table('views')
