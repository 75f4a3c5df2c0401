-- Doorstep device store, schema version 4. Released: never edit; add a step instead.

-- Photos by content address. The files live encrypted in the photo vault beside the database;
-- a row is written only after its files are complete on disk.
CREATE TABLE photos (
    sha256       TEXT PRIMARY KEY,
    household_id TEXT REFERENCES households(id),
    taken_at     TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    flagged      INTEGER NOT NULL,
    metadata     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX photos_household ON photos(household_id, taken_at);
