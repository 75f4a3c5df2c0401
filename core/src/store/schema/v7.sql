-- Doorstep device store, schema version 7: pulled changes this build could not read.
-- Released: never edit; add a step instead.

-- A change from a newer server that this build cannot read (a kind of record, an enum value
-- or an action it does not know), kept as it came: the pull goes on past it, and it is applied
-- once an updated app can read it, unless a later change of the same record replaced it first.
-- One row a record: its latest such change.
CREATE TABLE held_back (
    entity TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    reason TEXT NOT NULL, held_at TEXT NOT NULL, PRIMARY KEY (entity, id)
) WITHOUT ROWID;
