"""Tell every server process when a saved view changes, so that `?view=` reads need not fetch it.

A records read with `?view=<id>` fetched the view on every request: a round trip before its
own statement. Processes now keep the views they applied in the workspace's metadata snapshot
(records/views/service.py `applied`), and a trigger on `views` NOTIFYs `objectry_metadata` with
the view's workspace whenever one is changed or deleted, so every process drops that snapshot,
views and all, on commit — whoever wrote it: the API, a schema apply, or SQL from another tool.
Not on INSERT: a view no one has read yet is in no snapshot.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 00:10:00
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION objectry_view_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('objectry_metadata', OLD.tenant_id);
            RETURN NULL;
        END $$""")
    # Per row, for its workspace's id (NOTIFY folds repeats within a transaction).
    op.execute("CREATE TRIGGER views_changed AFTER UPDATE OR DELETE ON views"
               " FOR EACH ROW EXECUTE FUNCTION objectry_view_changed()")


def downgrade() -> None:
    op.execute("DROP TRIGGER views_changed ON views")
    op.execute("DROP FUNCTION objectry_view_changed()")
