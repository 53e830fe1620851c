-- Rendered from Alembic revision 0020 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0019 -> 0020

CREATE FUNCTION objectry_record_events_forget() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
        caller text := current_setting('app.tenant_id', true);
        workspace text;
    BEGIN
        FOR workspace IN SELECT DISTINCT tenant_id FROM gone LOOP
            PERFORM set_config('app.tenant_id', workspace, true);
            DELETE FROM public.record_events e USING gone g
            WHERE e.tenant_id = workspace AND g.tenant_id = workspace AND e.record_id = g.id;
        END LOOP;
        PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
        RETURN NULL;
    END $$;

REVOKE EXECUTE ON FUNCTION objectry_record_events_forget() FROM PUBLIC;

CREATE TRIGGER records_forget_events AFTER DELETE ON records REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION objectry_record_events_forget();

ALTER TABLE record_events DROP CONSTRAINT fk_record_events_tenant_id_record_id_records;

UPDATE alembic_version SET version_num='0020' WHERE alembic_version.version_num = '0019';

COMMIT;

