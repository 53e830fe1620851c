"""Isolation before predicates: record reads limited to the workspace before any caller condition.

(Placeholder: filled in by the isolation work.)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 01:10:00
"""

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
