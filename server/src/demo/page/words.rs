//! The page's words: HTML escaping, Chinese with English beside, and a form's answers and
//! outcome as the office reads them (the words of the customer's visit report, `copy::paper`).

use chrono::{DateTime, NaiveDate, Utc};
use doorstep_core::app::format::money;
use doorstep_core::app::screens::fees::method_words;
use doorstep_core::calendar::service_timezone;
use doorstep_core::fees::Charges;
use doorstep_core::forms::form::{Answer, CheckResult, Outcome};
use doorstep_core::forms::template::{Item, ItemKind};
use doorstep_core::media::signature::SignerRole;
use doorstep_core::text::Text;

/// `text` safe inside an element or a quoted attribute: the customer papers' escaping.
pub use doorstep_core::app::screens::copy::html::esc;

/// Chinese first, English beside it (escaped, as HTML): for headings and labels.
pub fn zh_en(zh: &str, en: &str) -> String {
    if en.is_empty() || en == zh {
        return esc(zh);
    }
    format!("{} <span class=\"en\">{}</span>", esc(zh), esc(en))
}

pub fn text(t: &Text) -> String {
    zh_en(&t.zh, &t.en)
}

/// Chinese and English in one plain string, for values and alt text: "合格 / pass".
pub fn both(zh: &str, en: &str) -> String {
    if en.is_empty() || en == zh {
        return zh.to_owned();
    }
    format!("{zh} / {en}")
}

/// A time of the day, Beijing time: "14:05".
pub fn clock(at: DateTime<Utc>) -> String {
    at.with_timezone(&service_timezone())
        .format("%H:%M")
        .to_string()
}

/// A moment on paper: "2026-12-07 14:05", Beijing time.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.with_timezone(&service_timezone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The day: "2026年12月6日 / 6 Dec 2026".
pub fn day(d: NaiveDate) -> String {
    both(
        &d.format("%Y年%-m月%-d日").to_string(),
        &d.format("%-d %b %Y").to_string(),
    )
}

/// An answer in words.
pub fn answer(item: &Item, answer: &Answer) -> String {
    let choice = |id: &str| match &item.kind {
        ItemKind::SingleChoice { choices } | ItemKind::MultipleChoice { choices, .. } => choices
            .iter()
            .find(|c| c.id == id)
            .map(|c| both(&c.label.zh, &c.label.en))
            .unwrap_or_else(|| id.to_owned()),
        _ => id.to_owned(),
    };
    match answer {
        Answer::Check(c) => {
            let result = match c.result {
                CheckResult::Pass => both("合格", "pass"),
                CheckResult::Fail => both("不合格", "fail"),
                CheckResult::Na => both("不适用", "n/a"),
            };
            match &c.advice {
                Some(a) if !a.trim().is_empty() => {
                    format!("{result}；{}：{a}", both("整改意见", "advice"))
                }
                _ => result,
            }
        }
        Answer::Number(d) => {
            let unit = match &item.kind {
                ItemKind::Number { unit, .. } => unit.label().zh,
                _ => String::new(),
            };
            format!("{d} {unit}").trim_end().to_owned()
        }
        Answer::Text(t) => t.clone(),
        Answer::Choice(id) => choice(id),
        Answer::Choices(ids) => ids.iter().map(|i| choice(i)).collect::<Vec<_>>().join("、"),
        Answer::Date(d) => d.format("%Y-%m-%d").to_string(),
        Answer::DateTime(at) => stamp(*at),
        Answer::MeterReading(v) => v.to_string(),
        Answer::Location(l) => format!(
            "{:.5}, {:.5}（±{:.0} m）",
            l.point.lat(),
            l.point.lon(),
            l.accuracy_m
        ),
        Answer::Charges(c) => charges(c),
    }
}

fn charges(c: &Charges) -> String {
    let lines = c
        .lines
        .iter()
        .map(|l| format!("{} × {}", l.item, l.quantity))
        .collect::<Vec<_>>()
        .join("、");
    let total = money(c.total_fen().unwrap_or(0));
    let paid = match (c.method, c.receipt_number()) {
        (Some(m), Some(r)) => {
            let m = method_words(m);
            format!(
                "（{}，{} {r}）",
                both(&m.zh, &m.en),
                both("收据", "receipt")
            )
        }
        _ => String::new(),
    };
    format!("{lines}；{} {total}{paid}", both("合计", "total"))
}

pub fn outcome(outcome: &Outcome) -> String {
    let with_note = |words: String, note: &str| {
        if note.trim().is_empty() {
            words
        } else {
            format!("{words}：{note}")
        }
    };
    match outcome {
        Outcome::Completed => both("已完成", "completed"),
        Outcome::NobodyHome { note } => with_note(both("无人在家", "nobody home"), note),
        Outcome::AccessRefused { note } => with_note(both("用户拒绝入户", "access refused"), note),
        Outcome::CustomerRefusedToSign { reason, .. } => {
            with_note(both("用户拒绝签字", "customer refused to sign"), reason)
        }
    }
}

pub fn signer(role: SignerRole) -> String {
    match role {
        SignerRole::Customer => both("用户签名", "customer's signature"),
        SignerRole::Technician => both("服务人员签名", "technician's signature"),
        SignerRole::Witness => both("见证人签名", "witness's signature"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_on_the_page_is_escaped_so_a_customers_text_cannot_become_markup() {
        assert_eq!(
            esc(r#"<img src=x onerror="a('b')">&"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
        assert_eq!(
            zh_en("<路>", "<road>"),
            "&lt;路&gt; <span class=\"en\">&lt;road&gt;</span>"
        );
    }
}
