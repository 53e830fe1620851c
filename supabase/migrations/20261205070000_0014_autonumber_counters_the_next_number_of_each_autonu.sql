-- Rendered from Alembic revision 0014 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0013 -> 0014

CREATE TABLE autonumber_counters (
    tenant_id TEXT NOT NULL, 
    object_id TEXT NOT NULL, 
    field_id TEXT NOT NULL, 
    next_value BIGINT NOT NULL, 
    CONSTRAINT pk_autonumber_counters PRIMARY KEY (tenant_id, object_id, field_id), 
    CONSTRAINT fk_autonumber_counters_tenant_id_field_id_fields FOREIGN KEY(tenant_id, field_id) REFERENCES fields (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_autonumber_counters_tenant_id_object_id_objects FOREIGN KEY(tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_autonumber_counters_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_autonumber_counters_tenant_id_field_id ON autonumber_counters (tenant_id, field_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON autonumber_counters TO objectry_app;

ALTER TABLE autonumber_counters ENABLE ROW LEVEL SECURITY;

ALTER TABLE autonumber_counters FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON autonumber_counters USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

UPDATE alembic_version SET version_num='0014' WHERE alembic_version.version_num = '0013';

COMMIT;

