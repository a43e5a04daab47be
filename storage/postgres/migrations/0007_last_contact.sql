-- 0007: the last contact of a customer.
--
-- last_contact is the latest "at" of the customer's interactions (NULL:
-- never contacted). AddInteraction moves it forward in the statement that
-- inserts the interaction; Create, Save and Update write it with
-- GREATEST(stored, given), so it never moves backwards.
--
-- The overdue-for-contact query (customer.Query.ContactedBefore, run once
-- per cadence rule) filters on
-- "COALESCE(last_contact, '-infinity') < cutoff", never-contacted customers
-- included: the index leads with the tenant and that expression, so the
-- filter is one range scan, and carries the class for the rule's class
-- condition (a list by class alone keeps using the facets index).
ALTER TABLE {{schema}}.customers ADD COLUMN last_contact timestamptz;

CREATE INDEX customers_contact_idx ON {{schema}}.customers
    (tenant_id, (COALESCE(last_contact, '-infinity'::timestamptz)), class);
