-- Rendered from Alembic revision 0010 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0009 -> 0010

CREATE TABLE realtime_listeners (
    tenant_id TEXT NOT NULL, 
    until TIMESTAMP WITH TIME ZONE NOT NULL, 
    CONSTRAINT pk_realtime_listeners PRIMARY KEY (tenant_id), 
    CONSTRAINT fk_realtime_listeners_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

GRANT SELECT, INSERT, UPDATE, DELETE ON realtime_listeners TO objectry_app;

ALTER TABLE realtime_listeners ENABLE ROW LEVEL SECURITY;

ALTER TABLE realtime_listeners FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON realtime_listeners USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

CREATE OR REPLACE FUNCTION objectry_records_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        batch record;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM realtime_listeners
                       WHERE until > now() AND tenant_id IN (SELECT tenant_id FROM new_events))
        THEN
            RETURN NULL;
        END IF;
        FOR batch IN
            SELECT tenant_id, op, max(id) AS last_event, array_agg(record_id ORDER BY id) AS ids
            FROM (SELECT tenant_id, op, id, record_id,
                         (row_number() OVER (PARTITION BY tenant_id, op ORDER BY id) - 1)
                         / 100 AS chunk
                  FROM new_events) AS e
            GROUP BY tenant_id, op, chunk
            ORDER BY min(id)
        LOOP
            PERFORM pg_notify('objectry_changes', json_build_object(
                't', batch.tenant_id, 'op', batch.op, 'e', batch.last_event,
                'at', now(), 'ids', batch.ids)::text);
        END LOOP;
        RETURN NULL;
    END $$;

UPDATE alembic_version SET version_num='0010' WHERE alembic_version.version_num = '0009';

COMMIT;

