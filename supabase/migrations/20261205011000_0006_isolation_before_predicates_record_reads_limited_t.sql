-- Rendered from Alembic revision 0006 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0005 -> 0006

CREATE EXTENSION IF NOT EXISTS btree_gin;

DROP INDEX ix_records_primary_value_trgm;

ALTER TABLE records ALTER COLUMN primary_value SET STATISTICS 0;

ALTER TABLE records ALTER COLUMN data SET STATISTICS 0;

DROP VIEW records_in_scope;

ALTER TABLE records ALTER COLUMN primary_value TYPE text;

CREATE VIEW records_in_scope AS SELECT * FROM records WHERE tenant_id = current_setting('app.tenant_id', true);

GRANT SELECT ON records_in_scope TO objectry_app;

CREATE INDEX ix_records_primary_value_trgm ON records USING gin (tenant_id, object_id, primary_value gin_trgm_ops);

CREATE FUNCTION objectry_answer_bytes(total bigint, cap bigint) RETURNS bigint
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL RESTRICTED AS $$
    BEGIN
        IF total > cap THEN
            RAISE EXCEPTION 'the answer would be larger than % bytes', cap
                USING ERRCODE = 'OB413';
        END IF;
        RETURN total;
    END $$;

GRANT EXECUTE ON FUNCTION objectry_answer_bytes(bigint, bigint) TO objectry_app;

UPDATE alembic_version SET version_num='0006' WHERE alembic_version.version_num = '0005';

COMMIT;

