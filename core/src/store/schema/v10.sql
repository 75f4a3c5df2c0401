-- Doorstep device store, schema version 10: work the server acknowledged, kept until a backup
-- of the server holds it, so that a server restored from that backup gets it again.
-- Released: never edit; add a step instead.

-- Operations the server acknowledged (they left the outbox), as they were pushed, with when and
-- by which generation of the server's database. Dropped once the server says a backup holds
-- them (`backed_up_through`), or 7 days after acknowledgement from a server that reports no
-- backups; put back in the outbox, under the same sequence number, when the server's
-- generation changes (it was restored).
CREATE TABLE kept_ops (
    seq             INTEGER PRIMARY KEY,
    op_id           TEXT NOT NULL,
    hlc             TEXT NOT NULL,
    entity          TEXT NOT NULL,
    entity_id       TEXT NOT NULL,
    device_time     TEXT NOT NULL,
    payload         TEXT NOT NULL,
    base_seq        INTEGER,
    acknowledged_at TEXT NOT NULL,
    generation      TEXT
);
CREATE INDEX kept_ops_acknowledged ON kept_ops(acknowledged_at);

-- The photos a kept (or re-queued) operation names, by its sequence number: their files stay on
-- the phone while it is kept, also when their household leaves the phone.
CREATE TABLE kept_photos (
    seq    INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (seq, sha256)
) WITHOUT ROWID;
CREATE INDEX kept_photos_sha256 ON kept_photos(sha256);

-- 1: the photo's household left the phone, and the photo stays only for a kept operation.
ALTER TABLE photos ADD COLUMN kept_only INTEGER NOT NULL DEFAULT 0;
