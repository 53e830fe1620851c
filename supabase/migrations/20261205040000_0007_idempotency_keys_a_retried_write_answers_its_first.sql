-- Rendered from Alembic revision 0007 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0006 -> 0007

CREATE TABLE idempotency_keys (
    tenant_id TEXT NOT NULL, 
    key TEXT NOT NULL, 
    fingerprint BYTEA NOT NULL, 
    status SMALLINT NOT NULL, 
    headers JSONB NOT NULL, 
    body BYTEA NOT NULL, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (tenant_id, key), 
    CONSTRAINT ck_idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 255), 
    CONSTRAINT fk_idempotency_keys_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_idempotency_keys_tenant_id_created_at ON idempotency_keys (tenant_id, created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO objectry_app;

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;

ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON idempotency_keys USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

UPDATE alembic_version SET version_num='0007' WHERE alembic_version.version_num = '0006';

COMMIT;

