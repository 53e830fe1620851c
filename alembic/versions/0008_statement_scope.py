"""The workspace travels with the statement: scoping that survives transaction-mode poolers.

No schema change, on purpose. Behind a transaction-mode pooler (OBJECTRY_DATABASE_POOLER=
transaction) every unit of work is a transaction whose BEGIN also runs `SET LOCAL ROLE
objectry_app`, `SET LOCAL statement_timeout` and `set_config('app.tenant_id', …, true)`
(db/pool.py, db/tenancy.py), so the row-level-security policies of 0001/0002/0003/0006 read
`current_setting('app.tenant_id', true)` exactly as before. Putting the workspace into each
statement instead (a LATERAL set_config evaluated before every policy qual) was rejected: its
evaluation order cannot be proved for every plan shape (docs/ARCHITECTURE.md, "Behind a
connection pooler"). The revision stays so the chain 0001..0008 is the same on every branch.

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
