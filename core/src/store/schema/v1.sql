-- Doorstep device store, schema version 1. Released: never edit; add a step instead.
-- Every record keeps its complete file as JSON in `doc`; the other columns are what queries
-- filter and sort on.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE districts (
    id   TEXT PRIMARY KEY,
    doc  TEXT NOT NULL
);

CREATE TABLE crews (
    id   TEXT PRIMARY KEY,
    doc  TEXT NOT NULL
);

CREATE TABLE technicians (
    id          TEXT PRIMARY KEY,
    crew_id     TEXT,
    district_id TEXT,
    doc         TEXT NOT NULL
);

CREATE TABLE households (
    id                TEXT PRIMARY KEY,
    customer_number   TEXT NOT NULL UNIQUE,
    district_id       TEXT,
    category          TEXT NOT NULL,
    supply            TEXT NOT NULL,
    lat               REAL,
    lon               REAL,
    special_group     INTEGER NOT NULL DEFAULT 0,
    inspection_due_on TEXT,
    updated_at        TEXT NOT NULL,
    doc               TEXT NOT NULL
);
CREATE INDEX households_inspection_due ON households(district_id, inspection_due_on);
CREATE INDEX households_lat ON households(lat, lon);

CREATE TABLE meter_readings (
    household_id TEXT NOT NULL REFERENCES households(id),
    taken_at     TEXT NOT NULL,
    litres       INTEGER NOT NULL,
    source       TEXT NOT NULL,
    PRIMARY KEY (household_id, taken_at)
) WITHOUT ROWID;

CREATE TABLE work_orders (
    id           TEXT PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    household_id TEXT REFERENCES households(id),
    assignee     TEXT,
    crew_id      TEXT,
    reported_at  TEXT NOT NULL,
    doc          TEXT NOT NULL
);
CREATE INDEX work_orders_assignee ON work_orders(assignee, status);
CREATE INDEX work_orders_crew ON work_orders(crew_id, status);
CREATE INDEX work_orders_household ON work_orders(household_id);

-- Clustered by household and time: a household's timeline is one range read, and an entry
-- costs one b-tree page to write.
CREATE TABLE history (
    household_id TEXT NOT NULL REFERENCES households(id),
    at           TEXT NOT NULL,
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    subject_id   TEXT,
    summary      TEXT NOT NULL,
    PRIMARY KEY (household_id, at, id)
) WITHOUT ROWID;

CREATE TABLE outages (
    id        TEXT PRIMARY KEY,
    starts_at TEXT NOT NULL,
    doc       TEXT NOT NULL
);

-- Local changes waiting to be pushed, in the order they happened. A sequence number is never
-- reused: after the outbox is acknowledged and emptied, `meta.outbox_seq` keeps the last one
-- (cheaper than AUTOINCREMENT, which writes a page of sqlite_sequence on every change). No other
-- index: each costs a page per change; op ids are UUIDv7 made here, unique by construction.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    op_id       TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    device_time TEXT NOT NULL,
    payload     TEXT NOT NULL
);
