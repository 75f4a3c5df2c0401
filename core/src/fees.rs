//! Fees collected on site (Art.14) and the day's settlement per technician (日清日结).
//!
//! A repair closing or an acceptance may carry [`Charges`]: lines of item, quantity and unit
//! price in fen (integers: money is never a float), how the customer paid (recorded only: there
//! is no payment integration) and the receipt number. At the end of a day each technician hands
//! over what was collected; [`settle`] compares what the sealed forms say was collected, by
//! method, with what was declared, and keeps every difference as a [`Discrepancy`]: never fixed
//! silently.
//!
//! Everything here is plain data: the server and the device extract the charges of their sealed
//! forms ([`Collection`]) and call these rules.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::calendar::service_timezone;
use crate::ids::{FormId, SettlementId, TechnicianId};
use crate::text::said;

/// The most lines one form's charges may hold, and the longest item name and receipt number.
pub const MAX_CHARGE_LINES: usize = 50;
pub const MAX_ITEM_CHARS: usize = 100;
pub const MAX_RECEIPT_CHARS: usize = 32;

/// How the customer paid. Recorded only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    WechatPay,
    Alipay,
    BankCard,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 4] = [
        PaymentMethod::Cash,
        PaymentMethod::WechatPay,
        PaymentMethod::Alipay,
        PaymentMethod::BankCard,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::WechatPay => "wechat_pay",
            PaymentMethod::Alipay => "alipay",
            PaymentMethod::BankCard => "bank_card",
        }
    }

    /// A method as the phone or the office names it; an unknown one is refused naming `field`.
    pub fn parse(field: &str, text: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| {
                InvalidInput::new(
                    field,
                    said(
                        "收费方式须为 cash、wechat_pay、alipay 或 bank_card",
                        "the payment method must be cash, wechat_pay, alipay or bank_card",
                    ),
                )
            })
    }
}

/// One charged item: `quantity` × `unit_price_fen`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeLine {
    pub item: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
}

impl ChargeLine {
    /// The line's total in fen; an overflow is refused, never wrapped.
    pub fn total_fen(&self) -> Option<i64> {
        self.quantity.checked_mul(self.unit_price_fen)
    }
}

/// What a form says was charged and collected at the door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charges {
    pub lines: Vec<ChargeLine>,
    /// How the money was paid; needed once money was collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<PaymentMethod>,
    /// The number of the receipt given to the customer; needed once money was collected, and
    /// used once only (the server refuses a second sealed form with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// The technician who took the money (and hands it over at the day's settlement).
    pub collected_by: TechnicianId,
}

impl Charges {
    /// The sum of the lines in fen; `None` if a line or the sum overflows.
    pub fn total_fen(&self) -> Option<i64> {
        self.lines
            .iter()
            .try_fold(0i64, |sum, line| sum.checked_add(line.total_fen()?))
    }

    /// The charges' rules, each refusal naming its field (`charges.lines[1].quantity`): every
    /// line names an item, counts at least one and costs zero fen or more; no total overflows;
    /// money collected names how it was paid and its receipt.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        if self.lines.len() > MAX_CHARGE_LINES {
            return Err(InvalidInput::new(
                "charges.lines",
                said(
                    format!("收费项目最多{MAX_CHARGE_LINES}行"),
                    format!("at most {MAX_CHARGE_LINES} charge lines"),
                ),
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            let at = |field: &str| format!("charges.lines[{i}].{field}");
            let item = line.item.trim();
            if item.is_empty() || item.chars().count() > MAX_ITEM_CHARS {
                return Err(InvalidInput::new(
                    at("item"),
                    said(
                        format!("收费项目名称须为1到{MAX_ITEM_CHARS}字"),
                        format!(
                            "the item charged needs a name of 1 to {MAX_ITEM_CHARS} characters"
                        ),
                    ),
                ));
            }
            if line.quantity <= 0 {
                return Err(InvalidInput::new(
                    at("quantity"),
                    said("数量须至少为1", "the quantity must be at least 1"),
                ));
            }
            if line.unit_price_fen < 0 {
                return Err(InvalidInput::new(
                    at("unit_price_fen"),
                    said(
                        "单价不能为负数（退款不在上门收费中处理）",
                        "the unit price cannot be negative (refunds are not collected at the door)",
                    ),
                ));
            }
            if line.total_fen().is_none() {
                return Err(InvalidInput::new(
                    at("total"),
                    said(
                        "数量乘以单价超出可记录的金额",
                        "quantity times unit price is beyond any amount that can be recorded",
                    ),
                ));
            }
        }
        let Some(total) = self.total_fen() else {
            return Err(InvalidInput::new(
                "charges.total",
                said(
                    "合计超出可记录的金额",
                    "the total is beyond any amount that can be recorded",
                ),
            ));
        };
        if total > 0 {
            if self.method.is_none() {
                return Err(InvalidInput::new(
                    "charges.method",
                    said(
                        "已收费，请选择收费方式",
                        "money was collected: say how it was paid",
                    ),
                ));
            }
            if self.receipt.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(InvalidInput::new(
                    "charges.receipt",
                    said(
                        "已收费，请填写收据编号",
                        "money was collected: give the receipt number",
                    ),
                ));
            }
        }
        if let Some(receipt) = &self.receipt {
            check_receipt(receipt)?;
        }
        Ok(())
    }

    /// The receipt number of money collected, as it is kept unique (trimmed).
    pub fn receipt_number(&self) -> Option<&str> {
        self.receipt
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

fn check_receipt(receipt: &str) -> Result<(), InvalidInput> {
    let r = receipt.trim();
    let ok = r.chars().count() <= MAX_RECEIPT_CHARS
        && r.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '/');
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::new(
            "charges.receipt",
            said(
                format!("收据编号最多{MAX_RECEIPT_CHARS}个字符，只含字母、数字和 - _ /"),
                format!(
                    "a receipt number is at most {MAX_RECEIPT_CHARS} characters of letters, digits and - _ /"
                ),
            ),
        ))
    }
}

/// The money one sealed form collected, as the settlement counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    pub form_id: FormId,
    pub technician_id: TechnicianId,
    pub sealed_at: DateTime<Utc>,
    pub method: PaymentMethod,
    pub receipt: String,
    pub total_fen: i64,
}

impl Collection {
    /// What a sealed form's charges collected: `None` when no money changed hands.
    pub fn of(form_id: FormId, sealed_at: DateTime<Utc>, charges: &Charges) -> Option<Self> {
        let total_fen = charges.total_fen().filter(|t| *t > 0)?;
        Some(Self {
            form_id,
            technician_id: charges.collected_by,
            sealed_at,
            method: charges.method?,
            receipt: charges.receipt_number()?.to_owned(),
            total_fen,
        })
    }
}

/// When the service day `day` (Asia/Shanghai) starts and ends, in UTC: `[start, end)`.
pub fn day_bounds(day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = day
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(service_timezone())
        .single()
        .expect("a fixed offset has one midnight")
        .with_timezone(&Utc);
    (start, start + Duration::days(1))
}

/// What a technician collected on a day, by method, with the receipts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayTotals {
    /// Fen per method; a method nothing was collected with is absent.
    pub by_method: BTreeMap<PaymentMethod, i64>,
    /// The receipts, in the order the forms were sealed.
    pub receipts: Vec<String>,
    pub total_fen: i64,
}

/// The totals of `technician`'s collections sealed on `day` (Asia/Shanghai); the others are
/// left out. `None` if a sum overflows (no day collects 92 quadrillion yuan: a corrupt record).
pub fn day_totals(
    technician: TechnicianId,
    day: NaiveDate,
    collections: &[Collection],
) -> Option<DayTotals> {
    let (start, end) = day_bounds(day);
    let mut of_day: Vec<&Collection> = collections
        .iter()
        .filter(|c| c.technician_id == technician && c.sealed_at >= start && c.sealed_at < end)
        .collect();
    of_day.sort_by_key(|c| (c.sealed_at, c.form_id));
    let mut totals = DayTotals::default();
    for c in of_day {
        let by = totals.by_method.entry(c.method).or_insert(0);
        *by = by.checked_add(c.total_fen)?;
        totals.total_fen = totals.total_fen.checked_add(c.total_fen)?;
        totals.receipts.push(c.receipt.clone());
    }
    Some(totals)
}

/// What was declared handed over and what the forms say, for one method, when they differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discrepancy {
    pub method: PaymentMethod,
    pub collected_fen: i64,
    pub declared_fen: i64,
    /// `declared - collected`: negative when less was handed over than collected.
    pub difference_fen: i64,
}

/// One technician's settlement of one day: kept as it was made, discrepancies and all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub id: SettlementId,
    pub technician_id: TechnicianId,
    pub day: NaiveDate,
    pub collected: DayTotals,
    /// What was handed over, per method (fen).
    pub declared: BTreeMap<PaymentMethod, i64>,
    pub discrepancies: Vec<Discrepancy>,
    pub settled_at: DateTime<Utc>,
    /// Who recorded it: the office operator, or the technician.
    pub settled_by: String,
}

impl Settlement {
    /// The unique key of a settlement: one per technician and day.
    pub fn key(&self) -> String {
        format!("{}/{}", self.technician_id, self.day)
    }

    pub fn balances(&self) -> bool {
        self.discrepancies.is_empty()
    }
}

/// Settles `technician`'s `day`: what the collections say against what was `declared` handed
/// over. A day not over yet (in Asia/Shanghai) is refused, and so is a negative declaration;
/// every method whose amounts differ gets a [`Discrepancy`].
pub fn settle(
    technician: TechnicianId,
    day: NaiveDate,
    collections: &[Collection],
    declared: BTreeMap<PaymentMethod, i64>,
    now: DateTime<Utc>,
    by: &str,
) -> Result<Settlement, InvalidInput> {
    if now < day_bounds(day).1 {
        return Err(InvalidInput::new(
            "settlement.day",
            said(
                "这一天还没有结束，不能日结",
                "the day is not over yet: it cannot be settled",
            ),
        ));
    }
    if let Some((method, _)) = declared.iter().find(|(_, fen)| **fen < 0) {
        return Err(InvalidInput::new(
            format!("settlement.declared.{}", method.as_str()),
            said(
                "上交金额不能为负数",
                "an amount handed over cannot be negative",
            ),
        ));
    }
    let collected = day_totals(technician, day, collections).ok_or_else(|| {
        InvalidInput::new(
            "settlement.collected",
            said(
                "当日收费合计超出可记录的金额",
                "the day's collections add up beyond any amount that can be recorded",
            ),
        )
    })?;
    let discrepancies = PaymentMethod::ALL
        .into_iter()
        .filter_map(|method| {
            let collected_fen = collected.by_method.get(&method).copied().unwrap_or(0);
            let declared_fen = declared.get(&method).copied().unwrap_or(0);
            (collected_fen != declared_fen).then(|| Discrepancy {
                method,
                collected_fen,
                declared_fen,
                // Both are at least 0 and at most i64::MAX: the difference cannot overflow.
                difference_fen: declared_fen - collected_fen,
            })
        })
        .collect();
    Ok(Settlement {
        id: SettlementId::new(),
        technician_id: technician,
        day,
        collected,
        declared: declared.into_iter().filter(|(_, fen)| *fen > 0).collect(),
        discrepancies,
        settled_at: now,
        settled_by: by.to_owned(),
    })
}

/// Fen as yuan for a person to read: `12345` is `123.45`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Yuan as a person types them (`35`, `35.5`, `35.00`) in fen: digits, at most two decimals,
/// zero or more; the one parser of a typed price (the inverse of [`yuan`] on what it writes).
pub fn parse_yuan(text: &str) -> Result<i64, InvalidInput> {
    let refuse = || {
        InvalidInput::new(
            "unit_price",
            said(
                "单价须为元，最多两位小数（如 35.00）",
                "the price is in yuan with at most two decimals (like 35.00)",
            ),
        )
    };
    let t = text.trim();
    let (whole, cents) = match t.split_once('.') {
        Some((w, c)) => (w, Some(c)),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || cents.is_some_and(|c| !digits(c) || c.len() > 2) {
        return Err(refuse());
    }
    let whole: i64 = whole.parse().map_err(|_| refuse())?;
    let cents = match cents {
        Some(c) if c.len() == 1 => c.parse::<i64>().map_err(|_| refuse())? * 10,
        Some(c) => c.parse::<i64>().map_err(|_| refuse())?,
        None => 0,
    };
    whole
        .checked_mul(100)
        .and_then(|f| f.checked_add(cents))
        .ok_or_else(refuse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn line(item: &str, quantity: i64, unit_price_fen: i64) -> ChargeLine {
        ChargeLine {
            item: item.into(),
            quantity,
            unit_price_fen,
        }
    }

    fn charges(lines: Vec<ChargeLine>) -> Charges {
        Charges {
            lines,
            method: Some(PaymentMethod::Cash),
            receipt: Some("R-0001".into()),
            collected_by: TechnicianId::new(),
        }
    }

    #[test]
    fn a_price_typed_in_yuan_is_read_in_fen_and_an_unfinished_one_is_refused() {
        assert_eq!(parse_yuan("35").unwrap(), 3500);
        assert_eq!(parse_yuan("35.5").unwrap(), 3550);
        assert_eq!(parse_yuan(" 35.00 ").unwrap(), 3500);
        assert_eq!(parse_yuan("0.05").unwrap(), 5);
        for bad in [
            "",
            "35.",
            ".5",
            "35.001",
            "-1",
            "3 5",
            "¥35",
            "1e3",
            "99999999999999999999",
        ] {
            assert!(parse_yuan(bad).is_err(), "{bad:?} parsed");
        }
    }

    proptest! {
        #[test]
        fn every_amount_written_in_yuan_reads_back_to_its_fen(fen in 0i64..=i64::MAX) {
            prop_assert_eq!(parse_yuan(&yuan(fen)).unwrap(), fen);
        }
    }

    #[test]
    fn a_repair_charged_at_the_published_prices_adds_its_lines_in_fen() {
        let c = charges(vec![line("灶前阀", 1, 3500), line("软管(米)", 2, 1200)]);
        c.validate().unwrap();
        assert_eq!(c.total_fen(), Some(5900));
        assert_eq!(yuan(5900), "59.00");
        assert_eq!(yuan(-5), "-0.05");
    }

    #[test]
    fn a_negative_price_a_zero_quantity_or_an_overflowing_line_is_refused_naming_the_field() {
        for (lines, field) in [
            (vec![line("阀", 0, 100)], "charges.lines[0].quantity"),
            (
                vec![line("阀", 1, 1), line("阀", -1, 100)],
                "charges.lines[1].quantity",
            ),
            (vec![line("阀", 1, -100)], "charges.lines[0].unit_price_fen"),
            (vec![line(" ", 1, 100)], "charges.lines[0].item"),
            (vec![line("阀", i64::MAX, 2)], "charges.lines[0].total"),
            (
                vec![line("阀", 1, i64::MAX), line("阀", 1, 1)],
                "charges.total",
            ),
        ] {
            assert_eq!(charges(lines).validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn money_collected_without_a_receipt_or_a_method_is_refused() {
        let mut c = charges(vec![line("阀", 1, 100)]);
        c.receipt = Some("  ".into());
        assert_eq!(c.validate().unwrap_err().field, "charges.receipt");
        c.receipt = None;
        assert_eq!(c.validate().unwrap_err().field, "charges.receipt");
        c.receipt = Some("R1".into());
        c.method = None;
        assert_eq!(c.validate().unwrap_err().field, "charges.method");
        // A free repair needs neither.
        let free = Charges {
            lines: vec![line("检查", 1, 0)],
            method: None,
            receipt: None,
            collected_by: TechnicianId::new(),
        };
        free.validate().unwrap();
        assert_eq!(Collection::of(FormId::new(), Utc::now(), &free), None);
    }

    #[test]
    fn an_unknown_payment_method_is_refused_naming_the_field() {
        assert_eq!(
            PaymentMethod::parse("charges.method", "wechat_pay").unwrap(),
            PaymentMethod::WechatPay
        );
        assert_eq!(
            PaymentMethod::parse("charges.method", "bitcoin")
                .unwrap_err()
                .field,
            "charges.method"
        );
        let json = r#"{"lines":[],"method":"bitcoin","collected_by":"0190f3a0-0000-7000-8000-000000000000"}"#;
        assert!(serde_json::from_str::<Charges>(json).is_err());
    }

    fn collection(
        t: TechnicianId,
        at: DateTime<Utc>,
        method: PaymentMethod,
        fen: i64,
    ) -> Collection {
        Collection {
            form_id: FormId::new(),
            technician_id: t,
            sealed_at: at,
            method,
            receipt: format!("R{fen}"),
            total_fen: fen,
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn the_days_settlement_counts_the_technicians_forms_of_that_beijing_day_by_method() {
        let t = TechnicianId::new();
        let other = TechnicianId::new();
        let beijing = |d, h| Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
        let all = [
            // 00:30 Beijing time on the 1st is still the 30th in UTC.
            collection(
                t,
                Utc.with_ymd_and_hms(2026, 11, 30, 16, 30, 0).unwrap(),
                PaymentMethod::Cash,
                12000,
            ),
            collection(t, beijing(1, 3), PaymentMethod::WechatPay, 3000),
            collection(t, beijing(1, 5), PaymentMethod::Cash, 500),
            // 00:10 on the 2nd, Beijing time: the next day.
            collection(
                t,
                Utc.with_ymd_and_hms(2026, 12, 1, 16, 10, 0).unwrap(),
                PaymentMethod::Cash,
                7,
            ),
            collection(other, beijing(1, 4), PaymentMethod::Cash, 999),
            // 23:00 on the 30th, Beijing time: the day before.
            collection(
                t,
                Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap(),
                PaymentMethod::Cash,
                1,
            ),
        ];
        let totals = day_totals(t, day(), &all).unwrap();
        assert_eq!(totals.by_method[&PaymentMethod::Cash], 12500);
        assert_eq!(totals.by_method[&PaymentMethod::WechatPay], 3000);
        assert_eq!(totals.total_fen, 15500);
        assert_eq!(totals.receipts, vec!["R12000", "R3000", "R500"]);
    }

    #[test]
    fn a_shortfall_at_settlement_is_kept_as_a_discrepancy_never_fixed() {
        let t = TechnicianId::new();
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap();
        let all = [
            collection(t, at, PaymentMethod::Cash, 12000),
            collection(t, at, PaymentMethod::Alipay, 3000),
        ];
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 1, 0, 0).unwrap();
        let declared =
            BTreeMap::from([(PaymentMethod::Cash, 11000), (PaymentMethod::Alipay, 3000)]);
        let s = settle(t, day(), &all, declared, now, "office").unwrap();
        assert!(!s.balances());
        assert_eq!(
            s.discrepancies,
            vec![Discrepancy {
                method: PaymentMethod::Cash,
                collected_fen: 12000,
                declared_fen: 11000,
                difference_fen: -1000,
            }]
        );
        assert_eq!(s.collected.by_method[&PaymentMethod::Cash], 12000);
        let exact = BTreeMap::from([(PaymentMethod::Cash, 12000), (PaymentMethod::Alipay, 3000)]);
        assert!(
            settle(t, day(), &all, exact, now, "office")
                .unwrap()
                .balances()
        );
    }

    #[test]
    fn a_settlement_for_a_day_not_over_is_refused() {
        let t = TechnicianId::new();
        // 23:59 Beijing time on the day itself.
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 15, 59, 0).unwrap();
        let err = settle(t, day(), &[], BTreeMap::new(), now, "office").unwrap_err();
        assert_eq!(err.field, "settlement.day");
        let negative = BTreeMap::from([(PaymentMethod::Cash, -1)]);
        let later = now + Duration::minutes(1);
        assert_eq!(
            settle(t, day(), &[], negative, later, "office")
                .unwrap_err()
                .field,
            "settlement.declared.cash"
        );
        settle(t, day(), &[], BTreeMap::new(), later, "office").unwrap();
    }

    fn method() -> impl Strategy<Value = PaymentMethod> {
        prop::sample::select(PaymentMethod::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn totals_by_method_always_add_up_to_the_sum_of_the_lines(
            forms in prop::collection::vec(
                (prop::collection::vec((1i64..1000, 0i64..1_000_000), 1..8), method(), 0i64..86_400),
                0..30,
            ),
        ) {
            let t = TechnicianId::new();
            let (start, _) = day_bounds(day());
            let mut sum_of_lines = 0i64;
            let collections: Vec<Collection> = forms
                .iter()
                .enumerate()
                .filter_map(|(i, (lines, method, second))| {
                    let c = Charges {
                        lines: lines.iter().map(|(q, p)| line("项目", *q, *p)).collect(),
                        method: Some(*method),
                        receipt: Some(format!("R{i}")),
                        collected_by: t,
                    };
                    c.validate().unwrap();
                    sum_of_lines += c.lines.iter().map(|l| l.quantity * l.unit_price_fen).sum::<i64>();
                    Collection::of(FormId::new(), start + Duration::seconds(*second), &c)
                })
                .collect();
            let totals = day_totals(t, day(), &collections).unwrap();
            prop_assert_eq!(totals.by_method.values().sum::<i64>(), totals.total_fen);
            prop_assert_eq!(totals.total_fen, sum_of_lines);
            prop_assert_eq!(totals.receipts.len(), collections.len());
            let declared = totals.by_method.clone();
            let s = settle(t, day(), &collections, declared, start + Duration::days(2), "t").unwrap();
            prop_assert!(s.balances());
        }
    }
}
