-- Doorstep device store, schema version 3. Released: never edit; add a step instead.

-- Every template version a form was ever started on, so that a form always finds its exact
-- version, even after the app or the back office publishes a newer one.
CREATE TABLE templates (
    id      TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (id, version)
) WITHOUT ROWID;

CREATE TABLE forms (
    id               TEXT PRIMARY KEY,
    template_id      TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    household_id     TEXT NOT NULL REFERENCES households(id),
    work_order_id    TEXT REFERENCES work_orders(id),
    amends           TEXT REFERENCES forms(id),
    started_at       TEXT NOT NULL,
    sealed_at        TEXT,
    digest           TEXT,
    doc              TEXT NOT NULL,
    FOREIGN KEY (template_id, template_version) REFERENCES templates(id, version)
);
CREATE INDEX forms_household ON forms(household_id, started_at);

-- A sealed form never changes, whatever code or tool touches the file.
CREATE TRIGGER forms_sealed_no_update BEFORE UPDATE ON forms
WHEN OLD.sealed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'form is sealed');
END;

CREATE TRIGGER forms_sealed_no_delete BEFORE DELETE ON forms
WHEN OLD.sealed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'form is sealed');
END;

-- A template version a form was started on never changes either.
CREATE TRIGGER templates_no_update BEFORE UPDATE ON templates
BEGIN
    SELECT RAISE(ABORT, 'template versions are immutable');
END;
