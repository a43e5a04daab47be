-- 0004: the transactional outbox.
--
-- Services write the events of a change into the outbox in the same
-- transaction as the change (crm.EventLog), so an event is stored exactly
-- when its change is; hosts drain it (storage.Outbox) with at-least-once
-- delivery. An event is a row until a drainer acknowledges it: claiming
-- sets claim (a token per claim), claimed_until (the end of the lease, by
-- the server's clock) and counts attempts; acknowledging deletes the rows
-- whose claim still matches.
CREATE TABLE {{schema}}.outbox (
    tenant_id     text        NOT NULL CHECK (tenant_id <> '' AND octet_length(tenant_id) <= 64),
    id            uuid        NOT NULL,
    type          text        NOT NULL CHECK (type <> ''),
    aggregate_id  uuid        NOT NULL,
    version       bigint      NOT NULL CHECK (version >= 0),
    at            timestamptz NOT NULL,
    actor         text        NOT NULL,
    data          jsonb       NOT NULL,
    attempts      integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claim         uuid,
    claimed_until timestamptz,
    CHECK ((claim IS NULL) = (claimed_until IS NULL)),
    PRIMARY KEY (tenant_id, id)
);
-- A claim for one tenant walks the primary key in ID order; a claim
-- across tenants (a host draining every tenant) walks this one. Both skip
-- rows under a running lease and rows another drainer has locked
-- (FOR UPDATE SKIP LOCKED).
CREATE INDEX outbox_claim_idx ON {{schema}}.outbox (id);

ALTER TABLE {{schema}}.outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.outbox
    USING (tenant_id = current_setting('crm.tenant', true))
    WITH CHECK (tenant_id = current_setting('crm.tenant', true));
