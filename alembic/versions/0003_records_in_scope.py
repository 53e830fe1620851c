"""records_in_scope: the read path to records that lets field indexes work under RLS.

Row-level security makes PostgreSQL evaluate a policy before any condition that is not
LEAKPROOF; `data ->> 'fld_…'` and the numeric/jsonb operators are not, so for the runtime role
no filter on a field could ever become an index condition. Reads of records therefore go
through this view, owned by the migrating user: it filters on the same
`current_setting('app.tenant_id')` as the policies, and as an ordinary (non-security-barrier)
view its condition and the query's are planned together, so expression indexes are used.

Isolation is unchanged: the runtime role may only SELECT the view, and the view shows the
scoped workspace's rows and nothing else (a query with no tenant filter still sees one
workspace). The table keeps its forced RLS for every write. Where the migrating user neither is
a superuser nor has BYPASSRLS, the table's policy applies inside the view too: still isolated,
only without the index benefit.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:55:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE VIEW records_in_scope AS SELECT * FROM records"
        " WHERE tenant_id = current_setting('app.tenant_id', true)")
    op.execute("GRANT SELECT ON records_in_scope TO objectry_app")


def downgrade() -> None:
    op.execute("DROP VIEW records_in_scope")
