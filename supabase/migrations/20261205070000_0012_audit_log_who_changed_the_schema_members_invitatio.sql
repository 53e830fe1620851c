-- Rendered from Alembic revision 0012 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0011 -> 0012

CREATE TABLE audit_log (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    at TIMESTAMP WITH TIME ZONE DEFAULT clock_timestamp() NOT NULL, 
    kind TEXT NOT NULL, 
    action TEXT NOT NULL, 
    target_id TEXT NOT NULL, 
    target_name TEXT, 
    actor_user_id TEXT, 
    actor_email TEXT, 
    credential_type TEXT NOT NULL, 
    credential_id TEXT, 
    credential_name TEXT, 
    changes JSONB, 
    CONSTRAINT pk_audit_log PRIMARY KEY (tenant_id, id), 
    CONSTRAINT ck_audit_log_credential_type CHECK (credential_type IN ('session', 'token')), 
    CONSTRAINT fk_audit_log_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_audit_log_tenant_id_at_id ON audit_log (tenant_id, at, id);

CREATE INDEX ix_audit_log_tenant_id_actor_user_id_at ON audit_log (tenant_id, actor_user_id, at);

GRANT SELECT, INSERT ON audit_log TO objectry_app;

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;

ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON audit_log USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

UPDATE alembic_version SET version_num='0012' WHERE alembic_version.version_num = '0011';

COMMIT;

