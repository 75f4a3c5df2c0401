-- The Doorstep server's tables (PostgreSQL): the same tables as sqlite.sql. Run at every start by
-- every server process, under an advisory lock, so it must stay idempotent.
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters(name, value) VALUES ('seq', 0) ON CONFLICT DO NOTHING;

-- The current version of every record, as the core's JSON; `key` is its unique business key.
-- `buckets` is a JSON array as text, as in SQLite.
CREATE TABLE IF NOT EXISTS records (
    entity  TEXT NOT NULL,
    id      TEXT NOT NULL,
    key     TEXT,
    seq     BIGINT NOT NULL,
    deleted BOOLEAN NOT NULL,
    body    TEXT NOT NULL,
    stamps  TEXT NOT NULL,
    buckets TEXT NOT NULL,
    PRIMARY KEY (entity, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS records_key ON records(entity, key) WHERE key IS NOT NULL;

-- Per scope bucket, the last change of each record in it (compacted: one row per record).
CREATE TABLE IF NOT EXISTS bucket_entries (
    bucket      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    id          TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    left_bucket BOOLEAN NOT NULL,
    PRIMARY KEY (bucket, entity, id)
);
CREATE INDEX IF NOT EXISTS bucket_entries_seq ON bucket_entries(bucket, seq);

-- Every operation a device pushed, exactly once.
CREATE TABLE IF NOT EXISTS ops (
    device_id   TEXT NOT NULL,
    op_id       TEXT NOT NULL,
    device_seq  BIGINT NOT NULL,
    hlc         TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    device_time TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    server_seq  BIGINT NOT NULL,
    payload     TEXT NOT NULL,
    PRIMARY KEY (device_id, op_id)
);

CREATE TABLE IF NOT EXISTS conflicts (
    n         BIGSERIAL PRIMARY KEY,
    seq       BIGINT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    rule      TEXT NOT NULL,
    kept      TEXT NOT NULL,
    lost      TEXT NOT NULL,
    kept_by   TEXT NOT NULL,
    lost_by   TEXT NOT NULL,
    op_id     TEXT,
    at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS audit (
    n         BIGSERIAL PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    device_id TEXT,
    action    TEXT NOT NULL,
    entity    TEXT,
    entity_id TEXT
);

CREATE TABLE IF NOT EXISTS devices (
    id                TEXT PRIMARY KEY,
    technician_id     TEXT NOT NULL,
    credential_sha256 TEXT NOT NULL,
    model             TEXT NOT NULL,
    enrolled_at       TIMESTAMPTZ NOT NULL,
    revoked_at        TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS enrollments (
    code_sha256   TEXT PRIMARY KEY,
    technician_id TEXT NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_by       TEXT
);

CREATE TABLE IF NOT EXISTS photos (
    sha256   TEXT PRIMARY KEY,
    total    BIGINT NOT NULL,
    received BIGINT NOT NULL,
    complete BOOLEAN NOT NULL
);

-- Chunks of uploads in progress (shared by every server process); dropped once complete.
-- `offset` is a reserved word in PostgreSQL: always quoted.
CREATE TABLE IF NOT EXISTS photo_chunks (
    sha256   TEXT NOT NULL,
    "offset" BIGINT NOT NULL,
    bytes    BYTEA NOT NULL,
    PRIMARY KEY (sha256, "offset")
);

CREATE TABLE IF NOT EXISTS form_photos (
    form_id TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    PRIMARY KEY (form_id, sha256)
);

-- Operations a device pushed for a household it could no longer reach when it made them (the
-- household had left its scope before the device's merge base), stored whole and set aside for
-- the service center to decide: accepted into the household's file, or rejected with a reason.
-- The operation itself is in `ops` (server_seq 0 until accepted).
CREATE TABLE IF NOT EXISTS parked (
    device_id       TEXT NOT NULL,
    op_id           TEXT NOT NULL,
    technician_id   TEXT NOT NULL,
    entity          TEXT NOT NULL,
    entity_id       TEXT NOT NULL,
    household_id    TEXT,
    base_seq        BIGINT,
    reason          TEXT NOT NULL,
    parked_at       TIMESTAMPTZ NOT NULL,
    -- The decision: NULL while it waits.
    accepted        BOOLEAN,
    decision_reason TEXT,
    decided_by      TEXT,
    decided_at      TIMESTAMPTZ,
    -- The server change the decision was made at; the device learns it at its next pull.
    decided_seq     BIGINT,
    PRIMARY KEY (device_id, op_id)
);
CREATE INDEX IF NOT EXISTS parked_decided ON parked(device_id, decided_seq);
CREATE INDEX IF NOT EXISTS parked_op ON parked(op_id);

-- What a device pushed about a record: a first pull sends a record's departure only to a device
-- that pushed something about it (it may hold it without ever having pulled it).
CREATE INDEX IF NOT EXISTS ops_subject ON ops(device_id, entity, entity_id);

-- Money collected on site (Art.14): one row per receipt and sealed form. A receipt number is
-- used on one sealed form only (a second is parked for the office); the day's settlement per
-- technician reads the rows of its day.
CREATE TABLE IF NOT EXISTS receipts (
    receipt       TEXT NOT NULL,
    form_id       TEXT NOT NULL,
    technician_id TEXT NOT NULL,
    sealed_at     TIMESTAMPTZ NOT NULL,
    method        TEXT NOT NULL,
    total_fen     BIGINT NOT NULL,
    PRIMARY KEY (receipt, form_id)
);
CREATE INDEX IF NOT EXISTS receipts_day ON receipts(technician_id, sealed_at);

-- When each work order reached a device (issue 23): served in a pull page at `served_at`, and
-- confirmed when the device asked a later page with a cursor at or past `seq` (it applies a page
-- and its cursor in one transaction). One row per order and device: its first delivery.
CREATE TABLE IF NOT EXISTS order_deliveries (
    order_id        TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    technician_id   TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    served_at       TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    PRIMARY KEY (order_id, device_id)
);
CREATE INDEX IF NOT EXISTS order_deliveries_waiting ON order_deliveries(device_id, seq)
    WHERE acknowledged_at IS NULL;

-- console/staff (issue 26): staff accounts, sessions and sign-in failures.
-- Staff of the service center who sign in to the console: `login` is unique, `districts` a JSON
-- list of district ids (a dispatcher's), `password_hash` an argon2 PHC string.
CREATE TABLE IF NOT EXISTS staff (
    id              TEXT PRIMARY KEY,
    login           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    districts       TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    password_set_at TIMESTAMPTZ NOT NULL
);
-- Console sessions, shared by every server on the database: keyed by the SHA-256 of the cookie's
-- token (the token itself is never stored), with the session's CSRF token.
CREATE TABLE IF NOT EXISTS staff_sessions (
    token_sha256 TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS staff_sessions_staff ON staff_sessions(staff_id);
-- Failed sign-ins in a row per login typed (also logins no one has, so that a lock does not tell
-- which exist).
CREATE TABLE IF NOT EXISTS staff_sign_in_failures (
    login        TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    last_failure TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);
-- (end console/staff)

-- console/search (issue 26): the household search.
-- One row per household not deleted: its customer number, district and the normalised text it
-- is found by (storage/search.rs), written with the household's record.
CREATE TABLE IF NOT EXISTS household_search (
    id          TEXT PRIMARY KEY,
    district_id TEXT,
    number      TEXT NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS household_search_district ON household_search(district_id);
-- (end console/search)

-- console/board (issue 26): open work orders for the dispatch board.
-- The ids of the work orders still open (storage/open_orders.rs).
CREATE TABLE IF NOT EXISTS open_work_orders (
    id TEXT PRIMARY KEY
);
-- The last time each device pulled, the cursor it was given and the app version it reported
-- (the dispatch board's phones), written at most about once a minute per device.
CREATE TABLE IF NOT EXISTS device_syncs (
    device_id   TEXT PRIMARY KEY,
    synced_at   TIMESTAMPTZ NOT NULL,
    cursor_seq  BIGINT NOT NULL,
    app_version TEXT
);
-- (end console/board)

-- console/conflicts (issue 26): conflicts resolved by the office.
-- A conflict (conflicts.n) resolved on the console: the value kept left as it was, or the other
-- taken (an office edit of the record at server change `seq`). A table of its own, so that
-- databases made before it keep working and older servers never see it.
CREATE TABLE IF NOT EXISTS conflict_resolutions (
    conflict    BIGINT PRIMARY KEY,
    took_other  BOOLEAN NOT NULL,
    resolved_by TEXT NOT NULL,
    resolved_at TIMESTAMPTZ NOT NULL,
    seq         BIGINT
);
-- (end console/conflicts)

-- console/household (issue 26): a household's check-ins and a photo's metadata, by subject.
CREATE INDEX IF NOT EXISTS ops_about ON ops(entity, entity_id);
-- (end console/household)

-- reports/units (issue 27): the unit a piece of work belonged to when it was done.
-- Each household's district and each technician's crew and district over time
-- (reports/units.rs): a row whenever such a record is written with a different unit than its
-- latest row, at the server's time of the write (`since`); the latest row is the one of the
-- highest `seq` (the record's server change). A record's first row counts from the beginning
-- of time.
CREATE TABLE IF NOT EXISTS unit_history (
    entity   TEXT NOT NULL,
    id       TEXT NOT NULL,
    seq      BIGINT NOT NULL,
    since    TIMESTAMPTZ NOT NULL,
    district TEXT,
    crew     TEXT,
    PRIMARY KEY (entity, id, seq)
);
-- (end reports/units)

-- backup (issue 27): what the server keeps about itself, by name: its generation (changed by a
-- restore, so that the phones learn it), what its last backup holds.
CREATE TABLE IF NOT EXISTS server_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- (end backup)
