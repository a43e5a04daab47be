-- 0005: opportunities and their stage history.
--
-- Same rules as 0001: every table is keyed by (tenant_id, …), every index
-- and foreign key leads with tenant_id, enumerations are stored by name,
-- IDs are UUIDv7, nothing draws from a sequence.
--
-- The opportunity itself is kept whole in doc (its persisted form, encoded
-- by the store: amounts digit for digit, times to the nanosecond); the
-- columns before it copy what the list filters of opportunity.Query look
-- at, written from the same value in the same statement, so that each
-- filter is served by an index.
CREATE TABLE {{schema}}.opportunities (
    tenant_id         text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id                uuid        NOT NULL,
    version           bigint      NOT NULL CHECK (version > 0),
    customer_id       uuid        NOT NULL,
    owner_id          text        NOT NULL CHECK (owner_id <> ''),
    team              text        NOT NULL,
    pipeline          text        NOT NULL CHECK (pipeline <> ''),
    stage             text        NOT NULL CHECK (stage <> ''),
    status            text        NOT NULL,
    -- The effective forecast category (Opportunity.ForecastCategory).
    forecast_category text        NOT NULL,
    close_date        date,
    stage_since       timestamptz NOT NULL,
    seq               bigint      NOT NULL CHECK (seq > 0),
    doc               jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- One btree per list filter, each ending in id so that a filtered list
-- comes out in ID order and pages by "id > cursor".
CREATE INDEX opportunities_customer_idx ON {{schema}}.opportunities (tenant_id, customer_id, id);
CREATE INDEX opportunities_owner_idx    ON {{schema}}.opportunities (tenant_id, owner_id, id);
CREATE INDEX opportunities_team_idx     ON {{schema}}.opportunities (tenant_id, team, id);
CREATE INDEX opportunities_pipeline_idx ON {{schema}}.opportunities (tenant_id, pipeline, id);
CREATE INDEX opportunities_stage_idx    ON {{schema}}.opportunities (tenant_id, stage, id);
CREATE INDEX opportunities_status_idx   ON {{schema}}.opportunities (tenant_id, status, id);
CREATE INDEX opportunities_category_idx ON {{schema}}.opportunities (tenant_id, forecast_category, id);
CREATE INDEX opportunities_close_idx    ON {{schema}}.opportunities (tenant_id, close_date, id) WHERE close_date IS NOT NULL;
-- Query.StageBefore with open statuses: the candidates for staleness.
CREATE INDEX opportunities_stale_idx    ON {{schema}}.opportunities (tenant_id, stage_since) WHERE status = 'open';

-- The stage history: written only in the statement that writes its
-- opportunity, and never changed afterwards (the trigger below refuses
-- UPDATE and DELETE).
CREATE TABLE {{schema}}.opportunity_history (
    tenant_id        text        NOT NULL,
    opportunity_id   uuid        NOT NULL,
    seq              bigint      NOT NULL CHECK (seq > 0),
    team             text        NOT NULL,
    pipeline         text        NOT NULL,
    from_stage       text        NOT NULL,
    to_stage         text        NOT NULL,
    at               timestamptz NOT NULL,
    actor            text        NOT NULL,
    reason           text        NOT NULL,
    in_stage_ns      bigint      NOT NULL CHECK (in_stage_ns >= 0),
    in_business_ns   bigint      NOT NULL CHECK (in_business_ns >= 0),
    probability      double precision NOT NULL CHECK (probability >= 0 AND probability <= 1),
    PRIMARY KEY (tenant_id, opportunity_id, seq),
    FOREIGN KEY (tenant_id, opportunity_id) REFERENCES {{schema}}.opportunities (tenant_id, id)
);

CREATE FUNCTION {{schema}}.opportunity_history_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'opportunity_history is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER opportunity_history_append_only BEFORE UPDATE OR DELETE ON {{schema}}.opportunity_history
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.opportunity_history_append_only();

ALTER TABLE {{schema}}.opportunities       ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.opportunity_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.opportunities
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.opportunity_history
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
