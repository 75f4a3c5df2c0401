//! Households imported from the utility's CSV export: every line checked, all or nothing.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use doorstep_core::household::import::{LineError, merge, parse_household_csv};
use doorstep_core::household::{HistoryEvent, HistoryKind, Household};
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::text::said;

use crate::error::{Error, Result};
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage};

use super::*;

// Reading the file is the core's (`doorstep_core::household::import`); here the rows meet the
// database.

pub use doorstep_core::household::import::HOUSEHOLD_COLUMNS;

/// The most problems one failed import reports.
pub(super) const MAX_REPORTED: usize = 100;

#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct ImportSummary {
    new: usize,
    updated: usize,
    unchanged: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Chinese first (the service center reads it), English on the next line.
        let total = self.new + self.updated + self.unchanged;
        writeln!(
            f,
            "已导入 {total} 户（新增 {}，更新 {}，未变 {}）",
            self.new, self.updated, self.unchanged
        )?;
        write!(
            f,
            "imported {total} household{} ({} new, {} updated, {} unchanged)",
            if total == 1 { "" } else { "s" },
            self.new,
            self.updated,
            self.unchanged
        )
    }
}

/// Every problem of a failed import, one per line, and the verdict.
pub(super) fn import_failed(mut errors: Vec<LineError>) -> String {
    errors.sort_by_key(|e| e.line);
    let total = errors.len();
    // Each problem in Chinese, then in English.
    let mut text: Vec<String> = errors
        .iter()
        .take(MAX_REPORTED)
        .map(|e| format!("{}\n  {e}", e.zh()))
        .collect();
    if total > MAX_REPORTED {
        let more = total - MAX_REPORTED;
        text.push(format!("……另有 {more} 处问题 / … and {more} more problems"));
    }
    text.push(format!("发现 {total} 处问题，文件中的内容均未导入"));
    text.push(format!(
        "{total} problem{} found; nothing was imported",
        if total == 1 { "" } else { "s" }
    ));
    text.join("\n")
}

pub(super) fn import_households(
    storage: &dyn Storage,
    file: &Path,
    act: &Act,
) -> Result<ImportSummary, String> {
    let bytes = std::fs::read(file)
        .map_err(|e| format!("无法读取 / cannot read {}: {e}", file.display()))?;
    let now = act.at;
    let rows = parse_household_csv(&bytes, now).map_err(import_failed)?;
    // The day in China, wherever the server's clock is set.
    let today = doorstep_core::calendar::local_date(now);
    // The checks that need the database run inside the one transaction that writes the rows,
    // all of them before the first write; a failure rolls the transaction back.
    let mut failed = None;
    let outcome = storage::write(storage, |tx| {
        let mut errors = Vec::new();
        let mut districts: HashMap<DistrictId, bool> = HashMap::new();
        let mut changes = Vec::new();
        let mut summary = ImportSummary::default();
        for row in &rows {
            let existing = match tx.record_id_by_key(Entity::Household, &row.customer_number)? {
                Some(id) => match tx.record(Entity::Household, &id)? {
                    Some(r) => Some(decode::<Household>(&r)?),
                    None => None,
                },
                None => None,
            };
            if let Some(d) = row.district_id {
                let known = match districts.get(&d) {
                    Some(known) => *known,
                    None => {
                        let known = exists(tx, Entity::District, &d.to_string())?;
                        districts.insert(d, known);
                        known
                    }
                };
                if !known {
                    errors.push(LineError::new(
                        row.line,
                        "district_id",
                        said("没有这个片区", "no such district"),
                    ));
                    continue;
                }
            }
            let household = merge(existing.as_ref(), row, today);
            if let Err(e) = household.validate() {
                errors.push(LineError::invalid(row.line, e));
                continue;
            }
            match &existing {
                Some(old) if *old == household => summary.unchanged += 1,
                Some(_) => {
                    summary.updated += 1;
                    changes.push(("household_updated", household));
                }
                None => {
                    summary.new += 1;
                    changes.push(("household_created", household));
                }
            }
        }
        if !errors.is_empty() {
            failed = Some(errors);
            return Err(Error::invalid("the file has errors"));
        }
        for (action, household) in changes.drain(..) {
            let id = household.id.to_string();
            // An update of a file the phones hold is news on its timeline; a new file is the
            // household itself.
            let line = (action == "household_updated").then(|| {
                HistoryEvent::line(
                    household.id,
                    act.at,
                    HistoryKind::FileUpdated,
                    None,
                    &said("户档已由营业厅更新", "household file updated by the office"),
                )
            });
            let stored = put_from_office(tx, &Record::Household(Box::new(household)))?;
            crate::history::keep(tx, &stored, line.into_iter().collect())?;
            audit(tx, act, action, Entity::Household, &id)?;
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
