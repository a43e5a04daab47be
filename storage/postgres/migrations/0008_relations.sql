-- 0008: referrals, suggestions and memberships of customers.
--
-- Same rules as 0001: every table is keyed by (tenant_id, …), every index
-- and unique key leads with tenant_id, no sequences, enumerations stored
-- by name, IDs are UUIDv7. Each record is kept whole in doc (its
-- customer.*Record as JSON, nanoseconds and money exponents included); the
-- columns beside doc are what the list filters search, each with its own
-- index ending in id, so a filtered list comes out in ID order and pages
-- by "id > cursor". The time columns are at microseconds; the store
-- re-checks each row against the exact query.
CREATE TABLE {{schema}}.referrals (
    tenant_id   text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id          uuid        NOT NULL,
    version     bigint      NOT NULL CHECK (version > 0),
    referrer_id uuid        NOT NULL,
    target_kind text        NOT NULL,
    target_id   uuid        NOT NULL,
    outcome     text        NOT NULL,
    referred_at timestamptz NOT NULL,
    doc         jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- A referrer refers a target once.
    UNIQUE (tenant_id, referrer_id, target_kind, target_id)
);
CREATE INDEX referrals_referrer_idx ON {{schema}}.referrals (tenant_id, referrer_id, id);
CREATE INDEX referrals_target_idx   ON {{schema}}.referrals (tenant_id, target_id, id);
CREATE INDEX referrals_outcome_idx  ON {{schema}}.referrals (tenant_id, outcome, id);
CREATE INDEX referrals_referred_idx ON {{schema}}.referrals (tenant_id, referred_at, id);

CREATE TABLE {{schema}}.suggestions (
    tenant_id text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id        uuid        NOT NULL,
    version   bigint      NOT NULL CHECK (version > 0),
    author_id uuid        NOT NULL,
    category  text        NOT NULL,
    status    text        NOT NULL,
    made_at   timestamptz NOT NULL,
    doc       jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX suggestions_author_idx   ON {{schema}}.suggestions (tenant_id, author_id, id);
CREATE INDEX suggestions_category_idx ON {{schema}}.suggestions (tenant_id, category, id);
CREATE INDEX suggestions_status_idx   ON {{schema}}.suggestions (tenant_id, status, id);
CREATE INDEX suggestions_made_idx     ON {{schema}}.suggestions (tenant_id, made_at, id);

CREATE TABLE {{schema}}.memberships (
    tenant_id   text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id          uuid        NOT NULL,
    version     bigint      NOT NULL CHECK (version > 0),
    customer_id uuid        NOT NULL,
    programme   text        NOT NULL,
    tier        text        NOT NULL,
    cancelled   boolean     NOT NULL,
    term_end    timestamptz NOT NULL,
    doc         jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- One membership per customer per programme.
    UNIQUE (tenant_id, customer_id, programme)
);
CREATE INDEX memberships_customer_idx  ON {{schema}}.memberships (tenant_id, customer_id, id);
CREATE INDEX memberships_programme_idx ON {{schema}}.memberships (tenant_id, programme, tier, id);
CREATE INDEX memberships_tier_idx      ON {{schema}}.memberships (tenant_id, tier, id);
CREATE INDEX memberships_term_idx      ON {{schema}}.memberships (tenant_id, term_end, id) WHERE NOT cancelled;
CREATE INDEX memberships_cancelled_idx ON {{schema}}.memberships (tenant_id, id) WHERE cancelled;

ALTER TABLE {{schema}}.referrals   ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.suggestions ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.referrals
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.suggestions
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.memberships
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
