-- Rendered from Alembic revision 0019 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0018 -> 0019

ALTER TABLE records DROP CONSTRAINT fk_records_tenant_id_workspaces;

ALTER TABLE relationship_records DROP CONSTRAINT fk_relationship_records_tenant_id_workspaces;

ALTER TABLE link_events DROP CONSTRAINT fk_link_events_tenant_id_workspaces;

UPDATE alembic_version SET version_num='0019' WHERE alembic_version.version_num = '0018';

COMMIT;

