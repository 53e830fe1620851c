-- Rendered from Alembic revision 0015 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0014 -> 0015

CREATE TABLE import_jobs (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    object_id TEXT NOT NULL, 
    options JSONB NOT NULL, 
    columns JSONB NOT NULL, 
    status TEXT DEFAULT 'running' NOT NULL, 
    reason TEXT, 
    rows_total BIGINT, 
    rows_done BIGINT DEFAULT 0 NOT NULL, 
    created BIGINT DEFAULT 0 NOT NULL, 
    updated BIGINT DEFAULT 0 NOT NULL, 
    skipped BIGINT DEFAULT 0 NOT NULL, 
    errors JSONB DEFAULT '[]'::jsonb NOT NULL, 
    created_by TEXT, 
    heartbeat_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    finished_at TIMESTAMP WITH TIME ZONE, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_import_jobs PRIMARY KEY (tenant_id, id), 
    CONSTRAINT ck_import_jobs_status CHECK (status IN ('running', 'succeeded', 'failed')), 
    CONSTRAINT fk_import_jobs_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_import_jobs_tenant_id_created_at ON import_jobs (tenant_id, created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON import_jobs TO objectry_app;

ALTER TABLE import_jobs ENABLE ROW LEVEL SECURITY;

ALTER TABLE import_jobs FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON import_jobs USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

UPDATE alembic_version SET version_num='0015' WHERE alembic_version.version_num = '0014';

COMMIT;

