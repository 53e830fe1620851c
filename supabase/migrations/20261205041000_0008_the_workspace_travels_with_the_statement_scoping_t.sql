-- Rendered from Alembic revision 0008 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0007 -> 0008

UPDATE alembic_version SET version_num='0008' WHERE alembic_version.version_num = '0007';

COMMIT;

