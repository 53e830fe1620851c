-- Rendered from Alembic revision 0002 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0001 -> 0002

CREATE TABLE login_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY, 
    key_hash TEXT NOT NULL, 
    at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_login_attempts PRIMARY KEY (id)
);

CREATE INDEX ix_login_attempts_at ON login_attempts (at);

CREATE INDEX ix_login_attempts_key_hash_at ON login_attempts (key_hash, at);

CREATE TABLE refresh_tokens (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    family_id TEXT NOT NULL, 
    user_id TEXT NOT NULL, 
    token_hash TEXT NOT NULL, 
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL, 
    used_at TIMESTAMP WITH TIME ZONE, 
    revoked_at TIMESTAMP WITH TIME ZONE, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_refresh_tokens PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_refresh_tokens_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
    CONSTRAINT fk_refresh_tokens_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_refresh_tokens_tenant_id_expires_at ON refresh_tokens (tenant_id, expires_at);

CREATE INDEX ix_refresh_tokens_tenant_id_family_id ON refresh_tokens (tenant_id, family_id);

CREATE INDEX ix_refresh_tokens_tenant_id_user_id ON refresh_tokens (tenant_id, user_id);

CREATE TABLE workspace_invitations (
    tenant_id TEXT NOT NULL, 
    email TEXT NOT NULL, 
    role TEXT NOT NULL, 
    invited_by TEXT, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    accepted_at TIMESTAMP WITH TIME ZONE, 
    CONSTRAINT pk_workspace_invitations PRIMARY KEY (tenant_id, email), 
    CONSTRAINT ck_workspace_invitations_role CHECK (role IN ('owner', 'admin', 'editor', 'viewer')), 
    CONSTRAINT ck_workspace_invitations_email_lower CHECK (email = lower(email)), 
    CONSTRAINT fk_workspace_invitations_invited_by_users FOREIGN KEY(invited_by) REFERENCES users (id) ON DELETE SET NULL, 
    CONSTRAINT fk_workspace_invitations_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_workspace_invitations_email ON workspace_invitations (email);

GRANT SELECT, INSERT, UPDATE, DELETE ON refresh_tokens, workspace_invitations TO objectry_app;

GRANT SELECT, INSERT, DELETE ON login_attempts TO objectry_app;

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;

ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON refresh_tokens USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE workspace_invitations ENABLE ROW LEVEL SECURITY;

ALTER TABLE workspace_invitations FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON workspace_invitations USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

CREATE POLICY definer_lookup ON workspace_members FOR SELECT TO CURRENT_USER USING (current_setting('app.definer', true) = 'on');

CREATE POLICY definer_lookup ON workspace_invitations FOR SELECT TO CURRENT_USER USING (current_setting('app.definer', true) = 'on');

CREATE POLICY definer_lookup ON api_tokens FOR SELECT TO CURRENT_USER USING (current_setting('app.definer', true) = 'on');

REVOKE DELETE ON users FROM objectry_app;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;

CREATE POLICY user_visible ON users FOR SELECT USING (id = current_setting('app.user_id', true) OR EXISTS (SELECT 1 FROM workspace_members m WHERE m.user_id = users.id AND m.tenant_id = current_setting('app.tenant_id', true)));

CREATE POLICY user_self_insert ON users FOR INSERT WITH CHECK (id = current_setting('app.user_id', true));

CREATE POLICY user_self_update ON users FOR UPDATE USING (id = current_setting('app.user_id', true)) WITH CHECK (id = current_setting('app.user_id', true));

CREATE FUNCTION objectry_install_is_fresh() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ SELECT NOT EXISTS (SELECT 1 FROM public.users) $fn$;

REVOKE EXECUTE ON FUNCTION objectry_install_is_fresh() FROM PUBLIC;

GRANT EXECUTE ON FUNCTION objectry_install_is_fresh() TO objectry_app;

CREATE FUNCTION objectry_login_lookup(p_email text) RETURNS TABLE (id text, hashed_password text, is_active boolean) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ SELECT u.id, u.hashed_password, u.is_active FROM public.users u WHERE lower(u.email) = lower(p_email) $fn$;

REVOKE EXECUTE ON FUNCTION objectry_login_lookup(p_email text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION objectry_login_lookup(p_email text) TO objectry_app;

CREATE FUNCTION objectry_user_id_by_email(p_email text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ SELECT u.id FROM public.users u WHERE lower(u.email) = lower(p_email) $fn$;

REVOKE EXECUTE ON FUNCTION objectry_user_id_by_email(p_email text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION objectry_user_id_by_email(p_email text) TO objectry_app;

CREATE FUNCTION objectry_memberships(p_user_id text) RETURNS TABLE (tenant_id text, role text) LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ BEGIN PERFORM set_config('app.definer', 'on', true); RETURN QUERY SELECT m.tenant_id, m.role FROM public.workspace_members m WHERE m.user_id = p_user_id ORDER BY m.created_at, m.tenant_id; PERFORM set_config('app.definer', '', true); END $fn$;

REVOKE EXECUTE ON FUNCTION objectry_memberships(p_user_id text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION objectry_memberships(p_user_id text) TO objectry_app;

CREATE FUNCTION objectry_pending_invitations(p_email text) RETURNS TABLE (tenant_id text, role text) LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ BEGIN PERFORM set_config('app.definer', 'on', true); RETURN QUERY SELECT i.tenant_id, i.role FROM public.workspace_invitations i WHERE i.email = lower(p_email) AND i.accepted_at IS NULL ORDER BY i.created_at, i.tenant_id; PERFORM set_config('app.definer', '', true); END $fn$;

REVOKE EXECUTE ON FUNCTION objectry_pending_invitations(p_email text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION objectry_pending_invitations(p_email text) TO objectry_app;

CREATE FUNCTION objectry_token_lookup(p_hash text) RETURNS TABLE (tenant_id text, id text, scopes text[], expires_at timestamptz, revoked_at timestamptz, last_used_at timestamptz) LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ BEGIN PERFORM set_config('app.definer', 'on', true); RETURN QUERY SELECT t.tenant_id, t.id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at FROM public.api_tokens t WHERE t.token_hash = p_hash; PERFORM set_config('app.definer', '', true); END $fn$;

REVOKE EXECUTE ON FUNCTION objectry_token_lookup(p_hash text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION objectry_token_lookup(p_hash text) TO objectry_app;

CREATE FUNCTION objectry_session_check(p_tenant text, p_user text, p_jti text, p_family text) RETURNS TABLE (role text, blacklisted boolean, family_revoked boolean) LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $fn$ BEGIN PERFORM set_config('app.tenant_id', p_tenant, true); RETURN QUERY SELECT m.role, EXISTS (SELECT 1 FROM public.token_blacklist b WHERE b.jti = p_jti), EXISTS (SELECT 1 FROM public.refresh_tokens r WHERE r.tenant_id = p_tenant AND r.family_id = p_family AND r.revoked_at IS NOT NULL) FROM public.workspace_members m JOIN public.users u ON u.id = m.user_id WHERE m.tenant_id = p_tenant AND m.user_id = p_user AND u.is_active; END $fn$;

REVOKE EXECUTE ON FUNCTION objectry_session_check(p_tenant text, p_user text, p_jti text, p_family text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION objectry_session_check(p_tenant text, p_user text, p_jti text, p_family text) TO objectry_app;

UPDATE alembic_version SET version_num='0002' WHERE alembic_version.version_num = '0001';

COMMIT;

