//! Fees collected on site (Art.14) and planned outages (Art.7(2)), as the phone sees them: the
//! charges a form carries, what the technician collected today, and how a household was told
//! of an outage. Money crosses as whole fen (`i64`), never a float.

use doorstep_core::fees as core_fees;
pub use doorstep_core::fees::PaymentMethod;
pub use doorstep_core::outage::NotifiedHow;

use super::parse_id;
use crate::error::Result;

#[uniffi::remote(Enum)]
pub enum PaymentMethod {
    Cash,
    WechatPay,
    Alipay,
    BankCard,
}

#[uniffi::remote(Enum)]
pub enum NotifiedHow {
    Phone,
    Sms,
    NoticePosted,
    Visit,
}

/// One charged item: quantity × unit price, in fen.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChargeLine {
    pub item: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
}

/// What a form says was charged and collected: a mirror of the core's `Charges` whose
/// collector crosses as its id's text. The core checks it (`charges.lines[1].quantity`, …).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ChargesValue {
    pub lines: Vec<ChargeLine>,
    pub method: Option<PaymentMethod>,
    pub receipt: Option<String>,
    /// The technician who took the money (their id).
    pub collected_by: String,
}

impl ChargesValue {
    pub(crate) fn to_core(&self) -> Result<core_fees::Charges> {
        Ok(core_fees::Charges {
            lines: self
                .lines
                .iter()
                .map(|l| core_fees::ChargeLine {
                    item: l.item.clone(),
                    quantity: l.quantity,
                    unit_price_fen: l.unit_price_fen,
                })
                .collect(),
            method: self.method,
            receipt: self.receipt.clone(),
            collected_by: parse_id("charges.collected_by", &self.collected_by)?,
        })
    }
}

impl From<core_fees::Charges> for ChargesValue {
    fn from(c: core_fees::Charges) -> Self {
        Self {
            lines: c
                .lines
                .into_iter()
                .map(|l| ChargeLine {
                    item: l.item,
                    quantity: l.quantity,
                    unit_price_fen: l.unit_price_fen,
                })
                .collect(),
            method: c.method,
            receipt: c.receipt,
            collected_by: c.collected_by.to_string(),
        }
    }
}

/// What was collected with one method.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MethodTotal {
    pub method: PaymentMethod,
    pub total_fen: i64,
}

/// What the technician collected on a day: what they hand over at the day's settlement.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DayCollected {
    /// One line per method money was collected with.
    pub by_method: Vec<MethodTotal>,
    /// The receipts given, in the order the forms were sealed.
    pub receipts: Vec<String>,
    pub total_fen: i64,
}

impl From<core_fees::DayTotals> for DayCollected {
    fn from(t: core_fees::DayTotals) -> Self {
        Self {
            by_method: t
                .by_method
                .into_iter()
                .map(|(method, total_fen)| MethodTotal { method, total_fen })
                .collect(),
            receipts: t.receipts,
            total_fen: t.total_fen,
        }
    }
}

/// A day the phone names (`YYYY-MM-DD`), for the day's collections.
pub(crate) fn collection_day(text: &str) -> Result<chrono::NaiveDate> {
    super::parse_day("day", text)
}
