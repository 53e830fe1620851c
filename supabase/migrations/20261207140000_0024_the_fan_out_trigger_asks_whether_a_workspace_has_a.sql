-- Rendered from Alembic revision 0024 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0023 -> 0024

CREATE OR REPLACE FUNCTION objectry_record_events_fanout() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        listened boolean;
        watched text[];
        hooked boolean;
        rolled boolean;
        batch record;
        target record;
    BEGIN
        -- Before the statements are read: a schema change storing one waits for this write.
        PERFORM pg_advisory_xact_lock_shared(hashtext('objectry.rollups'), hashtext(w))
        FROM (SELECT DISTINCT tenant_id AS w FROM new_events) AS ws ORDER BY w;
        SELECT EXISTS (SELECT 1 FROM realtime_listeners
                       WHERE until > now() AND tenant_id IN (SELECT tenant_id FROM new_events)),
               EXISTS (SELECT 1 FROM webhooks w
                       WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events)),
               EXISTS (SELECT 1 FROM rollup_statements
                       WHERE tenant_id IN (SELECT tenant_id FROM new_events))
          INTO listened, hooked, rolled;
        IF rolled THEN  -- stored rollups (0022): the records linked to the changed ones
            FOR target IN
                SELECT s.tenant_id, s.object_id, array_agg(DISTINCT p.id) AS ids
                FROM rollup_statements s
                CROSS JOIN LATERAL (
                    SELECT l.from_record_id AS id
                    FROM new_events e JOIN relationship_records l
                      ON l.tenant_id = e.tenant_id AND l.to_record_id = e.record_id
                    WHERE e.tenant_id = s.tenant_id AND e.op <> 'create' AND (e.op <> 'update' OR s.reads IS NULL OR e.changes ?| s.reads)
                      AND l.relationship_id = any(s.forward)
                    UNION ALL
                    SELECT l.to_record_id
                    FROM new_events e JOIN relationship_records l
                      ON l.tenant_id = e.tenant_id AND l.from_record_id = e.record_id
                    WHERE e.tenant_id = s.tenant_id AND e.op <> 'create' AND (e.op <> 'update' OR s.reads IS NULL OR e.changes ?| s.reads)
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
        IF hooked THEN  -- webhooks: the outbox (0011)
            SELECT array_agg(DISTINCT w.tenant_id) INTO watched FROM webhooks w
            WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events);
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

UPDATE alembic_version SET version_num='0024' WHERE alembic_version.version_num = '0023';

COMMIT;

