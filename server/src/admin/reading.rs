//! Meter readings imported from the billing system (`doorstep admin reading import`): every
//! line checked, all or nothing, each reading kept as a field reading is; then each household
//! read is analysed for abnormal use, and gets its patrol (`crate::patrols`).

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use doorstep_core::household::MeterReading;
use doorstep_core::household::import::{LineError, parse_readings_csv};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::text::said;

use super::import::import_failed;
use super::{Act, audit, message};
use crate::error::Error;
use crate::records::{child_buckets, save, stored_in};
use crate::storage::{self, Storage};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReadingSummary {
    new: usize,
    updated: usize,
    unchanged: usize,
    /// The patrol orders opened, by number.
    patrols: Vec<String>,
}

impl fmt::Display for ReadingSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.new + self.updated + self.unchanged;
        let patrols = self.patrols.len();
        writeln!(
            f,
            "已导入 {total} 条读数（新增 {}，更新 {}，未变 {}）；开异常用气巡查工单 {patrols} 张",
            self.new, self.updated, self.unchanged
        )?;
        write!(
            f,
            "imported {total} reading{} ({} new, {} updated, {} unchanged); {patrols} abnormal use patrol order{} opened",
            if total == 1 { "" } else { "s" },
            self.new,
            self.updated,
            self.unchanged,
            if patrols == 1 { "" } else { "s" },
        )?;
        for number in &self.patrols {
            write!(f, "\n{number}")?;
        }
        Ok(())
    }
}

pub fn import_readings(
    storage: &dyn Storage,
    file: &Path,
    act: &Act,
) -> Result<ReadingSummary, String> {
    let bytes = std::fs::read(file)
        .map_err(|e| format!("无法读取 / cannot read {}: {e}", file.display()))?;
    let rows = parse_readings_csv(&bytes, act.at).map_err(import_failed)?;
    let mut failed = None;
    let outcome = storage::write(storage, |tx| {
        let mut errors = Vec::new();
        let mut summary = ReadingSummary::default();
        // Every row checked before the first write.
        let mut readings = Vec::new();
        for row in &rows {
            let Some(id) = tx.record_id_by_key(Entity::Household, &row.customer_number)? else {
                errors.push(LineError::new(
                    row.line,
                    "customer_number",
                    said("没有这个用户", "no such household"),
                ));
                continue;
            };
            let Some(household) = tx.record(Entity::Household, &id)?.filter(|r| !r.deleted) else {
                errors.push(LineError::new(
                    row.line,
                    "customer_number",
                    said("没有这个用户", "no such household"),
                ));
                continue;
            };
            let reading = MeterReading {
                household_id: id.parse().map_err(Error::internal)?,
                taken_at: row.taken_at,
                value: row.value,
                source: row.source,
            };
            if let Err(e) = reading.validate(act.at) {
                errors.push(LineError::invalid(row.line, e));
                continue;
            }
            readings.push((household, reading));
        }
        if !errors.is_empty() {
            failed = Some(errors);
            return Err(Error::invalid("the file has errors"));
        }
        let mut read = BTreeSet::new();
        for (household, reading) in readings {
            let record = stored_in(&Record::Reading(reading), child_buckets(&household)?)?;
            let previous = tx.record(Entity::Reading, &record.id)?;
            match &previous {
                Some(p) if p.body == record.body && !p.deleted => summary.unchanged += 1,
                Some(_) => summary.updated += 1,
                None => summary.new += 1,
            }
            if previous
                .as_ref()
                .is_none_or(|p| p.body != record.body || p.deleted)
            {
                let id = record.id.clone();
                save(tx, record, previous.as_ref())?;
                audit(tx, act, "reading_imported", Entity::Reading, &id)?;
            }
            read.insert(household.id.clone());
        }
        for id in &read {
            let Some(household) = tx.record(Entity::Household, id)? else {
                continue;
            };
            if let Some(order) = crate::patrols::patrol_if_abnormal(tx, &household, act.at)? {
                audit(
                    tx,
                    act,
                    "patrol_opened",
                    Entity::WorkOrder,
                    &order.id.to_string(),
                )?;
                summary.patrols.push(order.number);
            }
        }
        Ok(summary)
    });
    match (outcome, failed) {
        (_, Some(errors)) => Err(import_failed(errors)),
        (Ok(summary), None) => Ok(summary),
        (Err(e), None) => Err(format!(
            "{}; nothing was imported（文件中的内容均未导入）",
            message(e)
        )),
    }
}
