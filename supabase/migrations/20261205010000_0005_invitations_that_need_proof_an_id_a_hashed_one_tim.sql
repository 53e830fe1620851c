-- Rendered from Alembic revision 0005 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0004 -> 0005

UPDATE alembic_version SET version_num='0005' WHERE alembic_version.version_num = '0004';

COMMIT;

