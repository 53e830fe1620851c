-- Rendered from Alembic revision 0016 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0015 -> 0016

CREATE TABLE link_events (
    tenant_id TEXT NOT NULL, 
    id BIGINT DEFAULT nextval('record_events_id_seq'::regclass) NOT NULL, 
    record_id TEXT NOT NULL, 
    op TEXT NOT NULL, 
    relationship_id TEXT NOT NULL, 
    forward BOOLEAN NOT NULL, 
    other_record_id TEXT NOT NULL, 
    link_id TEXT NOT NULL, 
    actor TEXT, 
    at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_link_events PRIMARY KEY (tenant_id, id), 
    CONSTRAINT ck_link_events_op CHECK (op IN ('link', 'unlink')), 
    CONSTRAINT fk_link_events_tenant_id_record_id_records FOREIGN KEY(tenant_id, record_id) REFERENCES records (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_link_events_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_link_events_tenant_id_record_id_id ON link_events (tenant_id, record_id, id);

GRANT SELECT, INSERT, UPDATE, DELETE ON link_events TO objectry_app;

GRANT USAGE ON SEQUENCE record_events_id_seq TO objectry_app;

ALTER TABLE link_events ENABLE ROW LEVEL SECURITY;

ALTER TABLE link_events FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON link_events USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

UPDATE alembic_version SET version_num='0016' WHERE alembic_version.version_num = '0015';

COMMIT;

