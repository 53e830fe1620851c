-- Rendered from Alembic revision 0006 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0005 -> 0006

UPDATE alembic_version SET version_num='0006' WHERE alembic_version.version_num = '0005';

COMMIT;

