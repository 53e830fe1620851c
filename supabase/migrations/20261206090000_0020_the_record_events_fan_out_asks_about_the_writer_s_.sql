-- Rendered from Alembic revision 0020 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0019 -> 0020

CREATE OR REPLACE FUNCTION objectry_record_events_fanout() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        scope text := nullif(current_setting('app.tenant_id', true), '');
        listened boolean;
        watched text[];
        batch record;
    BEGIN
        IF scope IS NOT NULL AND row_security_active('record_events') THEN
            -- record_events' policy admitted only the scope's events
            SELECT EXISTS (SELECT 1 FROM realtime_listeners
                           WHERE tenant_id = scope AND until > now()),
                   (SELECT ARRAY[scope] WHERE EXISTS (SELECT 1 FROM webhooks
                                                       WHERE tenant_id = scope AND active))
              INTO listened, watched;
        ELSE
            SELECT EXISTS (SELECT 1 FROM realtime_listeners
                           WHERE until > now()
                             AND tenant_id IN (SELECT tenant_id FROM new_events)),
                   (SELECT array_agg(DISTINCT w.tenant_id) FROM webhooks w
                    WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events))
              INTO listened, watched;
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

UPDATE alembic_version SET version_num='0020' WHERE alembic_version.version_num = '0019';

COMMIT;

