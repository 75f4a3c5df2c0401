-- Doorstep device store, schema version 5: sync state. Released: never edit; add a step instead.

-- Operations the server refused for good (a tampered form, a write outside the technician's
-- scope): parked here with the server's reason and shown to the technician, never dropped.
CREATE TABLE sync_rejected (
    seq         INTEGER PRIMARY KEY,
    op_id       TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    device_time TEXT NOT NULL,
    payload     TEXT NOT NULL,
    error       TEXT NOT NULL,
    message     TEXT NOT NULL,
    rejected_at TEXT NOT NULL
);

-- Photos the server holds (uploaded, or found there already); the others wait for upload.
CREATE TABLE photo_uploads (
    sha256      TEXT PRIMARY KEY REFERENCES photos(sha256),
    uploaded_at TEXT NOT NULL
) WITHOUT ROWID;

-- A sealed form may leave the device only when its household leaves the technician's scope:
-- the sync client marks that transaction in `meta` ('evicting') and removes the mark before
-- it commits.
DROP TRIGGER forms_sealed_no_delete;
CREATE TRIGGER forms_sealed_no_delete BEFORE DELETE ON forms
WHEN OLD.sealed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'evicting')
BEGIN
    SELECT RAISE(ABORT, 'form is sealed');
END;
