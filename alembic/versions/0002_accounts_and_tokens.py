"""Accounts, sessions, invitations and API-token lookup, without weakening tenant isolation.

New tables: `refresh_tokens` and `workspace_invitations` (workspace-owned: `tenant_id`, RLS
enabled + forced, the usual `tenant_isolation` policy) and `login_attempts` (global, hashed keys:
a sign-in happens before any workspace is known).

Some lookups must happen before the tenant is known: a user's memberships at login, pending
invitations for an e-mail at sign-up, an API token by its hash, a user by e-mail. They go
through SECURITY DEFINER functions rather than extra policies for the runtime role, because a
function answers exactly one question (one key in, a few columns out), cannot be bent into
another query, and leaves every table's policies for `objectry_app` purely tenant-scoped:

    objectry_install_is_fresh()          -> no user exists yet (first sign-up owns a workspace)
    objectry_login_lookup(email)         -> that user's id, password hash, is_active
    objectry_user_id_by_email(email)     -> that user's id (adding an existing user as member)
    objectry_memberships(user_id)        -> that user's (workspace, role) pairs, oldest first
    objectry_pending_invitations(email)  -> open invitations for that e-mail
    objectry_token_lookup(hash)          -> the one API token with that SHA-256 hash

One more function runs as its caller (SECURITY INVOKER, so every policy applies as usual):
`objectry_session_check(workspace, user, jti, family)` sets `app.tenant_id` and answers the
member's current role and whether the session was logged out or revoked, so checking a session
token costs one round trip instead of a four-statement transaction on every request.

Each definer function runs as the migrating user with a fixed search_path; only `objectry_app` may execute
them. Because workspace-owned tables FORCE row-level security, an owner without BYPASSRLS
(a managed PostgreSQL where the migrating user is not a superuser) would see nothing inside
them; a `definer_lookup` policy, granted TO that owner only and true only while one of these
functions has set `app.definer`, lets the function read. The runtime role gains nothing from
it: the policy does not apply to `objectry_app`, whatever it sets.

`users` stays global (no tenant_id) but now has row-level security too (enabled, not forced,
so the owner's definer functions read it): the runtime role sees a user only when that user is
a member of the current workspace or is the user being signed in (`app.user_id`), may insert
and update only that user, and may not delete users. A query missing its WHERE clause can no
longer list every account's e-mail and password hash.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:03:25.800478
"""

from alembic import op
import sqlalchemy as sa

RUNTIME_ROLE = "objectry_app"
NEW_TENANT_TABLES = ("refresh_tokens", "workspace_invitations")
DEFINER_READ_TABLES = ("workspace_members", "workspace_invitations", "api_tokens")
TENANT = "current_setting('app.tenant_id', true)"
USER = "current_setting('app.user_id', true)"

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# name(args) -> (returns, language, body). Bodies qualify every table with `public.`.
_GUARD_ON = "PERFORM set_config('app.definer', 'on', true);"
_GUARD_OFF = "PERFORM set_config('app.definer', '', true);"
FUNCTIONS = {
    "objectry_install_is_fresh()": (
        "boolean", "sql", "SELECT NOT EXISTS (SELECT 1 FROM public.users)"),
    "objectry_login_lookup(p_email text)": (
        "TABLE (id text, hashed_password text, is_active boolean)", "sql",
        "SELECT u.id, u.hashed_password, u.is_active FROM public.users u"
        " WHERE lower(u.email) = lower(p_email)"),
    "objectry_user_id_by_email(p_email text)": (
        "text", "sql", "SELECT u.id FROM public.users u WHERE lower(u.email) = lower(p_email)"),
    "objectry_memberships(p_user_id text)": (
        "TABLE (tenant_id text, role text)", "plpgsql",
        f"BEGIN {_GUARD_ON} RETURN QUERY SELECT m.tenant_id, m.role"
        " FROM public.workspace_members m WHERE m.user_id = p_user_id"
        f" ORDER BY m.created_at, m.tenant_id; {_GUARD_OFF} END"),
    "objectry_pending_invitations(p_email text)": (
        "TABLE (tenant_id text, role text)", "plpgsql",
        f"BEGIN {_GUARD_ON} RETURN QUERY SELECT i.tenant_id, i.role"
        " FROM public.workspace_invitations i WHERE i.email = lower(p_email)"
        f" AND i.accepted_at IS NULL ORDER BY i.created_at, i.tenant_id; {_GUARD_OFF} END"),
    "objectry_token_lookup(p_hash text)": (
        "TABLE (tenant_id text, id text, scopes text[], expires_at timestamptz,"
        " revoked_at timestamptz, last_used_at timestamptz)", "plpgsql",
        f"BEGIN {_GUARD_ON} RETURN QUERY SELECT t.tenant_id, t.id, t.scopes, t.expires_at,"
        " t.revoked_at, t.last_used_at FROM public.api_tokens t WHERE t.token_hash = p_hash;"
        f" {_GUARD_OFF} END"),
}

# Runs as the caller: set_config(…, true) lasts to the end of the (implicit) transaction.
SESSION_CHECK = (
    "objectry_session_check(p_tenant text, p_user text, p_jti text, p_family text)",
    "TABLE (role text, blacklisted boolean, family_revoked boolean)",
    "BEGIN PERFORM set_config('app.tenant_id', p_tenant, true); RETURN QUERY SELECT m.role,"
    " EXISTS (SELECT 1 FROM public.token_blacklist b WHERE b.jti = p_jti),"
    " EXISTS (SELECT 1 FROM public.refresh_tokens r WHERE r.tenant_id = p_tenant"
    " AND r.family_id = p_family AND r.revoked_at IS NOT NULL)"
    " FROM public.workspace_members m JOIN public.users u ON u.id = m.user_id"
    " WHERE m.tenant_id = p_tenant AND m.user_id = p_user AND u.is_active; END")


def upgrade() -> None:
    _create_login_attempts()
    _create_refresh_tokens()
    _create_workspace_invitations()
    _grant_runtime_role()
    _enable_row_level_security()
    _secure_users()
    _create_definer_functions()


def _create_login_attempts() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('key_hash', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    op.create_index(op.f('ix_login_attempts_at'), 'login_attempts', ['at'], unique=False)
    op.create_index(op.f('ix_login_attempts_key_hash_at'), 'login_attempts', ['key_hash', 'at'], unique=False)


def _create_refresh_tokens() -> None:
    op.create_table('refresh_tokens',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('family_id', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Text(), nullable=False),
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_refresh_tokens_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_refresh_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_refresh_tokens'))
    )
    op.create_index(op.f('ix_refresh_tokens_tenant_id_expires_at'), 'refresh_tokens', ['tenant_id', 'expires_at'], unique=False)
    op.create_index(op.f('ix_refresh_tokens_tenant_id_family_id'), 'refresh_tokens', ['tenant_id', 'family_id'], unique=False)
    op.create_index(op.f('ix_refresh_tokens_tenant_id_user_id'), 'refresh_tokens', ['tenant_id', 'user_id'], unique=False)


def _create_workspace_invitations() -> None:
    op.create_table('workspace_invitations',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('invited_by', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('owner', 'admin', 'editor', 'viewer')", name=op.f('ck_workspace_invitations_role')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_workspace_invitations_email_lower')),
    sa.ForeignKeyConstraint(['invited_by'], ['users.id'], name=op.f('fk_workspace_invitations_invited_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['workspaces.id'], name=op.f('fk_workspace_invitations_tenant_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'email', name=op.f('pk_workspace_invitations'))
    )
    op.create_index(op.f('ix_workspace_invitations_email'), 'workspace_invitations', ['email'], unique=False)


def _grant_runtime_role() -> None:
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON refresh_tokens, workspace_invitations"
               f" TO {RUNTIME_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, DELETE ON login_attempts TO {RUNTIME_ROLE}")


def _enable_row_level_security() -> None:
    for table in NEW_TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table}"
                   f" USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")
    for table in DEFINER_READ_TABLES:
        # TO CURRENT_USER: the owner that the definer functions run as; never objectry_app.
        op.execute(f"CREATE POLICY definer_lookup ON {table} FOR SELECT TO CURRENT_USER"
                   " USING (current_setting('app.definer', true) = 'on')")


def _secure_users() -> None:
    op.execute(f"REVOKE DELETE ON users FROM {RUNTIME_ROLE}")
    op.execute("ALTER TABLE users ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY user_visible ON users FOR SELECT USING (id = {USER} OR EXISTS"
               " (SELECT 1 FROM workspace_members m WHERE m.user_id = users.id"
               f" AND m.tenant_id = {TENANT}))")
    op.execute(f"CREATE POLICY user_self_insert ON users FOR INSERT WITH CHECK (id = {USER})")
    op.execute(f"CREATE POLICY user_self_update ON users FOR UPDATE USING (id = {USER})"
               f" WITH CHECK (id = {USER})")


def _create_definer_functions() -> None:
    for signature, (returns, language, body) in FUNCTIONS.items():
        volatility = "STABLE" if language == "sql" else "VOLATILE"
        op.execute(f"CREATE FUNCTION {signature} RETURNS {returns} LANGUAGE {language}"
                   f" {volatility} SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
                   f" AS $fn$ {body} $fn$")
        op.execute(f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {RUNTIME_ROLE}")
    signature, returns, body = SESSION_CHECK
    op.execute(f"CREATE FUNCTION {signature} RETURNS {returns} LANGUAGE plpgsql VOLATILE"
               f" SET search_path = pg_catalog, pg_temp AS $fn$ {body} $fn$")
    op.execute(f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {RUNTIME_ROLE}")


def downgrade() -> None:
    for signature in (*FUNCTIONS, SESSION_CHECK[0]):
        op.execute(f"DROP FUNCTION {signature.split('(')[0]}")
    for name in ("user_self_update", "user_self_insert", "user_visible"):
        op.execute(f"DROP POLICY {name} ON users")
    op.execute("ALTER TABLE users DISABLE ROW LEVEL SECURITY")
    op.execute(f"GRANT DELETE ON users TO {RUNTIME_ROLE}")
    for table in ("workspace_members", "api_tokens"):
        op.execute(f"DROP POLICY definer_lookup ON {table}")
    op.execute(f"REVOKE ALL ON refresh_tokens, workspace_invitations, login_attempts"
               f" FROM {RUNTIME_ROLE}")
    op.drop_index(op.f('ix_workspace_invitations_email'), table_name='workspace_invitations')
    op.drop_table('workspace_invitations')
    op.drop_index(op.f('ix_refresh_tokens_tenant_id_user_id'), table_name='refresh_tokens')
    op.drop_index(op.f('ix_refresh_tokens_tenant_id_family_id'), table_name='refresh_tokens')
    op.drop_index(op.f('ix_refresh_tokens_tenant_id_expires_at'), table_name='refresh_tokens')
    op.drop_table('refresh_tokens')
    op.drop_index(op.f('ix_login_attempts_key_hash_at'), table_name='login_attempts')
    op.drop_index(op.f('ix_login_attempts_at'), table_name='login_attempts')
    op.drop_table('login_attempts')
