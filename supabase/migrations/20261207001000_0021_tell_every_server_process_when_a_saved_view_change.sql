-- Rendered from Alembic revision 0021 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0020 -> 0021

CREATE FUNCTION objectry_view_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('objectry_metadata', OLD.tenant_id);
            RETURN NULL;
        END $$;

CREATE TRIGGER views_changed AFTER UPDATE OR DELETE ON views FOR EACH ROW EXECUTE FUNCTION objectry_view_changed();

UPDATE alembic_version SET version_num='0021' WHERE alembic_version.version_num = '0020';

COMMIT;

