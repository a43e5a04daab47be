-- 0003: complaints, their audit trail, and the risks raised from
-- complaint hotspots.
--
-- Same rules as 0001: every table is keyed by (tenant_id, …), every index
-- leads with tenant_id, enumerations are stored by name, timestamps are
-- timestamptz (microsecond precision), IDs are UUIDv7.

-- asset_path is the complaint's asset in a prefix-free encoding made by
-- the store: for each level, kind and ID each followed by U+0002, where
-- U+0001 and U+0002 inside them are escaped as U+0001 U+0001 and U+0001
-- U+0002. One asset lies at or below another exactly when its path starts
-- with the other's, whatever the kinds and IDs hold (quotes, %, _, \, /, :),
-- so the prefix filter is a range on a "C"-collated (bytewise) btree:
-- path >= prefix AND path < prefix with its last U+0002 raised to U+0003.
-- The store decodes the asset from it; '' is no asset.
CREATE TABLE {{schema}}.complaints (
    tenant_id             text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id                    uuid        NOT NULL,
    version               bigint      NOT NULL CHECK (version > 0),
    customer_id           uuid        NOT NULL,
    channel               text        NOT NULL,
    category              text        NOT NULL,
    severity              text        NOT NULL,
    priority              text        NOT NULL,
    asset_path            text        COLLATE "C" NOT NULL,
    description           text        NOT NULL,
    desired_outcome       text        NOT NULL,
    attachments           text[]      NOT NULL,
    group_id              uuid,
    owner_id              text        NOT NULL CHECK (owner_id <> ''),
    hand_overs            integer     NOT NULL CHECK (hand_overs >= 0),
    status                text        NOT NULL,
    waiting_from          text,
    escalation_level      integer     NOT NULL CHECK (escalation_level >= 0),
    reopens               integer     NOT NULL CHECK (reopens >= 0),
    reopen_window_ns      bigint      NOT NULL CHECK (reopen_window_ns > 0),
    -- The resolution without its compensation, which is kept exactly in
    -- the three columns after it: the amount (numeric keeps every digit),
    -- the ISO 4217 code, and the decimal exponent the amount was written
    -- with (1.500 has -3, 1E+3 has 3), so the value comes back digit for
    -- digit.
    resolution            jsonb,
    compensation_amount   {{schema}}.crm_money_amount,
    compensation_currency {{schema}}.crm_currency,
    compensation_exp      integer,
    accepted              boolean,
    follow_up_at          timestamptz,
    follow_up             jsonb,
    survey                jsonb,
    repair                jsonb,
    pauses                jsonb,
    received_at           timestamptz NOT NULL,
    acknowledged_at       timestamptz,
    first_response_at     timestamptz,
    resolved_at           timestamptz,
    closed_at             timestamptz,
    rejected_at           timestamptz,
    audit_seq             bigint      NOT NULL CHECK (audit_seq >= 0),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT complaints_compensation_whole CHECK (
        (compensation_amount IS NULL) = (compensation_currency IS NULL)
        AND (compensation_amount IS NULL) = (compensation_exp IS NULL)
        AND (compensation_amount IS NULL OR resolution IS NOT NULL))
);

-- One btree per list filter, each ending in id so that a filtered list
-- comes out in ID order and pages by "id > cursor".
CREATE INDEX complaints_customer_idx ON {{schema}}.complaints (tenant_id, customer_id, id);
CREATE INDEX complaints_owner_idx    ON {{schema}}.complaints (tenant_id, owner_id, id);
CREATE INDEX complaints_group_idx    ON {{schema}}.complaints (tenant_id, group_id, id) WHERE group_id IS NOT NULL;
CREATE INDEX complaints_status_idx   ON {{schema}}.complaints (tenant_id, status, id);
CREATE INDEX complaints_open_idx     ON {{schema}}.complaints (tenant_id, id) WHERE status NOT IN ('closed', 'rejected');
CREATE INDEX complaints_category_idx ON {{schema}}.complaints (tenant_id, category, id);
CREATE INDEX complaints_asset_idx    ON {{schema}}.complaints (tenant_id, asset_path, id);
CREATE INDEX complaints_received_idx ON {{schema}}.complaints (tenant_id, received_at, id);
-- Query.SettledFrom: complaints closed or rejected since an instant (a
-- settled complaint has exactly one of the two times).
CREATE INDEX complaints_settled_idx  ON {{schema}}.complaints (tenant_id, (coalesce(closed_at, rejected_at)))
    WHERE status IN ('closed', 'rejected');

-- The audit trail: written only in the statement that writes its
-- complaint, and never changed afterwards (the trigger below refuses
-- UPDATE and DELETE).
CREATE TABLE {{schema}}.complaint_audit (
    tenant_id    text        NOT NULL,
    complaint_id uuid        NOT NULL,
    seq          bigint      NOT NULL CHECK (seq > 0),
    kind         text        NOT NULL,
    from_value   text        NOT NULL,
    to_value     text        NOT NULL,
    at           timestamptz NOT NULL,
    actor        text        NOT NULL,
    reason       text        NOT NULL,
    PRIMARY KEY (tenant_id, complaint_id, seq),
    FOREIGN KEY (tenant_id, complaint_id) REFERENCES {{schema}}.complaints (tenant_id, id)
);

CREATE FUNCTION {{schema}}.complaint_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'complaint_audit is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER complaint_audit_append_only BEFORE UPDATE OR DELETE ON {{schema}}.complaint_audit
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.complaint_audit_append_only();

-- Risks raised from hotspots. hotspot_key is Hotspot.Key(); its SHA-256
-- (computed by the store) is what the indexes hold, since keys have no
-- length bound and a btree entry has one. A tenant has at most one active
-- (open or mitigating) risk per key.
CREATE TABLE {{schema}}.complaint_risks (
    tenant_id        text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id               uuid        NOT NULL,
    version          bigint      NOT NULL CHECK (version > 0),
    hotspot_key      text        NOT NULL,
    hotspot_key_hash bytea       NOT NULL CHECK (octet_length(hotspot_key_hash) = 32),
    rule             text        NOT NULL CHECK (rule <> ''),
    rule_kind        text        NOT NULL,
    category         text        NOT NULL,
    asset_path       text        COLLATE "C" NOT NULL,
    customer_id      uuid,
    hotspot_count    integer     NOT NULL,
    baseline         double precision NOT NULL,
    window_from      timestamptz,
    window_to        timestamptz,
    evidence         uuid[]      NOT NULL,
    owner_id         text        NOT NULL CHECK (owner_id <> ''),
    status           text        NOT NULL,
    notes            jsonb,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX complaint_risks_active_key ON {{schema}}.complaint_risks (tenant_id, hotspot_key_hash)
    WHERE status IN ('open', 'mitigating');
CREATE INDEX complaint_risks_key_idx    ON {{schema}}.complaint_risks (tenant_id, hotspot_key_hash, id);
CREATE INDEX complaint_risks_owner_idx  ON {{schema}}.complaint_risks (tenant_id, owner_id, id);
CREATE INDEX complaint_risks_status_idx ON {{schema}}.complaint_risks (tenant_id, status, id);

ALTER TABLE {{schema}}.complaints      ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.complaint_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.complaint_risks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.complaints
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.complaint_audit
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.complaint_risks
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
