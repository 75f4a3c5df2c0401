-- Doorstep device store, schema version 7: pulled changes held back until they can be applied.
-- Released: never edit; add a step instead.

-- A pulled change kept as it came, the pull going on past it, until it can be applied:
-- `until` = 'update': from a newer server, this build cannot read it (a kind of record, an enum
--   value or an action it does not know); applied once an updated app can.
-- `until` = 'pushed': the record has local changes not yet pushed; applied once they are (a
--   household that left the technician's scope leaves the phone then, not never).
-- A later change of the same record replaces it. One row a record: its latest such change.
CREATE TABLE held_back (
    entity TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    reason TEXT NOT NULL, held_at TEXT NOT NULL, until TEXT NOT NULL,
    PRIMARY KEY (entity, id)
) WITHOUT ROWID;
