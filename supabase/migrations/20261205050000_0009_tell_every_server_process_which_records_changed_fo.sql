-- Rendered from Alembic revision 0009 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0008 -> 0009

CREATE FUNCTION objectry_records_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            batch record;
        BEGIN
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

CREATE TRIGGER record_events_notify AFTER INSERT ON record_events REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION objectry_records_changed();

UPDATE alembic_version SET version_num='0009' WHERE alembic_version.version_num = '0008';

COMMIT;

