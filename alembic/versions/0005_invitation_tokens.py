"""Invitations that need proof: an id, a hashed one-time token, an expiry and revocation.

(Placeholder: filled in by the invitations work.)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 01:00:00
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
