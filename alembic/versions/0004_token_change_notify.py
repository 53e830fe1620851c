"""Tell every server process when an API token changes, so verified tokens can be cached.

A trigger on api_tokens NOTIFYs `objectry_tokens` with the token's hash whenever it is revoked,
re-scoped, re-dated or deleted (not when only last_used_at moves). Notifications are delivered on
commit, to every process listening.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:20:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION objectry_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('objectry_tokens', OLD.token_hash);
            RETURN NULL;
        END $$""")
    op.execute(
        "CREATE TRIGGER api_tokens_changed"
        " AFTER UPDATE OF revoked_at, expires_at, scopes, token_hash OR DELETE ON api_tokens"
        " FOR EACH ROW EXECUTE FUNCTION objectry_token_changed()")


def downgrade() -> None:
    op.execute("DROP TRIGGER api_tokens_changed ON api_tokens")
    op.execute("DROP FUNCTION objectry_token_changed()")
