-- Rendered from Alembic revision 0017 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0016 -> 0017

CREATE FUNCTION objectry_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('objectry_sessions', '');
            RETURN NULL;
        END $$;

CREATE TRIGGER token_blacklist_changed AFTER INSERT ON token_blacklist FOR EACH STATEMENT EXECUTE FUNCTION objectry_session_changed();

CREATE TRIGGER refresh_tokens_revoked AFTER UPDATE OF revoked_at ON refresh_tokens FOR EACH STATEMENT EXECUTE FUNCTION objectry_session_changed();

CREATE TRIGGER workspace_members_changed AFTER UPDATE OF role OR DELETE ON workspace_members FOR EACH STATEMENT EXECUTE FUNCTION objectry_session_changed();

CREATE TRIGGER users_deactivated AFTER UPDATE OF is_active ON users FOR EACH STATEMENT EXECUTE FUNCTION objectry_session_changed();

UPDATE alembic_version SET version_num='0017' WHERE alembic_version.version_num = '0016';

COMMIT;

