-- Rendered from Alembic revision 0003 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0002 -> 0003

CREATE VIEW records_in_scope AS SELECT * FROM records WHERE tenant_id = current_setting('app.tenant_id', true);

GRANT SELECT ON records_in_scope TO objectry_app;

UPDATE alembic_version SET version_num='0003' WHERE alembic_version.version_num = '0002';

COMMIT;

