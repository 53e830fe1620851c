"""Stored rollups: an update of a linked record recomputes them only when it changed a field
they read.

Under 0022 every update of a deal recomputed its company's stored rollups (~0.4 ms of database
time a write), whatever it changed. A rollup's value depends on the linked records' liveness
(deletes and restores, which still always recompute) and on the fields it reads: the field it
sums, counts or takes the min/max of, and those its filter reads. So `rollup_statements` now
keeps those field ids (`reads`), and the fan-out trigger passes over an `update` event whose
changed keys (`record_events.changes`, keyed by field id) hold none of them.

A statement stored before this migration has `reads` NULL: every update still recomputes it,
as under 0022. The snapshot counts it as not stored (its reads aggregate), so the first load of
the workspace's snapshot starts the catch-up (records/stored_rollups.py), which stores its
`reads` without computing the values again: they are the same statement's.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 09:00:00
"""

import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# 0022's fan-out, with one more condition on which events reach the rollups' records.
EVENTS_0022 = "e.op <> 'create'"
EVENTS = ("e.op <> 'create'"
          " AND (e.op <> 'update' OR s.reads IS NULL OR e.changes ?| s.reads)")


def _fanout_0022() -> str:
    spec = importlib.util.spec_from_file_location(
        "rollups_0022", Path(__file__).with_name("0022_stored_rollups.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.FANOUT)


def upgrade() -> None:
    op.add_column("rollup_statements",
                  sa.Column("reads", postgresql.ARRAY(sa.Text()), nullable=True))
    fanout = _fanout_0022()
    assert fanout.count(EVENTS_0022) == 2  # forward and backward
    op.execute(fanout.replace(EVENTS_0022, EVENTS))


def downgrade() -> None:
    op.execute(_fanout_0022())
    op.drop_column("rollup_statements", "reads")
