"""Stored rollups: a rollup's values are kept by the writes that change them, not aggregated by
every read.

A page of 50 companies with two rollups read 150 links and 150 deals on every request: 2.4×
the plain page (bench/notes.md). Now each record's rollup values sit in one row of
`record_rollups` (a jsonb keyed by field id), and a read of the page probes that row instead.

What a rollup is stays in one place, the query compiler (records/query/computed.py): for each
object with rollups it renders the statement that computes them for some of its records, and
a schema change stores it in `rollup_statements` with the relationships that feed it
(`forward`: the object is their `from` side; `backward`: their `to` side), then computes every
value afresh (metadata/rollup_upkeep.py). Reads use the stored values only while the stored
statement is the one the compiler renders for the workspace as it is; otherwise they aggregate
as before, so a workspace written before this migration reads what it always read.

Kept by triggers, whoever writes:
- a link made, removed or changed (`relationship_records`): its record on the rollup's side;
- a linked record changed, trashed or restored: its history event (every record write inserts
  one in the same statement) reaches the fan-out trigger of 0018, which recomputes the records
  on the other side of its links. A create has no links yet; a purge takes its links along.

`objectry_rollups_recompute` never writes a value computed before a concurrent writer
committed: it makes the rows, locks them in key order, and only then runs the stored statement,
a statement of its own, whose snapshot (READ COMMITTED) sees every write whose transaction
held the lock before. The last writer to take the lock computes last, and sees all the others.

Nor does a schema change miss a concurrent write: both triggers take a shared advisory lock
on the workspace (`objectry.rollups`, the workspace's hash) before they read its statements,
and the refresh takes it exclusively before it stores one. So a write either commits before
the refresh computes (which then sees it) or waits, and then computes with the new statement.

Workspace-owned: `tenant_id` leads both keys, row-level security is enabled and forced with
the usual `tenant_isolation` policy, and the runtime role may read and write both. Their keys
to records and objects imply the workspace's (as 0019).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 06:00:00
"""

import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

RUNTIME_ROLE = "objectry_app"
TENANT = "current_setting('app.tenant_id', true)"

RECOMPUTE = """
    CREATE FUNCTION objectry_rollups_recompute(tenant text, object text, ids text[])
    RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        statement text;
    BEGIN
        SELECT s.statement INTO statement FROM rollup_statements s
        WHERE s.tenant_id = tenant AND s.object_id = object;
        IF statement IS NULL OR ids IS NULL THEN
            RETURN;
        END IF;
        -- A row for each record of the object that has none (a concurrent insert of the same
        -- row is waited for), then every row locked in one order: two writers cannot deadlock
        -- here, and the second computes after the first has committed.
        INSERT INTO record_rollups (tenant_id, id, object_id, rollups)
        SELECT r.tenant_id, r.id, r.object_id, '{}' FROM records r
        WHERE r.tenant_id = tenant AND r.id = any(ids) AND r.object_id = object
        ON CONFLICT DO NOTHING;
        PERFORM 1 FROM record_rollups v
        WHERE v.tenant_id = tenant AND v.id = any(ids)
        ORDER BY v.id FOR UPDATE;
        EXECUTE statement USING tenant, ids;
    END $$"""

LINKS_CHANGED = """
    CREATE FUNCTION objectry_links_rollups() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        tenants text[];
        rels text[];
        froms text[];
        tos text[];
        target record;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(tenant_id), array_agg(relationship_id), array_agg(from_record_id),
                   array_agg(to_record_id) INTO tenants, rels, froms, tos FROM new_links;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(tenant_id), array_agg(relationship_id), array_agg(from_record_id),
                   array_agg(to_record_id) INTO tenants, rels, froms, tos FROM old_links;
        ELSE
            SELECT array_agg(tenant_id), array_agg(relationship_id), array_agg(from_record_id),
                   array_agg(to_record_id) INTO tenants, rels, froms, tos
            FROM (SELECT * FROM old_links UNION ALL SELECT * FROM new_links) AS l;
        END IF;
        PERFORM pg_advisory_xact_lock_shared(hashtext('objectry.rollups'), hashtext(w))
        FROM (SELECT DISTINCT w FROM unnest(tenants) AS w) AS ws ORDER BY w;
        -- The records on each rollup's side of the changed links: the `from` record for a
        -- rollup over the relationship forward, the `to` record backward.
        FOR target IN
            SELECT s.tenant_id, s.object_id, array_agg(DISTINCT p.id) AS ids
            FROM rollup_statements s
            CROSS JOIN LATERAL (
                SELECT l.from_id AS id FROM unnest(tenants, rels, froms, tos)
                    AS l(tenant_id, rel, from_id, to_id)
                WHERE l.tenant_id = s.tenant_id AND l.rel = any(s.forward)
                UNION ALL
                SELECT l.to_id FROM unnest(tenants, rels, froms, tos)
                    AS l(tenant_id, rel, from_id, to_id)
                WHERE l.tenant_id = s.tenant_id AND l.rel = any(s.backward)) AS p
            WHERE s.tenant_id = any(tenants)
            GROUP BY s.tenant_id, s.object_id
            ORDER BY s.tenant_id, s.object_id
        LOOP
            PERFORM objectry_rollups_recompute(target.tenant_id, target.object_id, target.ids);
        END LOOP;
        RETURN NULL;
    END $$"""

# 0018's fan-out with a third question: does a stored rollup read these workspaces' records?
FANOUT = """
    CREATE OR REPLACE FUNCTION objectry_record_events_fanout() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        listened boolean;
        watched text[];
        rolled boolean;
        batch record;
        target record;
    BEGIN
        -- Before the statements are read: a schema change storing one waits for this write.
        PERFORM pg_advisory_xact_lock_shared(hashtext('objectry.rollups'), hashtext(w))
        FROM (SELECT DISTINCT tenant_id AS w FROM new_events) AS ws ORDER BY w;
        SELECT EXISTS (SELECT 1 FROM realtime_listeners
                       WHERE until > now() AND tenant_id IN (SELECT tenant_id FROM new_events)),
               (SELECT array_agg(DISTINCT w.tenant_id) FROM webhooks w
                WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events)),
               EXISTS (SELECT 1 FROM rollup_statements
                       WHERE tenant_id IN (SELECT tenant_id FROM new_events))
          INTO listened, watched, rolled;
        IF rolled THEN  -- stored rollups (0022): the records linked to the changed ones
            FOR target IN
                SELECT s.tenant_id, s.object_id, array_agg(DISTINCT p.id) AS ids
                FROM rollup_statements s
                CROSS JOIN LATERAL (
                    SELECT l.from_record_id AS id
                    FROM new_events e JOIN relationship_records l
                      ON l.tenant_id = e.tenant_id AND l.to_record_id = e.record_id
                    WHERE e.tenant_id = s.tenant_id AND e.op <> 'create'
                      AND l.relationship_id = any(s.forward)
                    UNION ALL
                    SELECT l.to_record_id
                    FROM new_events e JOIN relationship_records l
                      ON l.tenant_id = e.tenant_id AND l.from_record_id = e.record_id
                    WHERE e.tenant_id = s.tenant_id AND e.op <> 'create'
                      AND l.relationship_id = any(s.backward)) AS p
                WHERE s.tenant_id IN (SELECT tenant_id FROM new_events)
                GROUP BY s.tenant_id, s.object_id
                ORDER BY s.tenant_id, s.object_id
            LOOP
                PERFORM objectry_rollups_recompute(target.tenant_id, target.object_id,
                                                   target.ids);
            END LOOP;
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


def _isolate(table: str) -> None:
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {RUNTIME_ROLE}")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {table}"
               f" USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT})")


def upgrade() -> None:
    op.create_table(
        "rollup_statements",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("forward", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("backward", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "object_id"], ["objects.tenant_id", "objects.id"],
                                name=op.f("fk_rollup_statements_tenant_id_object_id_objects"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", "object_id", name=op.f("pk_rollup_statements")))
    op.create_table(
        "record_rollups",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("id", sa.Text(), nullable=False),  # the record's
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.Column("rollups", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "id", "object_id"],
                                ["records.tenant_id", "records.id", "records.object_id"],
                                name=op.f("fk_record_rollups_tenant_id_id_records"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_record_rollups")))
    op.create_index(op.f("ix_record_rollups_tenant_id_object_id"), "record_rollups",
                    ["tenant_id", "object_id"], unique=False)
    # Does the workspace have a rollup? Asked by every metadata write.
    op.create_index("ix_fields_rollups", "fields", ["tenant_id"], unique=False,
                    postgresql_where=sa.text("type = 'rollup'"))
    _isolate("rollup_statements")
    _isolate("record_rollups")
    op.execute(RECOMPUTE)
    op.execute(LINKS_CHANGED)
    for event, table in (("INSERT", "NEW TABLE AS new_links"), ("DELETE", "OLD TABLE AS old_links"),
                         ("UPDATE", "OLD TABLE AS old_links NEW TABLE AS new_links")):
        op.execute(f"CREATE TRIGGER relationship_records_rollups_{event.lower()}"
                   f" AFTER {event} ON relationship_records REFERENCING {table}"
                   " FOR EACH STATEMENT EXECUTE FUNCTION objectry_links_rollups()")
    op.execute(FANOUT)


def downgrade() -> None:
    spec = importlib.util.spec_from_file_location(
        "fanout_0018", Path(__file__).with_name("0018_record_events_fanout.py"))
    assert spec is not None and spec.loader is not None
    before = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(before)
    op.execute(before.FANOUT.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER relationship_records_rollups_{event} ON relationship_records")
    op.execute("DROP FUNCTION objectry_links_rollups()")
    op.execute("DROP FUNCTION objectry_rollups_recompute(text, text, text[])")
    for table in ("record_rollups", "rollup_statements"):
        op.execute(f"REVOKE ALL ON {table} FROM {RUNTIME_ROLE}")
    op.drop_index(op.f("ix_record_rollups_tenant_id_object_id"), table_name="record_rollups")
    op.drop_index("ix_fields_rollups", table_name="fields")
    op.drop_table("record_rollups")
    op.drop_table("rollup_statements")
