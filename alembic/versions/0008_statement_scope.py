"""The workspace travels with the statement: scoping that survives transaction-mode poolers.

(Placeholder: filled in by the pooler work.)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 04:10:00
"""

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
