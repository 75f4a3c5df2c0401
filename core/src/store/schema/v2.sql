-- Doorstep device store, schema version 2. Released: never edit; add a step instead.

-- Search over customer number, name, phones and address. rowid = households.rowid.
CREATE VIRTUAL TABLE household_search USING fts5(
    customer_number, name, phones, address,
    tokenize = 'trigram'
);

-- Where the technician stood when checking in at a household, and the verdict.
CREATE TABLE check_ins (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    at           TEXT NOT NULL,
    lat          REAL NOT NULL,
    lon          REAL NOT NULL,
    accuracy_m   REAL NOT NULL,
    distance_m   REAL,
    flagged      INTEGER NOT NULL,
    verdict      TEXT NOT NULL
);
CREATE INDEX check_ins_household ON check_ins(household_id, at);
