-- Rendered from Alembic revision 0022 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0021 -> 0022

CREATE TABLE rollup_statements (
    tenant_id TEXT NOT NULL, 
    object_id TEXT NOT NULL, 
    statement TEXT NOT NULL, 
    forward TEXT[] NOT NULL, 
    backward TEXT[] NOT NULL, 
    CONSTRAINT pk_rollup_statements PRIMARY KEY (tenant_id, object_id), 
    CONSTRAINT fk_rollup_statements_tenant_id_object_id_objects FOREIGN KEY(tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE record_rollups (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    object_id TEXT NOT NULL, 
    rollups JSONB NOT NULL, 
    CONSTRAINT pk_record_rollups PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_record_rollups_tenant_id_id_records FOREIGN KEY(tenant_id, id, object_id) REFERENCES records (tenant_id, id, object_id) ON DELETE CASCADE
);

CREATE INDEX ix_record_rollups_tenant_id_object_id ON record_rollups (tenant_id, object_id);

CREATE INDEX ix_fields_rollups ON fields (tenant_id) WHERE type = 'rollup';

GRANT SELECT, INSERT, UPDATE, DELETE ON rollup_statements TO objectry_app;

ALTER TABLE rollup_statements ENABLE ROW LEVEL SECURITY;

ALTER TABLE rollup_statements FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON rollup_statements USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON record_rollups TO objectry_app;

ALTER TABLE record_rollups ENABLE ROW LEVEL SECURITY;

ALTER TABLE record_rollups FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON record_rollups USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

CREATE FUNCTION objectry_rollups_recompute(tenant text, object text, ids text[])
    RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        statement text;
    BEGIN
        SELECT s.statement INTO statement FROM rollup_statements s
        WHERE s.tenant_id = tenant AND s.object_id = object;
        IF statement IS NULL OR ids IS NULL THEN
            RETURN;
        END IF;
        -- A row for each record of the object that has none (a concurrent insert of the same
        -- row is waited for), then every row locked in one order: two writers cannot deadlock
        -- here, and the second computes after the first has committed.
        INSERT INTO record_rollups (tenant_id, id, object_id, rollups)
        SELECT r.tenant_id, r.id, r.object_id, '{}' FROM records r
        WHERE r.tenant_id = tenant AND r.id = any(ids) AND r.object_id = object
        ON CONFLICT DO NOTHING;
        PERFORM 1 FROM record_rollups v
        WHERE v.tenant_id = tenant AND v.id = any(ids)
        ORDER BY v.id FOR UPDATE;
        EXECUTE statement USING tenant, ids;
    END $$;

CREATE FUNCTION objectry_links_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        tenants text[];
        rels text[];
        froms text[];
        tos text[];
        target record;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(tenant_id), array_agg(relationship_id), array_agg(from_record_id),
                   array_agg(to_record_id) INTO tenants, rels, froms, tos FROM new_links;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(tenant_id), array_agg(relationship_id), array_agg(from_record_id),
                   array_agg(to_record_id) INTO tenants, rels, froms, tos FROM old_links;
        ELSE
            SELECT array_agg(tenant_id), array_agg(relationship_id), array_agg(from_record_id),
                   array_agg(to_record_id) INTO tenants, rels, froms, tos
            FROM (SELECT * FROM old_links UNION ALL SELECT * FROM new_links) AS l;
        END IF;
        PERFORM pg_advisory_xact_lock_shared(hashtext('objectry.rollups'), hashtext(w))
        FROM (SELECT DISTINCT w FROM unnest(tenants) AS w) AS ws ORDER BY w;
        -- The records on each rollup's side of the changed links: the `from` record for a
        -- rollup over the relationship forward, the `to` record backward.
        FOR target IN
            SELECT s.tenant_id, s.object_id, array_agg(DISTINCT p.id) AS ids
            FROM rollup_statements s
            CROSS JOIN LATERAL (
                SELECT l.from_id AS id FROM unnest(tenants, rels, froms, tos)
                    AS l(tenant_id, rel, from_id, to_id)
                WHERE l.tenant_id = s.tenant_id AND l.rel = any(s.forward)
                UNION ALL
                SELECT l.to_id FROM unnest(tenants, rels, froms, tos)
                    AS l(tenant_id, rel, from_id, to_id)
                WHERE l.tenant_id = s.tenant_id AND l.rel = any(s.backward)) AS p
            WHERE s.tenant_id = any(tenants)
            GROUP BY s.tenant_id, s.object_id
            ORDER BY s.tenant_id, s.object_id
        LOOP
            PERFORM objectry_rollups_recompute(target.tenant_id, target.object_id, target.ids);
        END LOOP;
        RETURN NULL;
    END $$;

CREATE TRIGGER relationship_records_rollups_insert AFTER INSERT ON relationship_records REFERENCING NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION objectry_links_rollups();

CREATE TRIGGER relationship_records_rollups_delete AFTER DELETE ON relationship_records REFERENCING OLD TABLE AS old_links FOR EACH STATEMENT EXECUTE FUNCTION objectry_links_rollups();

CREATE TRIGGER relationship_records_rollups_update AFTER UPDATE ON relationship_records REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links FOR EACH STATEMENT EXECUTE FUNCTION objectry_links_rollups();

CREATE OR REPLACE FUNCTION objectry_record_events_fanout() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        listened boolean;
        watched text[];
        rolled boolean;
        batch record;
        target record;
    BEGIN
        -- Before the statements are read: a schema change storing one waits for this write.
        PERFORM pg_advisory_xact_lock_shared(hashtext('objectry.rollups'), hashtext(w))
        FROM (SELECT DISTINCT tenant_id AS w FROM new_events) AS ws ORDER BY w;
        SELECT EXISTS (SELECT 1 FROM realtime_listeners
                       WHERE until > now() AND tenant_id IN (SELECT tenant_id FROM new_events)),
               (SELECT array_agg(DISTINCT w.tenant_id) FROM webhooks w
                WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events)),
               EXISTS (SELECT 1 FROM rollup_statements
                       WHERE tenant_id IN (SELECT tenant_id FROM new_events))
          INTO listened, watched, rolled;
        IF rolled THEN  -- stored rollups (0022): the records linked to the changed ones
            FOR target IN
                SELECT s.tenant_id, s.object_id, array_agg(DISTINCT p.id) AS ids
                FROM rollup_statements s
                CROSS JOIN LATERAL (
                    SELECT l.from_record_id AS id
                    FROM new_events e JOIN relationship_records l
                      ON l.tenant_id = e.tenant_id AND l.to_record_id = e.record_id
                    WHERE e.tenant_id = s.tenant_id AND e.op <> 'create'
                      AND l.relationship_id = any(s.forward)
                    UNION ALL
                    SELECT l.to_record_id
                    FROM new_events e JOIN relationship_records l
                      ON l.tenant_id = e.tenant_id AND l.from_record_id = e.record_id
                    WHERE e.tenant_id = s.tenant_id AND e.op <> 'create'
                      AND l.relationship_id = any(s.backward)) AS p
                WHERE s.tenant_id IN (SELECT tenant_id FROM new_events)
                GROUP BY s.tenant_id, s.object_id
                ORDER BY s.tenant_id, s.object_id
            LOOP
                PERFORM objectry_rollups_recompute(target.tenant_id, target.object_id,
                                                   target.ids);
            END LOOP;
        END IF;
        IF listened THEN  -- realtime: which records changed, by id (0009)
            FOR batch IN
                SELECT tenant_id, op, max(id) AS last_event,
                       array_agg(record_id ORDER BY id) AS ids
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
        END IF;
        IF watched IS NOT NULL THEN  -- webhooks: the outbox (0011)
            INSERT INTO webhook_events (tenant_id, record_id, object_id, op, record, changes, at)
            SELECT e.tenant_id, e.record_id, r.object_id, e.op, to_jsonb(r), e.changes, e.at
            FROM new_events e
            JOIN records r ON r.tenant_id = e.tenant_id AND r.id = e.record_id
            WHERE e.tenant_id = any(watched)
            ORDER BY e.id;
            PERFORM pg_notify('objectry_webhooks', t) FROM unnest(watched) AS t;
        END IF;
        RETURN NULL;
    END $$;

UPDATE alembic_version SET version_num='0022' WHERE alembic_version.version_num = '0021';

COMMIT;

