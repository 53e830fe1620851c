"""No foreign key to workspaces where a row's other key already implies it: records (through
their object), links (through their records and relationship) and link events (through their
record).

A foreign key check locks the row it points at (FOR KEY SHARE). Every record and link written
in a workspace pointed at the same workspaces row, so concurrent writers of one workspace all
locked that one row, and two lockers at once make PostgreSQL record them in a multixact, which
each further locker rewrites. Without these keys a create costs ~10% less database time at 16
writers at once (bench/notes.md, "seventh round"). The workspace still holds: a record's
object, a link's records and relationship, an event's record each belong to one workspace,
and deleting a workspace deletes them through those keys, as 0018 did for record_events.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 03:30:00
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLES = ("records", "relationship_records", "link_events")


def upgrade() -> None:
    for table in TABLES:
        op.drop_constraint(f"fk_{table}_tenant_id_workspaces", table, type_="foreignkey")


def downgrade() -> None:
    for table in TABLES:
        op.create_foreign_key(f"fk_{table}_tenant_id_workspaces", table, "workspaces",
                              ["tenant_id"], ["id"], ondelete="CASCADE")
