-- Rendered from Alembic revision 0007 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0006 -> 0007

UPDATE alembic_version SET version_num='0007' WHERE alembic_version.version_num = '0006';

COMMIT;

