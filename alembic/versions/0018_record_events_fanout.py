"""Less database work per record write: one trigger instead of two on record_events, and no
foreign key from record_events to workspaces.

Every record write inserts its history events, and each insert ran two statement triggers
(realtime's NOTIFY, 0009/0010; the webhook outbox, 0011), each a plpgsql call that first asks
whether anyone follows these workspaces — almost always nobody. One function now asks both
questions in one query and does what each consumer needs, in the order the two triggers ran
(realtime, then webhooks). The foreign key to workspaces was redundant: an event's record
belongs to the workspace (records → workspaces), and deleting a workspace deletes its records
and, through the records, their events. Together about a tenth of a PATCH's database time
(bench/notes.md, "Issue 18, third round").

The two former functions stay defined (unused) so that a downgrade can put their triggers back.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 15:45:00
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

FANOUT = """
    CREATE FUNCTION objectry_record_events_fanout() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        listened boolean;
        watched text[];
        batch record;
    BEGIN
        SELECT EXISTS (SELECT 1 FROM realtime_listeners
                       WHERE until > now() AND tenant_id IN (SELECT tenant_id FROM new_events)),
               (SELECT array_agg(DISTINCT w.tenant_id) FROM webhooks w
                WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events))
          INTO listened, watched;
        IF listened THEN  -- realtime: which records changed, by id (0009)
            FOR batch IN
                SELECT tenant_id, op, max(id) AS last_event,
                       array_agg(record_id ORDER BY id) AS ids
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
        END IF;
        IF watched IS NOT NULL THEN  -- webhooks: the outbox (0011)
            INSERT INTO webhook_events (tenant_id, record_id, object_id, op, record, changes, at)
            SELECT e.tenant_id, e.record_id, r.object_id, e.op, to_jsonb(r), e.changes, e.at
            FROM new_events e
            JOIN records r ON r.tenant_id = e.tenant_id AND r.id = e.record_id
            WHERE e.tenant_id = any(watched)
            ORDER BY e.id;
            PERFORM pg_notify('objectry_webhooks', t) FROM unnest(watched) AS t;
        END IF;
        RETURN NULL;
    END $$"""

WORKSPACE_FK = "fk_record_events_tenant_id_workspaces"


def _trigger(name: str, function: str) -> None:
    op.execute(f"CREATE TRIGGER {name} AFTER INSERT ON record_events"
               " REFERENCING NEW TABLE AS new_events"
               f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()")


def upgrade() -> None:
    op.execute("DROP TRIGGER record_events_notify ON record_events")
    op.execute("DROP TRIGGER record_events_webhooks ON record_events")
    op.execute(FANOUT)
    _trigger("record_events_fanout", "objectry_record_events_fanout")
    op.drop_constraint(WORKSPACE_FK, "record_events", type_="foreignkey")


def downgrade() -> None:
    op.create_foreign_key(WORKSPACE_FK, "record_events", "workspaces", ["tenant_id"], ["id"],
                          ondelete="CASCADE")
    op.execute("DROP TRIGGER record_events_fanout ON record_events")
    op.execute("DROP FUNCTION objectry_record_events_fanout()")
    _trigger("record_events_notify", "objectry_records_changed")
    _trigger("record_events_webhooks", "objectry_webhook_outbox")
