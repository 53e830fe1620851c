"""Tell every server process which records changed, for /realtime/v1 subscribers.

A statement-level trigger on record_events (every record write inserts its events in the same
statement) NOTIFYs `objectry_changes` once per workspace, operation and 100 records, with ids
only: `{"t": tenant, "op": create|update|delete|restore, "e": last event id, "at": time,
"ids": [record ids]}` (well under NOTIFY's 8000-byte limit; the listener loads the records by
id). NOTIFY is delivered on commit, so a rolled-back write sends nothing, and a bulk of 1,000
records is 10 notifications, not 1,000.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 05:00:00
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION objectry_records_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            batch record;
        BEGIN
            FOR batch IN
                SELECT tenant_id, op, max(id) AS last_event, array_agg(record_id ORDER BY id) AS ids
                FROM (SELECT tenant_id, op, id, record_id,
                             (row_number() OVER (PARTITION BY tenant_id, op ORDER BY id) - 1)
                             / 100 AS chunk
                      FROM new_events) AS e
                GROUP BY tenant_id, op, chunk
                ORDER BY min(id)
            LOOP
                PERFORM pg_notify('objectry_changes', json_build_object(
                    't', batch.tenant_id, 'op', batch.op, 'e', batch.last_event,
                    'at', now(), 'ids', batch.ids)::text);
            END LOOP;
            RETURN NULL;
        END $$""")
    op.execute(
        "CREATE TRIGGER record_events_notify AFTER INSERT ON record_events"
        " REFERENCING NEW TABLE AS new_events"
        " FOR EACH STATEMENT EXECUTE FUNCTION objectry_records_changed()")


def downgrade() -> None:
    op.execute("DROP TRIGGER record_events_notify ON record_events")
    op.execute("DROP FUNCTION objectry_records_changed()")
