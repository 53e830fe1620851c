"""Isolation before predicates: record reads limited to the workspace before any caller condition.

The trigram index on `records.primary_value` spanned every workspace, so a caller's `like` was
evaluated on other workspaces' rows (its recheck) before `tenant_id` was: an error or a
timing that depended on their rows. It is replaced by one GIN index on (tenant_id, object_id,
primary_value gin_trgm_ops) through btree_gin, so the tenant bounds the scan itself, as every
other index on records already does (field indexes are partial on one workspace's object).

The planner also evaluated caller patterns against the values ANALYZE sampled from every
workspace (a `like` ending in a backslash failed at planning time when another workspace's
sampled text matched): `primary_value` keeps no statistics, and the ones gathered are dropped
by a same-type ALTER, which rewrites no table row (its partial btree index is rebuilt with it;
the trigram index is built after it). `data` gathers none either: no condition reads the column
itself (field filters are expressions, whose statistics come from partial indexes and
expression statistics, NULL outside the field's own workspace); its old ones are left, since
retyping it would rebuild every field index.

Reads are also bounded by the size of their answer: `objectry_answer_bytes(running total,
cap)` passes the total through or raises SQLSTATE OB413, so PostgreSQL stops a read at the
first row (or embedded row) past OBJECTRY_MAX_RESPONSE_BYTES. It is VOLATILE so that the
planner never drops it as an unused output of a subquery.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 01:10:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CONTENT_COLUMNS = ("primary_value", "data")
ANSWER_BYTES = """
    CREATE FUNCTION objectry_answer_bytes(total bigint, cap bigint) RETURNS bigint
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL RESTRICTED AS $$
    BEGIN
        IF total > cap THEN
            RAISE EXCEPTION 'the answer would be larger than % bytes', cap
                USING ERRCODE = 'OB413';
        END IF;
        RETURN total;
    END $$"""
SCOPED_VIEW = ("CREATE VIEW records_in_scope AS SELECT * FROM records"
               " WHERE tenant_id = current_setting('app.tenant_id', true)")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.drop_index("ix_records_primary_value_trgm", table_name="records")
    for column in CONTENT_COLUMNS:
        op.execute(f"ALTER TABLE records ALTER COLUMN {column} SET STATISTICS 0")
    op.execute("DROP VIEW records_in_scope")  # a column type cannot change under a view
    op.execute("ALTER TABLE records ALTER COLUMN primary_value TYPE text")
    op.execute(SCOPED_VIEW)
    op.execute("GRANT SELECT ON records_in_scope TO objectry_app")
    op.create_index("ix_records_primary_value_trgm", "records",
                    ["tenant_id", "object_id", "primary_value"], postgresql_using="gin",
                    postgresql_ops={"primary_value": "gin_trgm_ops"})
    op.execute(ANSWER_BYTES)
    op.execute("GRANT EXECUTE ON FUNCTION objectry_answer_bytes(bigint, bigint) TO objectry_app")


def downgrade() -> None:
    op.execute("DROP FUNCTION objectry_answer_bytes(bigint, bigint)")
    for column in CONTENT_COLUMNS:
        op.execute(f"ALTER TABLE records ALTER COLUMN {column} SET STATISTICS -1")
    op.drop_index("ix_records_primary_value_trgm", table_name="records")
    op.create_index("ix_records_primary_value_trgm", "records", ["primary_value"],
                    postgresql_using="gin", postgresql_ops={"primary_value": "gin_trgm_ops"})
