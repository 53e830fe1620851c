-- Rendered from Alembic revision 0005 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0004 -> 0005

DROP FUNCTION objectry_pending_invitations(text);

ALTER TABLE workspace_invitations ADD COLUMN id TEXT;

ALTER TABLE workspace_invitations ADD COLUMN token_hash TEXT;

ALTER TABLE workspace_invitations ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE workspace_invitations ADD COLUMN revoked_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE workspace_invitations ADD COLUMN accepted_by TEXT;

ALTER TABLE workspace_invitations NO FORCE ROW LEVEL SECURITY;

UPDATE workspace_invitations SET id = 'inv_' || substr(md5(gen_random_uuid()::text), 1, 16), token_hash = encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'), expires_at = created_at + interval '7 days', revoked_at = CASE WHEN accepted_at IS NULL THEN now() END;

ALTER TABLE workspace_invitations FORCE ROW LEVEL SECURITY;

ALTER TABLE workspace_invitations ALTER COLUMN id SET NOT NULL;

ALTER TABLE workspace_invitations ALTER COLUMN token_hash SET NOT NULL;

ALTER TABLE workspace_invitations ALTER COLUMN expires_at SET NOT NULL;

DROP INDEX ix_workspace_invitations_email;

ALTER TABLE workspace_invitations DROP CONSTRAINT pk_workspace_invitations;

ALTER TABLE workspace_invitations ADD CONSTRAINT pk_workspace_invitations PRIMARY KEY (tenant_id, id);

ALTER TABLE workspace_invitations ADD CONSTRAINT fk_workspace_invitations_accepted_by_users FOREIGN KEY(accepted_by) REFERENCES users (id) ON DELETE SET NULL;

CREATE INDEX ix_workspace_invitations_token_hash ON workspace_invitations (token_hash);

CREATE UNIQUE INDEX uq_workspace_invitations_pending_email ON workspace_invitations (tenant_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE FUNCTION objectry_invitation_by_token(p_hash text) RETURNS TABLE (tenant_id text, id text, email text, role text) LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ BEGIN PERFORM set_config('app.definer', 'on', true); RETURN QUERY SELECT i.tenant_id, i.id, i.email, i.role FROM public.workspace_invitations i WHERE i.token_hash = p_hash AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now(); PERFORM set_config('app.definer', '', true); END $fn$;

REVOKE EXECUTE ON FUNCTION objectry_invitation_by_token(p_hash text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION objectry_invitation_by_token(p_hash text) TO objectry_app;

DO $do$ BEGIN
  IF current_setting('server_encoding') = 'UTF8' THEN
    UPDATE users u SET email = lower(normalize(u.email, NFKC))
    WHERE u.email <> lower(normalize(u.email, NFKC)) AND NOT EXISTS (
      SELECT 1 FROM users o WHERE o.id <> u.id
      AND lower(o.email) = lower(normalize(u.email, NFKC)));
  END IF;
END $do$;

UPDATE alembic_version SET version_num='0005' WHERE alembic_version.version_num = '0004';

COMMIT;

