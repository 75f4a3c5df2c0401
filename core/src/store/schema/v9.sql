-- Doorstep device store, schema version 9: each operation keeps its merge base; refused and
-- parked work keeps its household on the phone until the service center has decided.
-- Released: never edit; add a step instead.

-- The newest server change of the operation's household (or order) the device had seen when the
-- technician made it. NULL for an operation queued before version 9 (sent without one).
ALTER TABLE outbox ADD COLUMN base_seq INTEGER;

-- Set-aside operations: what they were about, and where they stand.
ALTER TABLE sync_rejected ADD COLUMN base_seq INTEGER;
ALTER TABLE sync_rejected ADD COLUMN entity TEXT;
ALTER TABLE sync_rejected ADD COLUMN entity_id TEXT;
-- The household the work was done for (NULL when the operation names none, or for a row set
-- aside before version 9).
ALTER TABLE sync_rejected ADD COLUMN household_id TEXT;
-- 'refused': the server refused it for good (its `error`, `message`).
-- 'parked': the server stored it for the service center to decide.
-- 'rejected': the service center decided against it (`decision_reason`).
-- (One the service center accepted is the server's, and leaves the list.)
ALTER TABLE sync_rejected ADD COLUMN state TEXT NOT NULL DEFAULT 'refused';
ALTER TABLE sync_rejected ADD COLUMN decided_at TEXT;
ALTER TABLE sync_rejected ADD COLUMN decision_reason TEXT;
CREATE INDEX sync_rejected_household ON sync_rejected(household_id, state);
-- Rows set aside before: their household, read once from the operation (or its form's).
UPDATE sync_rejected SET household_id = coalesce(
    json_extract(payload, '$.household.id'), json_extract(payload, '$.household_id'),
    json_extract(payload, '$.reading.household_id'), json_extract(payload, '$.order.household_id'),
    json_extract(payload, '$.form.household_id'),
    (SELECT household_id FROM forms WHERE id = json_extract(payload, '$.form_id')))
WHERE household_id IS NULL;
