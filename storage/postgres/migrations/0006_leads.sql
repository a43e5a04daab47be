-- 0006: leads, their history, the contact keys of open leads, the
-- assignment state per team, and campaigns.
--
-- Same rules as 0001: every table is keyed by (tenant_id, …), every index
-- and every foreign key leads with tenant_id, no sequences, enumerations
-- stored by name, IDs are UUIDv7. A lead and a campaign are kept whole in
-- doc (their lead.Record and lead.CampaignRecord as JSON, nanoseconds and
-- money exponents included); the columns beside doc are what the list
-- filters and the duplicate look-up search, each with its own index.
CREATE TABLE {{schema}}.leads (
    tenant_id   text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id          uuid        NOT NULL,
    version     bigint      NOT NULL CHECK (version > 0),
    team        text        NOT NULL,
    stage       text        NOT NULL,
    open        boolean     NOT NULL,
    owner_id    text        NOT NULL,
    source      text        NOT NULL,
    campaign_id uuid,
    customer_id uuid,
    captured_at timestamptz NOT NULL,
    uncontacted boolean     NOT NULL,
    doc         jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- One btree per list filter, each ending in id so that a filtered list
-- comes out in ID order and pages by "id > cursor".
CREATE INDEX leads_stage_idx       ON {{schema}}.leads (tenant_id, stage, id);
CREATE INDEX leads_open_idx        ON {{schema}}.leads (tenant_id, id) WHERE open;
CREATE INDEX leads_team_idx        ON {{schema}}.leads (tenant_id, team, id);
CREATE INDEX leads_owner_idx       ON {{schema}}.leads (tenant_id, owner_id, id);
CREATE INDEX leads_source_idx      ON {{schema}}.leads (tenant_id, source, id);
CREATE INDEX leads_campaign_idx    ON {{schema}}.leads (tenant_id, campaign_id, id) WHERE campaign_id IS NOT NULL;
CREATE INDEX leads_customer_idx    ON {{schema}}.leads (tenant_id, customer_id, id) WHERE customer_id IS NOT NULL;
CREATE INDEX leads_captured_idx    ON {{schema}}.leads (tenant_id, captured_at, id);
CREATE INDEX leads_uncontacted_idx ON {{schema}}.leads (tenant_id, id) WHERE uncontacted;

-- The normalised e-mail addresses and E.164 numbers of leads: the
-- duplicate look-up at capture, which keeps the open leads. A lead's
-- contact points are only ever added to, so rows are only inserted.
CREATE TABLE {{schema}}.lead_contacts (
    tenant_id text NOT NULL,
    kind      text NOT NULL CHECK (kind IN ('email', 'phone')),
    key       text NOT NULL,
    lead_id   uuid NOT NULL,
    PRIMARY KEY (tenant_id, kind, key, lead_id),
    FOREIGN KEY (tenant_id, lead_id) REFERENCES {{schema}}.leads (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX lead_contacts_lead_idx ON {{schema}}.lead_contacts (tenant_id, lead_id);

-- A lead's history: written with its lead, never changed.
CREATE TABLE {{schema}}.lead_history (
    tenant_id  text        NOT NULL,
    lead_id    uuid        NOT NULL,
    seq        bigint      NOT NULL CHECK (seq > 0),
    kind       text        NOT NULL,
    from_value text        NOT NULL,
    to_value   text        NOT NULL,
    at         timestamptz NOT NULL,
    at_nanos   integer     NOT NULL CHECK (at_nanos >= 0 AND at_nanos < 1000),
    actor      text        NOT NULL,
    reason     text        NOT NULL,
    PRIMARY KEY (tenant_id, lead_id, seq),
    FOREIGN KEY (tenant_id, lead_id) REFERENCES {{schema}}.leads (tenant_id, id)
);

CREATE FUNCTION {{schema}}.lead_history_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'lead_history is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER lead_history_append_only BEFORE UPDATE OR DELETE ON {{schema}}.lead_history
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.lead_history_append_only();

-- The round-robin counters and open-lead counts of each team, as the JSON
-- of lead.AssignmentState; its row lock serialises assignments.
CREATE TABLE {{schema}}.lead_assignment (
    tenant_id text  NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    team      text  NOT NULL,
    state     jsonb NOT NULL,
    PRIMARY KEY (tenant_id, team)
);

CREATE TABLE {{schema}}.campaigns (
    tenant_id text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id        uuid        NOT NULL,
    version   bigint      NOT NULL CHECK (version > 0),
    start_at  timestamptz NOT NULL,
    end_at    timestamptz,
    doc       jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX campaigns_period_idx ON {{schema}}.campaigns (tenant_id, start_at, id);

ALTER TABLE {{schema}}.leads           ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.lead_contacts   ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.lead_history    ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.lead_assignment ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.campaigns       ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.leads
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.lead_contacts
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.lead_history
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.lead_assignment
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.campaigns
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
