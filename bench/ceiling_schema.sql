-- The ceiling database: the records and relationship_records tables of Objectry's schema
-- (backend/objectry/db/tables.py), with the tables their foreign keys point at, and no RLS.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE workspaces (
    id text PRIMARY KEY,
    name text NOT NULL,
    schema_version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE objects (
    tenant_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- records and relationship_records have no key to workspaces of their own, as in Objectry
-- (migration 0019): their other keys imply it.
CREATE TABLE records (
    tenant_id text NOT NULL,
    id text NOT NULL,
    object_id text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    primary_value text,
    version integer NOT NULL DEFAULT 1,
    deleted_at timestamptz,
    trash_batch text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by text,
    updated_by text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, object_id) REFERENCES objects (tenant_id, id) ON DELETE CASCADE,
    UNIQUE (tenant_id, id, object_id)
);
CREATE INDEX ix_records_live_order ON records (tenant_id, object_id, created_at, id)
    WHERE deleted_at IS NULL;
CREATE INDEX ix_records_primary_value ON records (tenant_id, object_id, primary_value)
    WHERE deleted_at IS NULL;
CREATE INDEX ix_records_primary_value_trgm ON records USING gin (primary_value gin_trgm_ops);
CREATE INDEX ix_records_trash_batch ON records (tenant_id, trash_batch)
    WHERE trash_batch IS NOT NULL;

CREATE TABLE relationships (
    tenant_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id text NOT NULL,
    name text NOT NULL,
    from_object_id text NOT NULL,
    to_object_id text NOT NULL,
    type text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, id, from_object_id, to_object_id, type)
);

CREATE TABLE relationship_records (
    tenant_id text NOT NULL,
    id text NOT NULL,
    relationship_id text NOT NULL,
    rel_type text NOT NULL,
    from_object_id text NOT NULL,
    to_object_id text NOT NULL,
    from_record_id text NOT NULL,
    to_record_id text NOT NULL,
    relationship_metadata jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, relationship_id, from_object_id, to_object_id, rel_type)
        REFERENCES relationships (tenant_id, id, from_object_id, to_object_id, type)
        ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, from_record_id, from_object_id)
        REFERENCES records (tenant_id, id, object_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, to_record_id, to_object_id)
        REFERENCES records (tenant_id, id, object_id) ON DELETE CASCADE,
    UNIQUE (tenant_id, relationship_id, from_record_id, to_record_id)
);
CREATE UNIQUE INDEX uq_relationship_records_one_from
    ON relationship_records (tenant_id, relationship_id, to_record_id)
    WHERE rel_type IN ('1:1', '1:N');
CREATE UNIQUE INDEX uq_relationship_records_one_to
    ON relationship_records (tenant_id, relationship_id, from_record_id)
    WHERE rel_type = '1:1';
CREATE INDEX ix_relationship_records_from ON relationship_records (tenant_id, from_record_id);
CREATE INDEX ix_relationship_records_to ON relationship_records (tenant_id, to_record_id);
CREATE INDEX ix_relationship_records_relationship
    ON relationship_records (tenant_id, relationship_id, from_object_id, to_object_id, rel_type);
