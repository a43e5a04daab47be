-- 0001: customers, their history, interactions and visits.
--
-- {{schema}} is the store's schema and {{trgm}} the schema holding the
-- pg_trgm extension, both quoted identifiers filled in by Migrate, which
-- also makes sure the btree_gin extension exists: it lets the GIN indexes
-- lead with tenant_id, so that a search walks one tenant's entries only.
--
-- Every table is keyed by (tenant_id, id): the tenant is part of every key
-- and every index, and every statement the store runs filters on it.
-- Enumerations are stored by name (never by number). Timestamps are
-- timestamptz (microsecond precision). IDs are UUIDv7.

CREATE TABLE {{schema}}.customers (
    tenant_id     text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id            uuid        NOT NULL,
    version       bigint      NOT NULL CHECK (version > 0),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    kind          text        NOT NULL,
    name          text        NOT NULL,
    roles         text[]      NOT NULL,
    emails        text[]      NOT NULL,
    phones        text[]      NOT NULL,
    addresses     jsonb,
    dates         jsonb,
    time_zone     text        NOT NULL,
    prefs         jsonb,
    attrs         jsonb,
    tags          text[]      NOT NULL,
    consents      jsonb,
    notes         text        NOT NULL,
    stage         text        NOT NULL,
    loyalty       text        NOT NULL,
    lifecycle     text        NOT NULL,
    class         text        NOT NULL,
    key_account   boolean     NOT NULL,
    owner_id      text        NOT NULL CHECK (owner_id <> ''),
    merged_into   uuid,
    erased_at     timestamptz,
    history_seq   bigint      NOT NULL CHECK (history_seq >= 0),
    -- Maintained by the store from the fields above (Go's lower-casing, so
    -- that search matches customer.MatchesText exactly):
    -- search_text is the lower-cased name and normalised e-mail addresses
    -- joined by U+0001, search_phones the E.164 numbers joined by spaces,
    -- contact_keys the duplicate keys "e:<email>" and "p:<phone>".
    search_text   text        NOT NULL,
    search_phones text        NOT NULL,
    contact_keys  text[]      NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- The owner filter, the one every account manager's list uses, has a btree
-- ending in id, so that the list comes out in ID order and pages by
-- "id > cursor" without sorting.
CREATE INDEX customers_owner_idx     ON {{schema}}.customers (tenant_id, owner_id, id);
CREATE INDEX customers_key_idx       ON {{schema}}.customers (tenant_id, id) WHERE key_account;
CREATE INDEX customers_merged_idx    ON {{schema}}.customers (tenant_id, merged_into) WHERE merged_into IS NOT NULL;
-- The other filters (stage, loyalty, lifecycle, class, roles, tags) share
-- one multi-column GIN index (btree_gin for the scalar columns): GIN serves
-- a condition on any subset of its columns, and one GIN index with a
-- pending list costs an insert far less than six separate indexes do,
-- which is what bulk import needs.
CREATE INDEX customers_facets_idx    ON {{schema}}.customers USING gin (tenant_id, stage, loyalty, lifecycle, class, roles, tags);
CREATE INDEX customers_contacts_idx  ON {{schema}}.customers USING gin (tenant_id, contact_keys);
-- Free-text search: trigram indexes (LIKE '%…%' on the maintained,
-- lower-cased search columns).
CREATE INDEX customers_text_idx      ON {{schema}}.customers USING gin (tenant_id, search_text {{trgm}}.gin_trgm_ops);
CREATE INDEX customers_phones_idx    ON {{schema}}.customers USING gin (tenant_id, search_phones {{trgm}}.gin_trgm_ops);

CREATE TABLE {{schema}}.customer_history (
    tenant_id   text        NOT NULL,
    customer_id uuid        NOT NULL,
    origin_id   uuid        NOT NULL,
    seq         bigint      NOT NULL CHECK (seq > 0),
    kind        text        NOT NULL,
    from_value  text        NOT NULL,
    to_value    text        NOT NULL,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL,
    reason      text        NOT NULL,
    -- No foreign key: entries are only ever written by the statement that
    -- writes their customer (or moved by MoveRelated after checking both
    -- customers), and a per-row check would halve the speed of bulk imports.
    PRIMARY KEY (tenant_id, origin_id, seq)
);
CREATE INDEX customer_history_list_idx ON {{schema}}.customer_history (tenant_id, customer_id, at, origin_id, seq);

CREATE TABLE {{schema}}.interactions (
    tenant_id     text        NOT NULL,
    id            uuid        NOT NULL,
    customer_id   uuid        NOT NULL,
    channel       text        NOT NULL,
    direction     text        NOT NULL,
    actor         text        NOT NULL,
    at            timestamptz NOT NULL,
    summary       text        NOT NULL,
    outcome       text        NOT NULL,
    next_step     text        NOT NULL,
    next_step_due timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES {{schema}}.customers (tenant_id, id)
);
CREATE INDEX interactions_customer_idx ON {{schema}}.interactions (tenant_id, customer_id, at DESC, id DESC);

CREATE TABLE {{schema}}.visits (
    tenant_id   text        NOT NULL,
    id          uuid        NOT NULL,
    customer_id uuid        NOT NULL,
    salesperson text        NOT NULL,
    kind        text        NOT NULL,
    purpose     text        NOT NULL,
    method      text        NOT NULL,
    planned_at  timestamptz NOT NULL,
    duration_ns bigint      NOT NULL CHECK (duration_ns >= 0),
    status      text        NOT NULL,
    outcome     text        NOT NULL,
    done_at     timestamptz,
    version     bigint      NOT NULL CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES {{schema}}.customers (tenant_id, id)
);
CREATE INDEX visits_planned_idx     ON {{schema}}.visits (tenant_id, planned_at, id);
CREATE INDEX visits_salesperson_idx ON {{schema}}.visits (tenant_id, salesperson, planned_at, id);
CREATE INDEX visits_customer_idx    ON {{schema}}.visits (tenant_id, customer_id, planned_at, id);
CREATE INDEX visits_status_idx      ON {{schema}}.visits (tenant_id, status, planned_at, id);

-- Row-level security: a second wall behind the tenant filter every
-- statement carries. Policies admit only rows of the tenant named by the
-- transaction-local setting crm.tenant, which the store sets when
-- Options.RowLevelSecurity is on. RLS is enabled here, which binds roles
-- that neither own the tables nor have BYPASSRLS; the table owner is bound
-- too only once the host forces it (Store.ForceRowLevelSecurity).
ALTER TABLE {{schema}}.customers        ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.customer_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.interactions     ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.visits           ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.customers
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.customer_history
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.interactions
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.visits
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
