//! The fees collected at the door, entered on a charges item field by field: each line's item,
//! quantity and unit price (yuan) as typed, the payment method and the receipt. The draft lives
//! in [`FormInput::charges`]; after each event, when every line parses, the answer is saved
//! through the same path as the whole [`FormEvent::Charges`](super::FormEvent::Charges);
//! otherwise the store keeps the last valid answer and the line shows its problem (and Seal
//! waits, as for a number not finished).

use serde::{Deserialize, Serialize};

use super::view::option;
use super::{FormChargeLine, FormInput, FormOption};
use crate::InvalidInput;
use crate::app::screens::fees::method_words;
use crate::app::screens::{Action, Cx, Outcome};
use crate::error::{Error, Result};
use crate::fees::{Charges, MAX_CHARGE_LINES, PaymentMethod, parse_yuan, yuan};
use crate::forms::form::{Answer as Given, Form};
use crate::ids::FormId;
use crate::text::{Lang, Text, said};

/// A line's field the technician types in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChargeField {
    Item,
    Quantity,
    UnitPrice,
}

/// One charge line as typed: the quantity and the price in yuan stay text until they parse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeLineDraft {
    pub item: String,
    pub quantity: String,
    pub unit_price: String,
}

/// A charges item as typed on this screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargesDraft {
    pub lines: Vec<ChargeLineDraft>,
    pub method: Option<PaymentMethod>,
    pub receipt: String,
}

impl ChargesDraft {
    /// The stored answer as the fields show it (a form opened again).
    pub fn of(answer: Option<&Given>) -> Self {
        match answer {
            Some(Given::Charges(c)) => Self {
                lines: c
                    .lines
                    .iter()
                    .map(|l| ChargeLineDraft {
                        item: l.item.clone(),
                        quantity: l.quantity.to_string(),
                        unit_price: yuan(l.unit_price_fen),
                    })
                    .collect(),
                method: c.method,
                receipt: c.receipt.clone().unwrap_or_default(),
            },
            _ => Self::default(),
        }
    }

    /// Every line parsed, or the first problem.
    fn parsed(&self) -> std::result::Result<Vec<FormChargeLine>, Text> {
        self.lines
            .iter()
            .map(|l| {
                Ok(FormChargeLine {
                    item: l.item.clone(),
                    quantity: quantity(&l.quantity)?,
                    unit_price_fen: price(&l.unit_price)?,
                })
            })
            .collect()
    }

    /// Whether a line does not parse yet.
    pub fn unfinished(&self) -> bool {
        self.parsed().is_err()
    }
}

fn quantity(text: &str) -> std::result::Result<i64, Text> {
    let t = text.trim();
    if t.is_empty() {
        return Err(said("请填写数量", "give the quantity"));
    }
    match t.parse::<i64>() {
        Ok(n) if n >= 1 && t.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(said(
            "数量须为至少1的整数",
            "the quantity is a whole number, at least 1",
        )),
    }
}

fn price(text: &str) -> std::result::Result<i64, Text> {
    if text.trim().is_empty() {
        return Err(said("请填写单价", "give the unit price"));
    }
    parse_yuan(text).map_err(|e| e.said())
}

/// What a charges event changes.
pub(super) enum Change {
    Add,
    Edit {
        index: u32,
        field: ChargeField,
        text: String,
    },
    Remove {
        index: u32,
    },
    Method(Option<PaymentMethod>),
    Receipt(String),
}

/// Applies a change to the item's draft and saves the answer when every line parses.
pub(super) fn change(
    cx: &mut Cx<'_>,
    input: &mut FormInput,
    id: FormId,
    form: &Form,
    item: &str,
    change: Change,
) -> Result<Outcome> {
    if form.is_sealed() {
        return Err(Error::Sealed);
    }
    let mut draft = input
        .charges
        .get(item)
        .cloned()
        .unwrap_or_else(|| ChargesDraft::of(form.answers.get(item)));
    let line = |draft: &mut ChargesDraft, index: u32| -> Result<usize> {
        let at = index as usize;
        if at < draft.lines.len() {
            Ok(at)
        } else {
            Err(InvalidInput::new("index", said("没有这一行收费", "no such charge line")).into())
        }
    };
    match change {
        Change::Add => {
            if draft.lines.len() >= MAX_CHARGE_LINES {
                return Err(InvalidInput::new(
                    item,
                    said(
                        format!("收费项目最多{MAX_CHARGE_LINES}行"),
                        format!("at most {MAX_CHARGE_LINES} charge lines"),
                    ),
                )
                .into());
            }
            draft.lines.push(ChargeLineDraft {
                quantity: "1".into(),
                ..ChargeLineDraft::default()
            });
        }
        Change::Edit { index, field, text } => {
            let at = line(&mut draft, index)?;
            let l = &mut draft.lines[at];
            match field {
                ChargeField::Item => l.item = text,
                ChargeField::Quantity => l.quantity = text,
                ChargeField::UnitPrice => l.unit_price = text,
            }
        }
        Change::Remove { index } => {
            let at = line(&mut draft, index)?;
            draft.lines.remove(at);
        }
        Change::Method(method) => draft.method = method,
        Change::Receipt(text) => draft.receipt = text,
    }
    let parsed = draft.parsed();
    input.charges.insert(item.to_owned(), draft.clone());
    match parsed {
        Ok(lines) => save(cx, input, id, item, lines, draft.method, &draft.receipt),
        Err(_) => Ok(Outcome::stay()),
    }
}

/// Saves the charges whole (the path of [`FormEvent::Charges`](super::FormEvent::Charges)):
/// no lines, no method and no receipt clears the answer.
pub(super) fn save(
    cx: &mut Cx<'_>,
    input: &mut FormInput,
    id: FormId,
    item: &str,
    lines: Vec<FormChargeLine>,
    method: Option<PaymentMethod>,
    receipt: &str,
) -> Result<Outcome> {
    let receipt = receipt.trim();
    if lines.is_empty() && method.is_none() && receipt.is_empty() {
        return super::save(cx, input, id, item, None);
    }
    let Some(collected_by) = cx.read().sync_state()?.technician_id else {
        return Err(
            InvalidInput::new(item, said("本机尚未登记", "this phone is not enrolled")).into(),
        );
    };
    let charges = Charges {
        lines: lines
            .into_iter()
            .map(|l| crate::fees::ChargeLine {
                item: l.item,
                quantity: l.quantity,
                unit_price_fen: l.unit_price_fen,
            })
            .collect(),
        method,
        receipt: (!receipt.is_empty()).then(|| receipt.to_owned()),
        collected_by,
    };
    super::save(cx, input, id, item, Some(Given::Charges(charges)))
}

/// One line as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct FormChargeView {
    pub index: u32,
    pub item: String,
    pub quantity: String,
    /// The unit price in yuan, as typed or formatted ("35.00").
    pub unit_price: String,
    /// The line's total ("¥35.00"), empty while a field does not parse.
    pub total: String,
    pub item_label: String,
    pub quantity_label: String,
    pub unit_price_label: String,
    /// Why the line is not counted yet, in words.
    pub problem: Option<String>,
    pub remove: Action,
    pub accessibility: String,
}

/// What a charges item shows: its lines, Add line, the methods, the receipt and the total.
pub(super) struct ChargesView {
    pub lines: Vec<FormChargeView>,
    pub add_line: Action,
    pub methods: Vec<FormOption>,
    pub method_label: String,
    pub receipt: String,
    pub receipt_label: String,
    pub total: String,
    pub total_label: String,
}

fn money(fen: i64) -> String {
    format!("¥{}", yuan(fen))
}

pub(super) fn view(cx: &Cx<'_>, input: &FormInput, form: &Form, item: &str) -> ChargesView {
    let editable = !form.is_sealed();
    let draft = input
        .charges
        .get(item)
        .cloned()
        .unwrap_or_else(|| ChargesDraft::of(form.answers.get(item)));
    let sealed = said("已签封", "sealed");
    let sep = if cx.lang == Lang::Zh { "，" } else { ", " };
    let mut sum = Some(0i64);
    let lines: Vec<FormChargeView> = draft
        .lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let counted = quantity(&l.quantity)
                .and_then(|q| Ok((q, price(&l.unit_price)?)))
                .map(|(q, p)| q.checked_mul(p));
            let (total, problem) = match &counted {
                Ok(Some(fen)) => (money(*fen), None),
                Ok(None) => (
                    String::new(),
                    Some(cx.say(
                        "数量乘以单价超出可记录的金额",
                        "quantity times unit price is beyond any amount that can be recorded",
                    )),
                ),
                Err(problem) => (String::new(), Some(cx.t(problem))),
            };
            sum = match counted {
                Ok(Some(fen)) => sum.and_then(|s| s.checked_add(fen)),
                _ => None,
            };
            let remove_text = said("删除这一行", "Remove line");
            let remove = if editable {
                Action::new(cx, &remove_text, true)
            } else {
                Action::disabled(cx, &remove_text, &sealed)
            };
            let number = n + 1;
            let mut spoken = vec![
                cx.say(
                    &format!("第 {number} 行收费"),
                    &format!("charge line {number}"),
                ),
                l.item.clone(),
                cx.say(
                    &format!("{} × {} 元", l.quantity, l.unit_price),
                    &format!("{} × {} yuan", l.quantity, l.unit_price),
                ),
            ];
            spoken.extend((!total.is_empty()).then(|| total.clone()));
            spoken.extend(problem.clone());
            FormChargeView {
                index: n as u32,
                item: l.item.clone(),
                quantity: l.quantity.clone(),
                unit_price: l.unit_price.clone(),
                total,
                item_label: cx.say("收费项目", "Item"),
                quantity_label: cx.say("数量", "Quantity"),
                unit_price_label: cx.say("单价（元）", "Unit price (yuan)"),
                problem,
                remove,
                accessibility: spoken.join(sep),
            }
        })
        .collect();
    let add_text = said("添加收费项目", "Add a charge line");
    let add_line = if !editable {
        Action::disabled(cx, &add_text, &sealed)
    } else if lines.len() >= MAX_CHARGE_LINES {
        Action::disabled(
            cx,
            &add_text,
            &said(
                format!("最多{MAX_CHARGE_LINES}行"),
                format!("at most {MAX_CHARGE_LINES} lines"),
            ),
        )
    } else {
        Action::new(cx, &add_text, true)
    };
    let methods = PaymentMethod::ALL
        .into_iter()
        .map(|m| option(cx, m.as_str(), &method_words(m), draft.method == Some(m)))
        .collect();
    ChargesView {
        lines,
        add_line,
        methods,
        method_label: cx.say("收费方式", "Payment method"),
        receipt: draft.receipt.clone(),
        receipt_label: cx.say("收据编号", "Receipt number"),
        total: match sum {
            Some(fen) if !draft.lines.is_empty() => money(fen),
            _ => String::new(),
        },
        total_label: cx.say("合计", "Total"),
    }
}
