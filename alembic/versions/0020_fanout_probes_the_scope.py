"""The record-events fan-out asks about the writer's workspace by key.

Every record write runs the fan-out trigger (0018), whose one query asks whether anyone follows
the workspaces of the statement's events, by reading the statement's transition table twice.
A writer of the runtime role is scoped to one workspace, and record_events' policy lets in only
that workspace's events (its WITH CHECK), so the question is two primary-key probes for that
workspace, without reading the events: about a third of the trigger's cost, 10–20 µs a write
(bench/notes.md, "ninth round"). Writers outside row-level security (the owner, a superuser)
or without a scope keep the query over the events. What a followed workspace gets is unchanged.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 09:00:00
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# The body of 0018 with the scoped probe in front of its query; the rest is the same text.
FANOUT = """
    CREATE OR REPLACE FUNCTION objectry_record_events_fanout() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        scope text := nullif(current_setting('app.tenant_id', true), '');
        listened boolean;
        watched text[];
        batch record;
    BEGIN
        IF scope IS NOT NULL AND row_security_active('record_events') THEN
            -- record_events' policy admitted only the scope's events
            SELECT EXISTS (SELECT 1 FROM realtime_listeners
                           WHERE tenant_id = scope AND until > now()),
                   (SELECT ARRAY[scope] WHERE EXISTS (SELECT 1 FROM webhooks
                                                       WHERE tenant_id = scope AND active))
              INTO listened, watched;
        ELSE
            SELECT EXISTS (SELECT 1 FROM realtime_listeners
                           WHERE until > now()
                             AND tenant_id IN (SELECT tenant_id FROM new_events)),
                   (SELECT array_agg(DISTINCT w.tenant_id) FROM webhooks w
                    WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events))
              INTO listened, watched;
        END IF;
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


def upgrade() -> None:
    op.execute(FANOUT)


def downgrade() -> None:
    # 0018's body, from its own file (a migration is not importable by name: it starts with a digit)
    path = Path(__file__).with_name("0018_record_events_fanout.py")
    spec = importlib.util.spec_from_file_location("objectry_migration_0018", path)
    assert spec is not None and spec.loader is not None
    previous = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(previous)
    op.execute(previous.FANOUT.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
