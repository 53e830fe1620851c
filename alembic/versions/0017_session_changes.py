"""Tell every server process when a signed-in session may have changed, so that checked
sessions can be cached (auth/sessions/cache.py) instead of costing a round trip per request.

What `objectry_session_check` answers changes only when an access token is blacklisted
(logout), a refresh family is revoked (logout, password change, reuse), a member's role changes
or a member is removed, or an account is deactivated. A trigger on each NOTIFYs
`objectry_sessions` (no payload: these are rare, and every process forgets every cached
session). Notifications are delivered on commit, to every process listening.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 12:45:00
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TRIGGERS = {
    # Not on DELETE: pruning drops only expired entries (their tokens have expired too), and
    # every sign-in prunes.
    "token_blacklist_changed": "AFTER INSERT ON token_blacklist",
    "refresh_tokens_revoked": "AFTER UPDATE OF revoked_at ON refresh_tokens",
    "workspace_members_changed": "AFTER UPDATE OF role OR DELETE ON workspace_members",
    "users_deactivated": "AFTER UPDATE OF is_active ON users",
}


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION objectry_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('objectry_sessions', '');
            RETURN NULL;
        END $$""")
    for name, when in TRIGGERS.items():
        # Per statement: one notice however many rows (NOTIFY folds repeats in a transaction).
        op.execute(f"CREATE TRIGGER {name} {when}"
                   " FOR EACH STATEMENT EXECUTE FUNCTION objectry_session_changed()")


def downgrade() -> None:
    for name, when in TRIGGERS.items():
        table = when.rsplit(" ", 1)[1]
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION objectry_session_changed()")
