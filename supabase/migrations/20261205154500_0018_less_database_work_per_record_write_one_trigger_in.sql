-- Rendered from Alembic revision 0018 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0017 -> 0018

DROP TRIGGER record_events_notify ON record_events;

DROP TRIGGER record_events_webhooks ON record_events;

CREATE FUNCTION objectry_record_events_fanout() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        listened boolean;
        watched text[];
        batch record;
    BEGIN
        SELECT EXISTS (SELECT 1 FROM realtime_listeners
                       WHERE until > now() AND tenant_id IN (SELECT tenant_id FROM new_events)),
               (SELECT array_agg(DISTINCT w.tenant_id) FROM webhooks w
                WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events))
          INTO listened, watched;
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

CREATE TRIGGER record_events_fanout AFTER INSERT ON record_events REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION objectry_record_events_fanout();

ALTER TABLE record_events DROP CONSTRAINT fk_record_events_tenant_id_workspaces;

UPDATE alembic_version SET version_num='0018' WHERE alembic_version.version_num = '0017';

COMMIT;

