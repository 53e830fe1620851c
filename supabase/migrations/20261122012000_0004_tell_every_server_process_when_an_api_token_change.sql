-- Rendered from Alembic revision 0004 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0003 -> 0004

CREATE FUNCTION objectry_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('objectry_tokens', OLD.token_hash);
            RETURN NULL;
        END $$;

CREATE TRIGGER api_tokens_changed AFTER UPDATE OF revoked_at, expires_at, scopes, token_hash OR DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION objectry_token_changed();

UPDATE alembic_version SET version_num='0004' WHERE alembic_version.version_num = '0003';

COMMIT;

