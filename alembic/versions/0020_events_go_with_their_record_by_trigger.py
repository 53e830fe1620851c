"""No foreign key from record_events to records: a statement trigger on records deletes the
events of the records a DELETE takes instead.

Every record write inserts its history event, and the event's foreign key checked it: a query
of `records` by key and a KEY SHARE lock on the record the same statement had just written (a
page change and a WAL record per write). That was about a tenth of a create's and of a PATCH's
database time (bench/notes.md, "tenth round"). What the key did besides, deleting a record's
events with the record, whether it goes by a purge, with its object or with its workspace, the
trigger does: it deletes the events of the rows in the DELETE's transition table. It runs as
the schema's owner (SECURITY DEFINER) and sets each of their workspaces in turn, so that forced
row-level security shows it their events whoever deleted (an operator deleting a workspace
sets none); it puts the caller's workspace back before it returns.

No event can be left behind by a record deleted at the same time: an event is written by the
statement that writes its record (create, bulk) or by one that holds its record's row lock
(update, trash, restore); a DELETE of that record waits for the lock, and the trigger's DELETE,
a statement of its own, sees the committed event.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 12:00:00
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

RECORD_FK = "fk_record_events_tenant_id_record_id_records"

FORGET = """
    CREATE FUNCTION objectry_record_events_forget() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
        caller text := current_setting('app.tenant_id', true);
        workspace text;
    BEGIN
        FOR workspace IN SELECT DISTINCT tenant_id FROM gone LOOP
            PERFORM set_config('app.tenant_id', workspace, true);
            DELETE FROM public.record_events e USING gone g
            WHERE e.tenant_id = workspace AND g.tenant_id = workspace AND e.record_id = g.id;
        END LOOP;
        PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
        RETURN NULL;
    END $$"""


def upgrade() -> None:
    op.execute(FORGET)
    op.execute("REVOKE EXECUTE ON FUNCTION objectry_record_events_forget() FROM PUBLIC")
    op.execute("CREATE TRIGGER records_forget_events AFTER DELETE ON records"
               " REFERENCING OLD TABLE AS gone"
               " FOR EACH STATEMENT EXECUTE FUNCTION objectry_record_events_forget()")
    op.drop_constraint(RECORD_FK, "record_events", type_="foreignkey")


def downgrade() -> None:
    # Events whose record is gone (none, if the trigger did its work) would fail the key.
    op.execute("ALTER TABLE record_events NO FORCE ROW LEVEL SECURITY")
    op.execute("DELETE FROM record_events e WHERE NOT EXISTS (SELECT 1 FROM records r"
               " WHERE r.tenant_id = e.tenant_id AND r.id = e.record_id)")
    op.execute("ALTER TABLE record_events FORCE ROW LEVEL SECURITY")
    op.create_foreign_key(RECORD_FK, "record_events", "records", ["tenant_id", "record_id"],
                          ["tenant_id", "id"], ondelete="CASCADE")
    op.execute("DROP TRIGGER records_forget_events ON records")
    op.execute("DROP FUNCTION objectry_record_events_forget()")
