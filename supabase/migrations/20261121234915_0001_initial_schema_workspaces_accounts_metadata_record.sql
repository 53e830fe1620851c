-- Rendered from Alembic revision 0001 by `objectry supabase`; do not edit.
BEGIN;

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> 0001

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE token_blacklist (
    jti TEXT NOT NULL, 
    user_id TEXT NOT NULL, 
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL, 
    blacklisted_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_token_blacklist PRIMARY KEY (jti)
);

CREATE INDEX ix_token_blacklist_expires_at ON token_blacklist (expires_at);

CREATE TABLE users (
    id TEXT NOT NULL, 
    email TEXT NOT NULL, 
    hashed_password TEXT NOT NULL, 
    full_name TEXT DEFAULT '' NOT NULL, 
    is_active BOOLEAN DEFAULT true NOT NULL, 
    is_verified BOOLEAN DEFAULT false NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    last_login TIMESTAMP WITH TIME ZONE, 
    CONSTRAINT pk_users PRIMARY KEY (id)
);

CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email));

CREATE TABLE workspaces (
    id TEXT NOT NULL, 
    name TEXT NOT NULL, 
    schema_version BIGINT DEFAULT '1' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_workspaces PRIMARY KEY (id)
);

CREATE TABLE api_tokens (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    name TEXT NOT NULL, 
    prefix TEXT NOT NULL, 
    token_hash TEXT NOT NULL, 
    scopes TEXT[] NOT NULL, 
    expires_at TIMESTAMP WITH TIME ZONE, 
    revoked_at TIMESTAMP WITH TIME ZONE, 
    last_used_at TIMESTAMP WITH TIME ZONE, 
    created_by TEXT, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_api_tokens PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_api_tokens_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT uq_api_tokens_token_hash UNIQUE (token_hash)
);

CREATE TABLE applications (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    name TEXT NOT NULL, 
    label TEXT NOT NULL, 
    description TEXT, 
    icon TEXT, 
    config JSONB DEFAULT '{}'::jsonb NOT NULL, 
    published_at TIMESTAMP WITH TIME ZONE, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    created_by TEXT, 
    CONSTRAINT pk_applications PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_applications_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT uq_applications_tenant_id_name UNIQUE (tenant_id, name)
);

CREATE TABLE fields (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    name TEXT NOT NULL, 
    label TEXT NOT NULL, 
    type TEXT NOT NULL, 
    description TEXT, 
    config JSONB DEFAULT '{}'::jsonb NOT NULL, 
    category TEXT, 
    is_system BOOLEAN DEFAULT false NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    created_by TEXT, 
    CONSTRAINT pk_fields PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_fields_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT uq_fields_tenant_id_name UNIQUE (tenant_id, name)
);

CREATE INDEX ix_fields_tenant_id_category ON fields (tenant_id, category);

CREATE TABLE workspace_members (
    tenant_id TEXT NOT NULL, 
    user_id TEXT NOT NULL, 
    role TEXT NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_workspace_members PRIMARY KEY (tenant_id, user_id), 
    CONSTRAINT ck_workspace_members_role CHECK (role IN ('owner', 'admin', 'editor', 'viewer')), 
    CONSTRAINT fk_workspace_members_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT fk_workspace_members_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_workspace_members_user_id ON workspace_members (user_id);

CREATE TABLE objects (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    name TEXT NOT NULL, 
    label TEXT NOT NULL, 
    plural_name TEXT, 
    plural_label TEXT, 
    description TEXT, 
    icon TEXT, 
    primary_field_id TEXT, 
    permissions JSONB, 
    views JSONB, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    created_by TEXT, 
    CONSTRAINT pk_objects PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_objects_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT uq_objects_tenant_id_name UNIQUE (tenant_id, name)
);

CREATE INDEX ix_objects_tenant_id_primary_field_id ON objects (tenant_id, primary_field_id);

CREATE TABLE object_fields (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    object_id TEXT NOT NULL, 
    field_id TEXT NOT NULL, 
    display_order INTEGER DEFAULT '0' NOT NULL, 
    is_required BOOLEAN DEFAULT false NOT NULL, 
    is_visible BOOLEAN DEFAULT true NOT NULL, 
    is_readonly BOOLEAN DEFAULT false NOT NULL, 
    is_unique BOOLEAN DEFAULT false NOT NULL, 
    is_indexed BOOLEAN DEFAULT false NOT NULL, 
    field_overrides JSONB DEFAULT '{}'::jsonb NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_object_fields PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_object_fields_tenant_id_field_id_fields FOREIGN KEY(tenant_id, field_id) REFERENCES fields (tenant_id, id) ON DELETE RESTRICT, 
    CONSTRAINT fk_object_fields_tenant_id_object_id_objects FOREIGN KEY(tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_object_fields_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT uq_object_fields_tenant_id_object_id_field_id UNIQUE (tenant_id, object_id, field_id)
);

CREATE INDEX ix_object_fields_tenant_id_field_id ON object_fields (tenant_id, field_id);

CREATE TABLE records (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    object_id TEXT NOT NULL, 
    data JSONB DEFAULT '{}'::jsonb NOT NULL, 
    primary_value TEXT, 
    version INTEGER DEFAULT '1' NOT NULL, 
    deleted_at TIMESTAMP WITH TIME ZONE, 
    trash_batch TEXT, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    created_by TEXT, 
    updated_by TEXT, 
    CONSTRAINT pk_records PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_records_tenant_id_object_id_objects FOREIGN KEY(tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_records_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT uq_records_tenant_id_id_object_id UNIQUE (tenant_id, id, object_id)
);

CREATE INDEX ix_records_live_order ON records (tenant_id, object_id, created_at, id) WHERE deleted_at IS NULL;

CREATE INDEX ix_records_primary_value ON records (tenant_id, object_id, primary_value) WHERE deleted_at IS NULL;

CREATE INDEX ix_records_primary_value_trgm ON records USING gin (primary_value gin_trgm_ops);

CREATE INDEX ix_records_trash_batch ON records (tenant_id, trash_batch) WHERE trash_batch IS NOT NULL;

CREATE TABLE relationships (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    name TEXT NOT NULL, 
    from_object_id TEXT NOT NULL, 
    to_object_id TEXT NOT NULL, 
    type TEXT NOT NULL, 
    from_label TEXT NOT NULL, 
    to_label TEXT NOT NULL, 
    on_delete TEXT DEFAULT 'unlink' NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    created_by TEXT, 
    CONSTRAINT pk_relationships PRIMARY KEY (tenant_id, id), 
    CONSTRAINT ck_relationships_on_delete CHECK (on_delete IN ('unlink', 'cascade', 'restrict')), 
    CONSTRAINT ck_relationships_type CHECK (type IN ('1:1', '1:N', 'N:N')), 
    CONSTRAINT fk_relationships_tenant_id_from_object_id_objects FOREIGN KEY(tenant_id, from_object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_relationships_tenant_id_to_object_id_objects FOREIGN KEY(tenant_id, to_object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_relationships_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT uq_relationships_link_target UNIQUE (tenant_id, id, from_object_id, to_object_id, type), 
    CONSTRAINT uq_relationships_tenant_id_name UNIQUE (tenant_id, name)
);

CREATE INDEX ix_relationships_tenant_id_from_object_id ON relationships (tenant_id, from_object_id);

CREATE INDEX ix_relationships_tenant_id_to_object_id ON relationships (tenant_id, to_object_id);

CREATE TABLE record_events (
    tenant_id TEXT NOT NULL, 
    id BIGINT GENERATED ALWAYS AS IDENTITY, 
    record_id TEXT NOT NULL, 
    op TEXT NOT NULL, 
    changes JSONB DEFAULT '{}'::jsonb NOT NULL, 
    actor TEXT, 
    at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_record_events PRIMARY KEY (tenant_id, id), 
    CONSTRAINT ck_record_events_op CHECK (op IN ('create', 'update', 'delete', 'restore')), 
    CONSTRAINT fk_record_events_tenant_id_record_id_records FOREIGN KEY(tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_record_events_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_record_events_tenant_id_record_id_id ON record_events (tenant_id, record_id, id);

CREATE TABLE relationship_records (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    relationship_id TEXT NOT NULL, 
    rel_type TEXT NOT NULL, 
    from_object_id TEXT NOT NULL, 
    to_object_id TEXT NOT NULL, 
    from_record_id TEXT NOT NULL, 
    to_record_id TEXT NOT NULL, 
    relationship_metadata JSONB, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    created_by TEXT, 
    CONSTRAINT pk_relationship_records PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_relationship_records_from_record FOREIGN KEY(tenant_id, from_record_id, from_object_id) REFERENCES records (tenant_id, id, object_id) ON DELETE CASCADE, 
    CONSTRAINT fk_relationship_records_relationship FOREIGN KEY(tenant_id, relationship_id, from_object_id, to_object_id, rel_type) REFERENCES relationships (tenant_id, id, from_object_id, to_object_id, type) ON DELETE CASCADE, 
    CONSTRAINT fk_relationship_records_to_record FOREIGN KEY(tenant_id, to_record_id, to_object_id) REFERENCES records (tenant_id, id, object_id) ON DELETE CASCADE, 
    CONSTRAINT fk_relationship_records_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT uq_relationship_records_link UNIQUE (tenant_id, relationship_id, from_record_id, to_record_id)
);

CREATE INDEX ix_relationship_records_relationship ON relationship_records (tenant_id, relationship_id, from_object_id, to_object_id, rel_type);

CREATE INDEX ix_relationship_records_tenant_id_from_record_id ON relationship_records (tenant_id, from_record_id);

CREATE INDEX ix_relationship_records_tenant_id_to_record_id ON relationship_records (tenant_id, to_record_id);

CREATE UNIQUE INDEX uq_relationship_records_one_from ON relationship_records (tenant_id, relationship_id, to_record_id) WHERE rel_type IN ('1:1', '1:N');

CREATE UNIQUE INDEX uq_relationship_records_one_to ON relationship_records (tenant_id, relationship_id, from_record_id) WHERE rel_type = '1:1';

ALTER TABLE objects ADD CONSTRAINT fk_objects_primary_field FOREIGN KEY (tenant_id, primary_field_id) REFERENCES fields (tenant_id, id) ON DELETE SET NULL (primary_field_id);

CREATE FUNCTION objectry_date(value text) RETURNS date LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT value::date $$;

CREATE FUNCTION objectry_timestamptz(value text) RETURNS timestamptz LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT value::timestamptz $$;

DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'objectry_app') THEN
                CREATE ROLE objectry_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
            END IF;
        END $$;

GRANT objectry_app TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO objectry_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON api_tokens, applications, fields, workspace_members, objects, object_fields, records, relationships, record_events, relationship_records, users, token_blacklist, workspaces TO objectry_app;

GRANT SELECT ON alembic_version TO objectry_app;

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;

ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON api_tokens USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE applications ENABLE ROW LEVEL SECURITY;

ALTER TABLE applications FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON applications USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE fields ENABLE ROW LEVEL SECURITY;

ALTER TABLE fields FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON fields USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE workspace_members ENABLE ROW LEVEL SECURITY;

ALTER TABLE workspace_members FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON workspace_members USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE objects ENABLE ROW LEVEL SECURITY;

ALTER TABLE objects FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON objects USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE object_fields ENABLE ROW LEVEL SECURITY;

ALTER TABLE object_fields FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON object_fields USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE records ENABLE ROW LEVEL SECURITY;

ALTER TABLE records FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON records USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE relationships ENABLE ROW LEVEL SECURITY;

ALTER TABLE relationships FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON relationships USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE record_events ENABLE ROW LEVEL SECURITY;

ALTER TABLE record_events FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON record_events USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE relationship_records ENABLE ROW LEVEL SECURITY;

ALTER TABLE relationship_records FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON relationship_records USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;

ALTER TABLE workspaces FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON workspaces USING (id = current_setting('app.tenant_id', true)) WITH CHECK (id = current_setting('app.tenant_id', true));

INSERT INTO alembic_version (version_num) VALUES ('0001') RETURNING alembic_version.version_num;

COMMIT;

