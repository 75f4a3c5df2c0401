-- Doorstep device store, schema version 6: a household's timeline in both languages.
-- Released: never edit; add a step instead.

-- The Chinese of each timeline line (`summary` keeps the English). Lines written before
-- version 6 have none: they were written in English only and are shown so.
ALTER TABLE history ADD COLUMN summary_zh TEXT;
