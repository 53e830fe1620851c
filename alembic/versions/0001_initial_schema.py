"""Initial schema: workspaces, accounts, metadata, records, links, history; RLS and the runtime role.

Every workspace-owned table gets row-level security (enabled and forced) with a policy on
`current_setting('app.tenant_id')`; the server runs requests as `objectry_app`, a role that
owns nothing and cannot bypass RLS, so a query missing its tenant filter still sees one workspace.

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 23:49:15.254191
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

RUNTIME_ROLE = "objectry_app"
TENANT_TABLES = (
    "api_tokens", "applications", "fields", "workspace_members", "objects", "object_fields",
    "records", "relationships", "record_events", "relationship_records",
)
GLOBAL_TABLES = ("users", "token_blacklist")

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('token_blacklist',
    sa.Column('jti', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blacklisted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('jti', name=op.f('pk_token_blacklist'))
    )
    op.create_index(op.f('ix_token_blacklist_expires_at'), 'token_blacklist', ['expires_at'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('hashed_password', sa.Text(), nullable=False),
    sa.Column('full_name', sa.Text(), server_default='', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('is_verified', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_login', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_index('uq_users_email_lower', 'users', [sa.literal_column('lower(email)')], unique=True)
    op.create_table('workspaces',
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('schema_version', sa.BigInteger(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspaces'))
    )
    op.create_table('api_tokens',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('prefix', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('scopes', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_api_tokens_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('applications',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('icon', sa.Text(), nullable=True),
    sa.Column('config', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_applications_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_applications')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_applications_tenant_id_name'))
    )
    op.create_table('fields',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('config', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('is_system', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_fields_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_fields')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_fields_tenant_id_name'))
    )
    op.create_index(op.f('ix_fields_tenant_id_category'), 'fields', ['tenant_id', 'category'], unique=False)
    op.create_table('workspace_members',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'admin', 'editor', 'viewer')", name=op.f('ck_workspace_members_role')),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_workspace_members_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_workspace_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'user_id', name=op.f('pk_workspace_members'))
    )
    op.create_index(op.f('ix_workspace_members_user_id'), 'workspace_members', ['user_id'], unique=False)
    op.create_table('objects',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('plural_name', sa.Text(), nullable=True),
    sa.Column('plural_label', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('icon', sa.Text(), nullable=True),
    sa.Column('primary_field_id', sa.Text(), nullable=True),
    sa.Column('permissions', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('views', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_objects_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_objects')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_objects_tenant_id_name'))
    )
    op.create_index(op.f('ix_objects_tenant_id_primary_field_id'), 'objects', ['tenant_id', 'primary_field_id'], unique=False)
    op.create_table('object_fields',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('object_id', sa.Text(), nullable=False),
    sa.Column('field_id', sa.Text(), nullable=False),
    sa.Column('display_order', sa.Integer(), server_default='0', nullable=False),
    sa.Column('is_required', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_visible', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('is_readonly', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_unique', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_indexed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('field_overrides', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'field_id'], ['fields.tenant_id', 'fields.id'], name=op.f('fk_object_fields_tenant_id_field_id_fields'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'object_id'], ['objects.tenant_id', 'objects.id'], name=op.f('fk_object_fields_tenant_id_object_id_objects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_object_fields_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_object_fields')),
    sa.UniqueConstraint('tenant_id', 'object_id', 'field_id', name=op.f('uq_object_fields_tenant_id_object_id_field_id'))
    )
    op.create_index(op.f('ix_object_fields_tenant_id_field_id'), 'object_fields', ['tenant_id', 'field_id'], unique=False)
    op.create_table('records',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('object_id', sa.Text(), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('primary_value', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('trash_batch', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'object_id'], ['objects.tenant_id', 'objects.id'], name=op.f('fk_records_tenant_id_object_id_objects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_records_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_records')),
    sa.UniqueConstraint('tenant_id', 'id', 'object_id', name=op.f('uq_records_tenant_id_id_object_id'))
    )
    op.create_index('ix_records_live_order', 'records', ['tenant_id', 'object_id', 'created_at', 'id'], unique=False, postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_index('ix_records_primary_value', 'records', ['tenant_id', 'object_id', 'primary_value'], unique=False, postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_index('ix_records_primary_value_trgm', 'records', ['primary_value'], unique=False, postgresql_using='gin', postgresql_ops={'primary_value': 'gin_trgm_ops'})
    op.create_index('ix_records_trash_batch', 'records', ['tenant_id', 'trash_batch'], unique=False, postgresql_where=sa.text('trash_batch IS NOT NULL'))
    op.create_table('relationships',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('from_object_id', sa.Text(), nullable=False),
    sa.Column('to_object_id', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('from_label', sa.Text(), nullable=False),
    sa.Column('to_label', sa.Text(), nullable=False),
    sa.Column('on_delete', sa.Text(), server_default='unlink', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.CheckConstraint("on_delete IN ('unlink', 'cascade', 'restrict')", name=op.f('ck_relationships_on_delete')),
    sa.CheckConstraint("type IN ('1:1', '1:N', 'N:N')", name=op.f('ck_relationships_type')),
    sa.ForeignKeyConstraint(['tenant_id', 'from_object_id'], ['objects.tenant_id', 'objects.id'], name=op.f('fk_relationships_tenant_id_from_object_id_objects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'to_object_id'], ['objects.tenant_id', 'objects.id'], name=op.f('fk_relationships_tenant_id_to_object_id_objects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_relationships_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_relationships')),
    sa.UniqueConstraint('tenant_id', 'id', 'from_object_id', 'to_object_id', 'type', name='uq_relationships_link_target'),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_relationships_tenant_id_name'))
    )
    op.create_index(op.f('ix_relationships_tenant_id_from_object_id'), 'relationships', ['tenant_id', 'from_object_id'], unique=False)
    op.create_index(op.f('ix_relationships_tenant_id_to_object_id'), 'relationships', ['tenant_id', 'to_object_id'], unique=False)
    op.create_table('record_events',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('record_id', sa.Text(), nullable=False),
    sa.Column('op', sa.Text(), nullable=False),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('actor', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("op IN ('create', 'update', 'delete', 'restore')", name=op.f('ck_record_events_op')),
    sa.ForeignKeyConstraint(['tenant_id', 'record_id'], ['records.tenant_id', 'records.id'], name=op.f('fk_record_events_tenant_id_record_id_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_record_events_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_record_events'))
    )
    op.create_index(op.f('ix_record_events_tenant_id_record_id_id'), 'record_events', ['tenant_id', 'record_id', 'id'], unique=False)
    op.create_table('relationship_records',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('relationship_id', sa.Text(), nullable=False),
    sa.Column('rel_type', sa.Text(), nullable=False),
    sa.Column('from_object_id', sa.Text(), nullable=False),
    sa.Column('to_object_id', sa.Text(), nullable=False),
    sa.Column('from_record_id', sa.Text(), nullable=False),
    sa.Column('to_record_id', sa.Text(), nullable=False),
    sa.Column('relationship_metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'from_record_id', 'from_object_id'], ['records.tenant_id', 'records.id', 'records.object_id'], name='fk_relationship_records_from_record', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'relationship_id', 'from_object_id', 'to_object_id', 'rel_type'], ['relationships.tenant_id', 'relationships.id', 'relationships.from_object_id', 'relationships.to_object_id', 'relationships.type'], name='fk_relationship_records_relationship', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'to_record_id', 'to_object_id'], ['records.tenant_id', 'records.id', 'records.object_id'], name='fk_relationship_records_to_record', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_relationship_records_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_relationship_records')),
    sa.UniqueConstraint('tenant_id', 'relationship_id', 'from_record_id', 'to_record_id', name='uq_relationship_records_link')
    )
    op.create_index('ix_relationship_records_relationship', 'relationship_records', ['tenant_id', 'relationship_id', 'from_object_id', 'to_object_id', 'rel_type'], unique=False)
    op.create_index(op.f('ix_relationship_records_tenant_id_from_record_id'), 'relationship_records', ['tenant_id', 'from_record_id'], unique=False)
    op.create_index(op.f('ix_relationship_records_tenant_id_to_record_id'), 'relationship_records', ['tenant_id', 'to_record_id'], unique=False)
    op.create_index('uq_relationship_records_one_from', 'relationship_records', ['tenant_id', 'relationship_id', 'to_record_id'], unique=True, postgresql_where=sa.text("rel_type IN ('1:1', '1:N')"))
    op.create_index('uq_relationship_records_one_to', 'relationship_records', ['tenant_id', 'relationship_id', 'from_record_id'], unique=True, postgresql_where=sa.text("rel_type = '1:1'"))
    # Deleting a primary field clears only the pointer, not tenant_id (PostgreSQL >= 15).
    op.execute(
        "ALTER TABLE objects ADD CONSTRAINT fk_objects_primary_field"
        " FOREIGN KEY (tenant_id, primary_field_id) REFERENCES fields (tenant_id, id)"
        " ON DELETE SET NULL (primary_field_id)"
    )
    _create_immutable_casts()
    _create_runtime_role()
    _enable_row_level_security()


def _create_immutable_casts() -> None:
    """text → date/timestamptz are STABLE casts, which expression indexes refuse. Stored values
    are ISO 8601 (datetimes always with an offset), read identically under any DateStyle or
    TimeZone, so these wrappers are truly immutable for Objectry's data."""
    for name, target in (("objectry_date", "date"), ("objectry_timestamptz", "timestamptz")):
        op.execute(f"CREATE FUNCTION {name}(value text) RETURNS {target}"
                   f" LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE"
                   f" AS $$ SELECT value::{target} $$")


def _create_runtime_role() -> None:
    op.execute(f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{RUNTIME_ROLE}') THEN
                CREATE ROLE {RUNTIME_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
            END IF;
        END $$""")
    # The migrating user must be able to SET ROLE to it (PostgreSQL 16 grants no SET by default).
    op.execute(f"GRANT {RUNTIME_ROLE} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {RUNTIME_ROLE}")
    tables = ", ".join(TENANT_TABLES + GLOBAL_TABLES + ("workspaces",))
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {RUNTIME_ROLE}")
    op.execute(f"GRANT SELECT ON alembic_version TO {RUNTIME_ROLE}")


def _enable_row_level_security() -> None:
    tenant = "current_setting('app.tenant_id', true)"
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table}"
                   f" USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})")
    op.execute("ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE workspaces FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON workspaces"
               f" USING (id = {tenant}) WITH CHECK (id = {tenant})")


def downgrade() -> None:
    op.execute(f"REVOKE ALL ON alembic_version FROM {RUNTIME_ROLE}")
    op.drop_index('uq_relationship_records_one_to', table_name='relationship_records', postgresql_where=sa.text("rel_type = '1:1'"))
    op.drop_index('uq_relationship_records_one_from', table_name='relationship_records', postgresql_where=sa.text("rel_type IN ('1:1', '1:N')"))
    op.drop_index(op.f('ix_relationship_records_tenant_id_to_record_id'), table_name='relationship_records')
    op.drop_index(op.f('ix_relationship_records_tenant_id_from_record_id'), table_name='relationship_records')
    op.drop_index('ix_relationship_records_relationship', table_name='relationship_records')
    op.drop_table('relationship_records')
    op.drop_index(op.f('ix_record_events_tenant_id_record_id_id'), table_name='record_events')
    op.drop_table('record_events')
    op.drop_index(op.f('ix_relationships_tenant_id_to_object_id'), table_name='relationships')
    op.drop_index(op.f('ix_relationships_tenant_id_from_object_id'), table_name='relationships')
    op.drop_table('relationships')
    op.drop_index('ix_records_trash_batch', table_name='records', postgresql_where=sa.text('trash_batch IS NOT NULL'))
    op.drop_index('ix_records_primary_value_trgm', table_name='records', postgresql_using='gin', postgresql_ops={'primary_value': 'gin_trgm_ops'})
    op.drop_index('ix_records_primary_value', table_name='records', postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_index('ix_records_live_order', table_name='records', postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_table('records')
    op.drop_index(op.f('ix_object_fields_tenant_id_field_id'), table_name='object_fields')
    op.drop_table('object_fields')
    op.drop_index(op.f('ix_objects_tenant_id_primary_field_id'), table_name='objects')
    op.drop_constraint('fk_objects_primary_field', 'objects', type_='foreignkey')
    op.drop_table('objects')
    op.drop_index(op.f('ix_workspace_members_user_id'), table_name='workspace_members')
    op.drop_table('workspace_members')
    op.drop_index(op.f('ix_fields_tenant_id_category'), table_name='fields')
    op.drop_table('fields')
    op.drop_table('applications')
    op.drop_table('api_tokens')
    op.drop_table('workspaces')
    op.drop_index('uq_users_email_lower', table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_token_blacklist_expires_at'), table_name='token_blacklist')
    op.drop_table('token_blacklist')
    op.execute("DROP FUNCTION objectry_date(text)")
    op.execute("DROP FUNCTION objectry_timestamptz(text)")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {RUNTIME_ROLE}")
    # The role is cluster-wide and may still serve another Objectry database: keep it then.
    op.execute(f"""
        DO $$ BEGIN
            DROP ROLE IF EXISTS {RUNTIME_ROLE};
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role {RUNTIME_ROLE} is still used elsewhere; kept';
        END $$""")
