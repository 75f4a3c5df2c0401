//! The day's settlement of a technician's fees (日清日结, Art.14): the receipts of their
//! sealed forms of the day against what they handed over. The rule is the core's
//! (`doorstep_core::fees::settle`); a settlement is kept as it was made, discrepancies and all.

use std::collections::BTreeMap;

use doorstep_core::fees::{Collection, PaymentMethod, Settlement, day_bounds, settle};
use doorstep_core::ids::TechnicianId;
use doorstep_core::sync::protocol::{Entity, Record};

use crate::error::{Error, Result};
use crate::records::{decode, put_from_office};
use crate::storage::{self, Storage, StoredRecord};

use super::*;

pub(crate) fn settle_day(
    storage: &dyn Storage,
    args: SettleDay,
    act: &Act,
) -> Result<String, String> {
    let (Some(technician), Some(day)) = (args.technician, args.day) else {
        return Err("请给出 --technician 和 --day / give --technician and --day".into());
    };
    let declared = BTreeMap::from([
        (PaymentMethod::Cash, args.cash),
        (PaymentMethod::WechatPay, args.wechat),
        (PaymentMethod::Alipay, args.alipay),
        (PaymentMethod::BankCard, args.bank_card),
    ]);
    let settlement =
        settle_technician_day(storage, technician, day, &declared, act).map_err(|e| match e {
            Error::InvalidInput(e) => settle_option(e),
            e => message(e),
        })?;
    Ok(settlement_report(&settlement))
}

/// Settles `technician`'s `day` against what was `declared` handed over (fen per method), as
/// `admin settle` and the console's settlement page do: the receipts of the day from the
/// ledger, the core's rule, the settlement kept and audited (`day_settled`). A day settled
/// already is refused; a refused amount is an [`Error::InvalidInput`] naming
/// `settlement.declared.<method>`.
pub(crate) fn settle_technician_day(
    storage: &dyn Storage,
    technician: TechnicianId,
    day: chrono::NaiveDate,
    declared: &BTreeMap<PaymentMethod, i64>,
    act: &Act,
) -> Result<Settlement> {
    let by = act.actor.to_string();
    storage::write(storage, |tx| {
        require(
            tx,
            Entity::Technician,
            &technician.to_string(),
            "technician",
        )?;
        let (from, to) = day_bounds(day);
        let collections = tx
            .receipts_between(&technician.to_string(), from, to)?
            .into_iter()
            .map(|r| {
                Ok(Collection {
                    form_id: r.form_id.parse().map_err(Error::from)?,
                    technician_id: technician,
                    sealed_at: r.sealed_at,
                    method: PaymentMethod::parse("method", &r.method).map_err(Error::internal)?,
                    receipt: r.receipt,
                    total_fen: r.total_fen,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let settlement = settle(technician, day, &collections, declared.clone(), act.at, &by)?;
        if tx
            .record_id_by_key(Entity::Settlement, &settlement.key())?
            .is_some()
        {
            return Err(Error::Conflict(
                "这一天已日结 / this technician's day is settled already".into(),
            ));
        }
        put_from_office(tx, &Record::Settlement(Box::new(settlement.clone())))?;
        audit(
            tx,
            act,
            "day_settled",
            Entity::Settlement,
            &settlement.id.to_string(),
        )?;
        Ok(settlement)
    })
}

fn settle_option(e: doorstep_core::InvalidInput) -> String {
    let option = match e.field.as_str() {
        "settlement.day" => "--day",
        "settlement.declared.cash" => "--cash",
        "settlement.declared.wechat_pay" => "--wechat",
        "settlement.declared.alipay" => "--alipay",
        "settlement.declared.bank_card" => "--bank-card",
        _ => return e.to_string(),
    };
    invalid_option(option, e)
}

/// What `settle` prints: a line per method (collected, declared, difference, in fen), the
/// receipts, and the balance.
pub(super) fn settlement_report(s: &Settlement) -> String {
    let mut lines = vec![tsv(&[
        "method".into(),
        "collected_fen".into(),
        "declared_fen".into(),
        "difference_fen".into(),
    ])];
    for method in PaymentMethod::ALL {
        let collected = s.collected.by_method.get(&method).copied().unwrap_or(0);
        let declared = s.declared.get(&method).copied().unwrap_or(0);
        lines.push(tsv(&[
            method.as_str().into(),
            collected.to_string(),
            declared.to_string(),
            (declared - collected).to_string(),
        ]));
    }
    lines.push(tsv(&["receipts".into(), s.collected.receipts.join(",")]));
    lines.push(tsv(&[
        "total_fen".into(),
        s.collected.total_fen.to_string(),
    ]));
    lines.push(tsv(&["balance".into(), balance(s)]));
    lines.push(tsv(&["settlement".into(), s.id.to_string()]));
    lines.join("\n")
}

/// `balanced`, or `DISCREPANCY <declared - collected, in fen>`.
fn balance(s: &Settlement) -> String {
    if s.balances() {
        "balanced".into()
    } else {
        let difference: i64 = s.discrepancies.iter().map(|d| d.difference_fen).sum();
        format!("DISCREPANCY {difference}")
    }
}

fn settlement_line(record: &StoredRecord) -> Result<Settlement> {
    decode(record)
}

/// The settlements kept (of `technician`, or everyone's), by day then technician: what `settle
/// list` prints and the console's settlement page shows.
pub(crate) fn settlements(
    tx: &mut dyn crate::storage::Tx,
    technician: Option<TechnicianId>,
) -> Result<Vec<Settlement>> {
    let mut found = Vec::new();
    let mut after = String::new();
    loop {
        let page = tx.records(Entity::Settlement, &after, 500)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for record in page.iter().filter(|r| !r.deleted) {
            found.push(settlement_line(record)?);
        }
    }
    found.retain(|s: &Settlement| technician.is_none_or(|t| s.technician_id == t));
    found.sort_by_key(|s| (s.day, s.technician_id));
    Ok(found)
}

pub(super) fn print_settlements(
    storage: &dyn Storage,
    technician: Option<TechnicianId>,
) -> Result<(), String> {
    let settlements = storage::read(storage, |tx| settlements(tx, technician)).map_err(message)?;
    for s in settlements {
        let declared: i64 = s.declared.values().sum();
        println!(
            "{}",
            tsv(&[
                s.id.to_string(),
                s.day.to_string(),
                s.technician_id.to_string(),
                s.collected.total_fen.to_string(),
                declared.to_string(),
                balance(&s),
                s.settled_by.clone(),
            ])
        );
    }
    Ok(())
}
