//! Meter readings on the device: the technician's, the office's and those a sealed form
//! gives, all written by one function ([`write_reading`]).

use chrono::Utc;
use rusqlite::{Connection, params};

use super::households::{append_history, ensure_household};
use super::{Store, parse_named, ts};
use crate::error::{Error, Result};
use crate::household::{HistoryKind, MeterReading, ReadingSource, Volume};
use crate::ids::HouseholdId;
use crate::sync::protocol::Operation;
use crate::text::Text;

impl Store {
    /// Stores meter readings received from the back office (no outbox entries).
    pub fn receive_readings(&mut self, readings: &[MeterReading]) -> Result<()> {
        self.receive(|tx| {
            for r in readings {
                write_reading(tx, r, SameMoment::Replace)?;
            }
            Ok(())
        })
    }

    /// The latest `limit` readings of a household, newest first.
    pub fn readings(&self, id: HouseholdId, limit: usize) -> Result<Vec<MeterReading>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT taken_at, litres, source FROM meter_readings WHERE household_id = ?1 ORDER BY taken_at DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id, limit as i64], |r| {
            Ok(MeterReading {
                household_id: id,
                taken_at: r.get(0)?,
                value: Volume::from_litres(r.get(1)?),
                source: parse_named(
                    &ReadingSource::ALL,
                    ReadingSource::as_str,
                    &r.get::<_, String>(2)?,
                )?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Records a reading the technician took; a reading in the future or a second reading at
    /// the same moment is refused.
    pub fn record_meter_reading(&mut self, reading: &MeterReading) -> Result<()> {
        reading.validate(Utc::now())?;
        self.change(|c| {
            ensure_household(c, reading.household_id)?;
            if !write_reading(c, reading, SameMoment::Keep)? {
                return Err(Error::Duplicate {
                    what: "meter reading at that time",
                });
            }
            append_history(
                c,
                reading.household_id,
                reading.taken_at,
                HistoryKind::MeterReading,
                None,
                &meter_read(reading.value),
            )?;
            c.append(&Operation::MeterReadingRecorded {
                reading: reading.clone(),
            })?;
            Ok(())
        })
    }
}

/// What becomes of a reading already stored for the same household and moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SameMoment {
    /// Replaced: the office's copy, or the one a sealed form (or its amendment) gives.
    Replace,
    /// Kept, and the new one not written: a technician's second reading at that moment.
    Keep,
}

/// Stores a meter reading; returns whether it was written.
pub(super) fn write_reading(
    conn: &Connection,
    reading: &MeterReading,
    same: SameMoment,
) -> Result<bool> {
    let sql = match same {
        SameMoment::Replace => {
            "INSERT OR REPLACE INTO meter_readings(household_id, taken_at, litres, source)
             VALUES (?1, ?2, ?3, ?4)"
        }
        SameMoment::Keep => {
            "INSERT OR IGNORE INTO meter_readings(household_id, taken_at, litres, source)
             VALUES (?1, ?2, ?3, ?4)"
        }
    };
    let written = conn.prepare_cached(sql)?.execute(params![
        reading.household_id,
        ts(&reading.taken_at),
        reading.value.litres(),
        reading.source.as_str()
    ])?;
    Ok(written > 0)
}

/// The timeline's line for a meter reading.
pub(super) fn meter_read(value: Volume) -> Text {
    crate::household::meter_read(value)
}
