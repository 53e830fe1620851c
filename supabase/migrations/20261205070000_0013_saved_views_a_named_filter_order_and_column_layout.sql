-- Rendered from Alembic revision 0013 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0012 -> 0013

CREATE TABLE views (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    object_id TEXT NOT NULL, 
    name TEXT NOT NULL, 
    type TEXT NOT NULL, 
    filter TEXT DEFAULT '' NOT NULL, 
    order_by TEXT DEFAULT '' NOT NULL, 
    fields JSONB DEFAULT '[]'::jsonb NOT NULL, 
    group_by TEXT, 
    date_field TEXT, 
    shared BOOLEAN DEFAULT false NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    created_by TEXT, 
    CONSTRAINT pk_views PRIMARY KEY (tenant_id, id), 
    CONSTRAINT ck_views_view_type CHECK (type IN ('grid', 'kanban', 'calendar')), 
    CONSTRAINT fk_views_tenant_id_object_id_objects FOREIGN KEY(tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_views_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_views_tenant_id_object_id_created_at ON views (tenant_id, object_id, created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON views TO objectry_app;

ALTER TABLE views ENABLE ROW LEVEL SECURITY;

ALTER TABLE views FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON views USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

UPDATE alembic_version SET version_num='0013' WHERE alembic_version.version_num = '0012';

COMMIT;

