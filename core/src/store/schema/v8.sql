-- Doorstep device store, schema version 8: a full pull after a scope change sweeps, not wipes.
-- Released: never edit; add a step instead.

-- The records the server had sent before the technician's scope changed, not sent again yet by
-- the full pull (`reset`) that follows. The full pull's changes take their records off; what is
-- left when it ends has left the scope and leaves the phone. Records that stay keep what only the
-- phone has of them (the timeline, check-ins, photos).
CREATE TABLE reset_pending (
    entity TEXT NOT NULL, id TEXT NOT NULL,
    PRIMARY KEY (entity, id)
) WITHOUT ROWID;
