-- 0010: the start of each lead's first-contact clock, indexed over the
-- uncontacted leads, so that a first-contact check reads the leads whose
-- clock started early enough to be due (lead.Query.ClockStartTo) instead
-- of every uncontacted lead of the tenant.
--
-- The clock starts at the current assignment, or at the capture while the
-- lead is unassigned (lead.Lead.ClockStart). Rows stored before this
-- migration take it from their document (lead.Record's AssignedAt, the
-- zero time when unassigned); the store writes it with every row after.
ALTER TABLE {{schema}}.leads ADD COLUMN clock_start timestamptz;

UPDATE {{schema}}.leads
   SET clock_start = GREATEST(captured_at, NULLIF(doc->>'AssignedAt', '0001-01-01T00:00:00Z')::timestamptz);

ALTER TABLE {{schema}}.leads ALTER COLUMN clock_start SET NOT NULL;

CREATE INDEX leads_due_idx ON {{schema}}.leads (tenant_id, clock_start, id) WHERE uncontacted;
