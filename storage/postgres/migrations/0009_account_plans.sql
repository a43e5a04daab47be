-- 0009: account plans of key accounts and one lock row per account (the
-- one-active-plan rule).
--
-- Same rules as 0001: every table is keyed by (tenant_id, …), every index
-- and every foreign key leads with tenant_id, no sequences, enumerations
-- stored by name, IDs are UUIDv7. A plan is kept whole in doc (its
-- customer.AccountPlanRecord as JSON, nanoseconds included); the columns
-- beside doc are what the list filters and the overlap check read.
CREATE TABLE {{schema}}.account_plans (
    tenant_id   text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id          uuid        NOT NULL,
    version     bigint      NOT NULL CHECK (version > 0),
    customer_id uuid        NOT NULL,
    status      text        NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    start_at    timestamptz NOT NULL,
    end_at      timestamptz NOT NULL,
    members     text[]      NOT NULL,
    doc         jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- One btree per list filter, each ending in id so that a filtered list
-- comes out in ID order and pages by "id > cursor"; the customer index
-- also serves the overlap check.
CREATE INDEX account_plans_customer_idx ON {{schema}}.account_plans (tenant_id, customer_id, id);
CREATE INDEX account_plans_status_idx   ON {{schema}}.account_plans (tenant_id, status, id);

-- The list by member: the team's user IDs, searched with members @> {user}
-- beside tenant_id = $1 (a GIN index cannot lead with tenant_id without the
-- btree_gin extension, which the store does not require).
CREATE INDEX account_plans_members_idx  ON {{schema}}.account_plans USING gin (members);

-- One row per account that has had an active plan: its row lock
-- serialises the storing of active plans of that account, so that the
-- overlap check and the write are one step.
CREATE TABLE {{schema}}.account_plan_locks (
    tenant_id   text NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    customer_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, customer_id)
);

ALTER TABLE {{schema}}.account_plans      ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.account_plan_locks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.account_plans
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
CREATE POLICY tenant_isolation ON {{schema}}.account_plan_locks
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
