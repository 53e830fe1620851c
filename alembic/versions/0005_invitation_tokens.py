"""Invitations that need proof: an id, a hashed one-time token, an expiry and revocation.

An invitation used to be a (workspace, e-mail) row that anyone signing up with that e-mail
joined by. Now each one has an id (`inv_…`) and a token shown once to the inviter; only its
SHA-256 is stored. Joining needs the token, once, before `expires_at`, unless revoked. A new
invitation for a pending e-mail replaces the old one (which is revoked), so at most one is
pending per e-mail and workspace (a partial unique index); past ones stay as history.

Invitations pending before this revision had no token to hand out: they are revoked here (the
inviter invites again). `objectry_pending_invitations(email)` is dropped, since an e-mail alone
no longer admits anyone; `objectry_invitation_by_token(hash)` is its replacement: a SECURITY
DEFINER function (see 0002) that answers the one pending, unexpired invitation with that hash.

Stored e-mails are normalised again (NFKC, lower-case), as sign-up now does, so an account
made with a full-width address is found by its plain spelling. An address whose new spelling
is already another account's is left alone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RUNTIME_ROLE = "objectry_app"
TABLE = "workspace_invitations"
PENDING = "accepted_at IS NULL AND revoked_at IS NULL"
_GUARD_ON = "PERFORM set_config('app.definer', 'on', true);"
_GUARD_OFF = "PERFORM set_config('app.definer', '', true);"
BY_TOKEN = (
    "objectry_invitation_by_token(p_hash text)",
    "TABLE (tenant_id text, id text, email text, role text)",
    f"BEGIN {_GUARD_ON} RETURN QUERY SELECT i.tenant_id, i.id, i.email, i.role"
    f" FROM public.{TABLE} i WHERE i.token_hash = p_hash AND i.accepted_at IS NULL"
    f" AND i.revoked_at IS NULL AND i.expires_at > now(); {_GUARD_OFF} END")
PENDING_BY_EMAIL = (
    "objectry_pending_invitations(p_email text)",
    "TABLE (tenant_id text, role text)",
    f"BEGIN {_GUARD_ON} RETURN QUERY SELECT i.tenant_id, i.role"
    f" FROM public.{TABLE} i WHERE i.email = lower(p_email)"
    f" AND i.accepted_at IS NULL ORDER BY i.created_at, i.tenant_id; {_GUARD_OFF} END")
# A stand-in for rows that never had a token: a hash no token can have (random, then hashed).
RANDOM_HASH = "encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex')"
RANDOM_ID = "'inv_' || substr(md5(gen_random_uuid()::text), 1, 16)"
NORMALISE_EMAILS = """
DO $do$ BEGIN
  IF current_setting('server_encoding') = 'UTF8' THEN
    UPDATE users u SET email = lower(normalize(u.email, NFKC))
    WHERE u.email <> lower(normalize(u.email, NFKC)) AND NOT EXISTS (
      SELECT 1 FROM users o WHERE o.id <> u.id
      AND lower(o.email) = lower(normalize(u.email, NFKC)));
  END IF;
END $do$
"""


def upgrade() -> None:
    op.execute("DROP FUNCTION objectry_pending_invitations(text)")
    _add_columns()
    _key_by_id()
    _create_function(*BY_TOKEN)
    op.execute(NORMALISE_EMAILS)


def _add_columns() -> None:
    for name in ("id", "token_hash"):
        op.add_column(TABLE, sa.Column(name, sa.Text(), nullable=True))
    for name in ("expires_at", "revoked_at"):
        op.add_column(TABLE, sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.add_column(TABLE, sa.Column("accepted_by", sa.Text(), nullable=True))
    # The table FORCEs row-level security; an owner without BYPASSRLS must still see every row.
    op.execute(f"ALTER TABLE {TABLE} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"UPDATE {TABLE} SET id = {RANDOM_ID}, token_hash = {RANDOM_HASH},"
               " expires_at = created_at + interval '7 days',"
               " revoked_at = CASE WHEN accepted_at IS NULL THEN now() END")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    for name in ("id", "token_hash", "expires_at"):
        op.alter_column(TABLE, name, nullable=False)


def _key_by_id() -> None:
    op.drop_index(op.f("ix_workspace_invitations_email"), table_name=TABLE)
    op.drop_constraint(op.f("pk_workspace_invitations"), TABLE, type_="primary")
    op.create_primary_key(op.f("pk_workspace_invitations"), TABLE, ["tenant_id", "id"])
    op.create_foreign_key(op.f("fk_workspace_invitations_accepted_by_users"), TABLE, "users",
                          ["accepted_by"], ["id"], ondelete="SET NULL")
    op.create_index(op.f("ix_workspace_invitations_token_hash"), TABLE, ["token_hash"])
    op.create_index(op.f("uq_workspace_invitations_pending_email"), TABLE,
                    ["tenant_id", "email"], unique=True, postgresql_where=sa.text(PENDING))


def _create_function(signature: str, returns: str, body: str) -> None:
    op.execute(f"CREATE FUNCTION {signature} RETURNS {returns} LANGUAGE plpgsql VOLATILE"
               " SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
               f" AS $fn$ {body} $fn$")
    op.execute(f"REVOKE EXECUTE ON FUNCTION {signature} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {RUNTIME_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION objectry_invitation_by_token(text)")
    op.execute(f"ALTER TABLE {TABLE} NO FORCE ROW LEVEL SECURITY")
    # The old key is (workspace, e-mail): keep each e-mail's newest invitation.
    op.execute(f"DELETE FROM {TABLE} i USING {TABLE} n WHERE n.tenant_id = i.tenant_id"
               " AND n.email = i.email AND (n.created_at, n.id) > (i.created_at, i.id)")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    op.drop_index(op.f("uq_workspace_invitations_pending_email"), table_name=TABLE)
    op.drop_index(op.f("ix_workspace_invitations_token_hash"), table_name=TABLE)
    op.drop_constraint(op.f("fk_workspace_invitations_accepted_by_users"), TABLE,
                       type_="foreignkey")
    op.drop_constraint(op.f("pk_workspace_invitations"), TABLE, type_="primary")
    op.create_primary_key(op.f("pk_workspace_invitations"), TABLE, ["tenant_id", "email"])
    for name in ("accepted_by", "revoked_at", "expires_at", "token_hash", "id"):
        op.drop_column(TABLE, name)
    op.create_index(op.f("ix_workspace_invitations_email"), TABLE, ["email"])
    _create_function(*PENDING_BY_EMAIL)
