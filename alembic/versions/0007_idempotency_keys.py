"""Idempotency keys: a retried write answers its first response instead of writing twice.

(Placeholder: filled in by the idempotency work.)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 04:00:00
"""

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
