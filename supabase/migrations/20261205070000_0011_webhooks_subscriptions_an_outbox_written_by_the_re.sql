-- Rendered from Alembic revision 0011 by `objectry supabase`; do not edit.
BEGIN;

-- Running upgrade 0010 -> 0011

CREATE TABLE webhooks (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    name TEXT NOT NULL, 
    url TEXT NOT NULL, 
    events TEXT[] NOT NULL, 
    object_ids TEXT[] NOT NULL, 
    filter TEXT, 
    active BOOLEAN DEFAULT true NOT NULL, 
    secret TEXT NOT NULL, 
    failing_since TIMESTAMP WITH TIME ZONE, 
    disabled_reason TEXT, 
    created_by TEXT, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_webhooks PRIMARY KEY (tenant_id, id), 
    CONSTRAINT fk_webhooks_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE TABLE webhook_events (
    tenant_id TEXT NOT NULL, 
    seq BIGINT GENERATED ALWAYS AS IDENTITY, 
    event_id TEXT, 
    record_id TEXT, 
    object_id TEXT, 
    op TEXT NOT NULL, 
    record JSONB, 
    changes JSONB DEFAULT '{}'::jsonb NOT NULL, 
    body TEXT, 
    at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_webhook_events PRIMARY KEY (tenant_id, seq), 
    CONSTRAINT fk_webhook_events_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_webhook_events_undispatched ON webhook_events (tenant_id, seq) WHERE event_id IS NULL;

CREATE TABLE webhook_deliveries (
    tenant_id TEXT NOT NULL, 
    id TEXT NOT NULL, 
    webhook_id TEXT NOT NULL, 
    event_seq BIGINT NOT NULL, 
    record_id TEXT, 
    status TEXT DEFAULT 'pending' NOT NULL, 
    attempts INTEGER DEFAULT 0 NOT NULL, 
    last_status_code INTEGER, 
    last_error TEXT, 
    duration_ms INTEGER, 
    next_attempt_at TIMESTAMP WITH TIME ZONE, 
    leased_until TIMESTAMP WITH TIME ZONE, 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    CONSTRAINT pk_webhook_deliveries PRIMARY KEY (tenant_id, id), 
    CONSTRAINT ck_webhook_deliveries_status CHECK (status IN ('pending', 'succeeded', 'failed')), 
    CONSTRAINT fk_webhook_deliveries_tenant_id_event_seq_webhook_events FOREIGN KEY(tenant_id, event_seq) REFERENCES webhook_events (tenant_id, seq) ON DELETE CASCADE, 
    CONSTRAINT fk_webhook_deliveries_tenant_id_webhook_id_webhooks FOREIGN KEY(tenant_id, webhook_id) REFERENCES webhooks (tenant_id, id) ON DELETE CASCADE, 
    CONSTRAINT fk_webhook_deliveries_tenant_id_workspaces FOREIGN KEY(tenant_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_webhook_deliveries_tenant_id_webhook_id_created_at ON webhook_deliveries (tenant_id, webhook_id, created_at);

CREATE INDEX ix_webhook_deliveries_tenant_id_event_seq ON webhook_deliveries (tenant_id, event_seq);

CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (tenant_id, next_attempt_at, event_seq) WHERE status = 'pending';

CREATE INDEX ix_webhook_deliveries_pending_record ON webhook_deliveries (tenant_id, webhook_id, record_id, event_seq) WHERE status = 'pending';

GRANT SELECT, INSERT, UPDATE, DELETE ON webhooks TO objectry_app;

ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;

ALTER TABLE webhooks FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON webhooks USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_events TO objectry_app;

ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;

ALTER TABLE webhook_events FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON webhook_events USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_deliveries TO objectry_app;

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;

ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON webhook_deliveries USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

CREATE POLICY definer_lookup ON webhook_events FOR SELECT TO CURRENT_USER USING (current_setting('app.definer', true) = 'on');

CREATE POLICY definer_lookup ON webhook_deliveries FOR SELECT TO CURRENT_USER USING (current_setting('app.definer', true) = 'on');

CREATE FUNCTION objectry_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        watched text[];
    BEGIN
        SELECT array_agg(DISTINCT w.tenant_id) INTO watched FROM webhooks w
        WHERE w.active AND w.tenant_id IN (SELECT tenant_id FROM new_events);
        IF watched IS NULL THEN
            RETURN NULL;
        END IF;
        INSERT INTO webhook_events (tenant_id, record_id, object_id, op, record, changes, at)
        SELECT e.tenant_id, e.record_id, r.object_id, e.op, to_jsonb(r), e.changes, e.at
        FROM new_events e
        JOIN records r ON r.tenant_id = e.tenant_id AND r.id = e.record_id
        WHERE e.tenant_id = any(watched)
        ORDER BY e.id;
        PERFORM pg_notify('objectry_webhooks', t) FROM unnest(watched) AS t;
        RETURN NULL;
    END $$;

CREATE TRIGGER record_events_webhooks AFTER INSERT ON record_events REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION objectry_webhook_outbox();

CREATE FUNCTION objectry_webhook_due() RETURNS TABLE (tenant_id text) LANGUAGE plpgsql
    VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
    BEGIN
        PERFORM set_config('app.definer', 'on', true);
        RETURN QUERY
            SELECT e.tenant_id FROM public.webhook_events e WHERE e.event_id IS NULL
            UNION
            SELECT d.tenant_id FROM public.webhook_deliveries d
            WHERE d.status = 'pending' AND (d.next_attempt_at IS NULL OR (
                  d.next_attempt_at <= now()
                  AND (d.leased_until IS NULL OR d.leased_until < now())));
        PERFORM set_config('app.definer', '', true);
    END $fn$;

REVOKE EXECUTE ON FUNCTION objectry_webhook_due() FROM PUBLIC;

GRANT EXECUTE ON FUNCTION objectry_webhook_due() TO objectry_app;

UPDATE alembic_version SET version_num='0011' WHERE alembic_version.version_num = '0010';

COMMIT;

