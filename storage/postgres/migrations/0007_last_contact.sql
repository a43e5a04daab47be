-- 0007: the last contact of a customer.
--
-- last_contact is the latest "at" of the customer's interactions (NULL:
-- never contacted). AddInteraction moves it forward in the statement that
-- inserts the interaction; Create, Save and Update write it with
-- GREATEST(stored, given), so it never moves backwards.
--
-- The overdue-for-contact query (customer.Query.ContactedBefore, run once
-- per cadence rule with the rule's class) filters on
-- "last_contact IS NULL OR last_contact < cutoff": the index leads with
-- the tenant and the class, and keeps never-contacted customers first.
ALTER TABLE {{schema}}.customers ADD COLUMN last_contact timestamptz;

CREATE INDEX customers_contact_idx ON {{schema}}.customers (tenant_id, class, last_contact NULLS FIRST);
