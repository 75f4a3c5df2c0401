//! Fees screen: the day's fees collected and what is handed in at the settlement (Art.14:
//! 日清日结, every day's takings handed in and settled the same day).
//!
//! The collections are the charges of the forms this phone's technician sealed on the day
//! (Asia/Shanghai): each with its lines, how it was paid, its receipt number and its total in
//! yuan; then the totals per method, which are what the technician hands in. The settlement
//! itself is the office's record (`fees::settle`, `doorstep admin`): no phone pulls it, so the
//! screen says where it is kept rather than whether it balanced.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::copy::CopyInput;
use super::{Action, Cx, Outcome};
use crate::app::format;
use crate::app::route::Route;
use crate::calendar::local_date;
use crate::error::Result;
use crate::fees::{Collection, PaymentMethod, day_bounds};
use crate::forms::form::Form;
use crate::ids::FormId;
use crate::text::{Text, said};

/// What the Fees screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FeesScreen {
    /// "收费与日结" / "Fees and settlement".
    pub title: String,
    /// The day shown: "12月7日 周一" / "Mon 7 Dec", with "今天" / "today" before it when it is.
    pub day: String,
    pub is_today: bool,
    /// "前一天" / "Previous day".
    pub previous: Action,
    /// "后一天" / "Next day": disabled on today (nothing is collected tomorrow yet).
    pub next: Action,
    /// Back to today, when another day is shown.
    pub today: Option<Action>,
    /// The forms that collected money, in the order they were sealed.
    pub collections: Vec<FeesCollection>,
    /// What is handed in, per method used: "现金 ¥35.00".
    pub hand_in: Vec<FeesTotal>,
    /// "合计 ¥55.00" / "Total ¥55.00".
    pub total: String,
    /// "2 张收据" / "2 receipts".
    pub receipts: String,
    /// What the technician does with it and where the settlement is kept.
    pub settlement: String,
    /// Shown when nothing was collected on the day.
    pub empty: Option<String>,
    pub accessibility: String,
}

/// One sealed form's collection.
#[derive(Debug, Clone, PartialEq)]
pub struct FeesCollection {
    /// The form it was charged on (for `OpenReceipt`).
    pub form_id: String,
    /// When it was sealed: "今天 10:30".
    pub time: String,
    /// The household: its name and address (the technician's own work).
    pub household: String,
    pub lines: Vec<FeesLine>,
    /// "现金" / "cash".
    pub method: String,
    /// "收据 R-0001" / "receipt R-0001".
    pub receipt: String,
    pub total: String,
    /// "收费凭证" / "Receipt": the customer's copy of it (the Copy screen).
    pub open_receipt: Action,
    pub accessibility: String,
}

/// One charged item.
#[derive(Debug, Clone, PartialEq)]
pub struct FeesLine {
    pub item: String,
    /// "2 × ¥12.00".
    pub quantity: String,
    pub total: String,
    pub accessibility: String,
}

/// An amount per payment method.
#[derive(Debug, Clone, PartialEq)]
pub struct FeesTotal {
    pub method: String,
    pub amount: String,
    pub accessibility: String,
}

/// What the user does on the Fees screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FeesEvent {
    Refresh,
    PreviousDay,
    NextDay,
    Today,
    /// Open the customer's receipt of this collection (`FeesCollection::form_id`).
    OpenReceipt {
        form_id: String,
    },
}

/// The day shown, kept on the back stack; none is today.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeesInput {
    pub day: Option<NaiveDate>,
}

impl FeesInput {
    /// The fees of `day` (Asia/Shanghai).
    pub fn on(day: NaiveDate) -> Self {
        Self { day: Some(day) }
    }
}

/// How the customer paid, in words.
pub fn method_words(method: PaymentMethod) -> Text {
    match method {
        PaymentMethod::Cash => said("现金", "cash"),
        PaymentMethod::WechatPay => said("微信支付", "WeChat Pay"),
        PaymentMethod::Alipay => said("支付宝", "Alipay"),
        PaymentMethod::BankCard => said("银行卡", "bank card"),
    }
}

/// This phone's technician's collections sealed on `day`, each with its form.
fn collections(cx: &Cx<'_>, day: NaiveDate) -> Result<Vec<(Form, Collection)>> {
    let Some(me) = cx.read().sync_state()?.technician_id else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for form in cx.read().sealed_on(day)? {
        let template = cx
            .read()
            .template(&form.template_id, form.template_version)?;
        if let Some(c) = form.collection(&template)
            && c.technician_id == me
        {
            found.push((form, c));
        }
    }
    Ok(found)
}

fn shown_day(cx: &Cx<'_>, input: &FeesInput) -> NaiveDate {
    input.day.unwrap_or_else(|| local_date(cx.now))
}

pub fn render(cx: &Cx<'_>, input: &FeesInput) -> Result<FeesScreen> {
    let day = shown_day(cx, input);
    let today = local_date(cx.now);
    let is_today = day == today;
    let (start, _) = day_bounds(day);
    // Noon of the day, so the words of the day never slip across midnight.
    let day_words = format::day(start + Duration::hours(12), cx.lang);
    let day_text = if is_today {
        cx.say(&format!("今天 {day_words}"), &format!("today, {day_words}"))
    } else {
        day_words
    };
    let mut rows = Vec::new();
    let mut by_method = std::collections::BTreeMap::<PaymentMethod, i64>::new();
    let mut total_fen = 0i64;
    for (form, c) in collections(cx, day)? {
        let template = cx
            .read()
            .template(&form.template_id, form.template_version)?;
        let charges = form.charges(&template).cloned();
        let household = match cx.read().household(form.household_id) {
            Ok(h) => format!("{} {}", h.name, h.address.one_line()),
            Err(_) => cx.say("（本机未存此户）", "(a household not on this phone)"),
        };
        let lines = charges
            .map(|ch| ch.lines)
            .unwrap_or_default()
            .into_iter()
            .map(|l| {
                let quantity = format!("{} × {}", l.quantity, format::money(l.unit_price_fen));
                let total = format::money(l.total_fen().unwrap_or(0));
                FeesLine {
                    accessibility: cx.say(
                        &format!("{}，{quantity}，{total}", l.item),
                        &format!("{}, {quantity}, {total}", l.item),
                    ),
                    item: l.item,
                    quantity,
                    total,
                }
            })
            .collect();
        let method = cx.t(&method_words(c.method));
        let receipt = cx.say(
            &format!("收据 {}", c.receipt),
            &format!("receipt {}", c.receipt),
        );
        let total = format::money(c.total_fen);
        let time = format::moment(c.sealed_at, cx.now, cx.lang);
        let mut open_receipt = Action::new(cx, &said("收费凭证", "Receipt"), true);
        open_receipt.accessibility = cx.say(
            &format!("{} 的收费凭证", c.receipt),
            &format!("Receipt {} for the customer", c.receipt),
        );
        // Saturating: a corrupt record never panics the screen (the store refuses it first).
        let by = by_method.entry(c.method).or_insert(0);
        *by = by.saturating_add(c.total_fen);
        total_fen = total_fen.saturating_add(c.total_fen);
        rows.push(FeesCollection {
            form_id: form.id.to_string(),
            accessibility: cx.say(
                &format!("{time}，{household}，{method} {total}，{receipt}"),
                &format!("{time}, {household}, {method} {total}, {receipt}"),
            ),
            time,
            household,
            lines,
            method,
            receipt,
            total,
            open_receipt,
        });
    }
    let hand_in: Vec<FeesTotal> = by_method
        .into_iter()
        .map(|(m, fen)| {
            let method = cx.t(&method_words(m));
            let amount = format::money(fen);
            FeesTotal {
                accessibility: cx.say(
                    &format!("{method}应上交 {amount}"),
                    &format!("{method} to hand in: {amount}"),
                ),
                method,
                amount,
            }
        })
        .collect();
    let total = cx.say(
        &format!("合计 {}", format::money(total_fen)),
        &format!("Total {}", format::money(total_fen)),
    );
    let n = rows.len();
    let receipts = cx.say(
        &format!("{n} 张收据"),
        &format!("{n} receipt{}", if n == 1 { "" } else { "s" }),
    );
    let settlement = if is_today {
        cx.say(
            "今日所收款项须于今日上交营业厅并日结（日清日结）；日结结果由营业厅记录，本机不保存。",
            "Today's takings are handed in to the office and settled today; the office records the settlement, this phone does not hold it.",
        )
    } else {
        cx.say(
            "这一天的款项应已上交营业厅并日结；日结结果由营业厅记录，本机不保存。",
            "This day's takings should have been handed in and settled; the office records the settlement, this phone does not hold it.",
        )
    };
    let empty = rows
        .is_empty()
        .then(|| cx.say("这一天没有收费记录", "nothing was collected on this day"));
    let previous = Action::new(cx, &said("前一天", "Previous day"), true);
    let next = if is_today || day > today {
        Action::disabled(
            cx,
            &said("后一天", "Next day"),
            &said("还没有到这一天", "that day has not come yet"),
        )
    } else {
        Action::new(cx, &said("后一天", "Next day"), true)
    };
    let back_to_today =
        (!is_today).then(|| Action::new(cx, &said("回到今天", "Back to today"), true));
    let title = cx.say("收费与日结", "Fees and settlement");
    let accessibility = cx.say(
        &format!("{title}，{day_text}，{receipts}，{total}"),
        &format!("{title}, {day_text}, {receipts}, {total}"),
    );
    Ok(FeesScreen {
        title,
        day: day_text,
        is_today,
        previous,
        next,
        today: back_to_today,
        collections: rows,
        hand_in,
        total,
        receipts,
        settlement,
        empty,
        accessibility,
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut FeesInput, event: FeesEvent) -> Result<Outcome> {
    let day = shown_day(cx, input);
    let today = local_date(cx.now);
    match event {
        FeesEvent::Refresh => {}
        FeesEvent::PreviousDay => input.day = day.pred_opt().or(Some(day)),
        FeesEvent::NextDay => {
            if day >= today {
                return Err(crate::InvalidInput::new(
                    "day",
                    said("还没有到这一天", "that day has not come yet"),
                )
                .into());
            }
            input.day = day.succ_opt();
        }
        FeesEvent::Today => input.day = None,
        FeesEvent::OpenReceipt { form_id } => {
            let refused = || {
                crate::InvalidInput::new(
                    "form_id",
                    said("这一天没有这张收费记录", "no such collection on this day"),
                )
            };
            let id: FormId = form_id.parse().map_err(|_| refused())?;
            if !collections(cx, day)?.iter().any(|(f, _)| f.id == id) {
                return Err(refused().into());
            }
            return Ok(Outcome::go(Route::Copy(CopyInput::receipt(id))));
        }
    }
    if input.day == Some(today) {
        input.day = None;
    }
    Ok(Outcome::stay())
}
