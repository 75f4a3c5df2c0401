//! What the Form screen shows: the record drawn from the store's read-only connection.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{
    FormCopy, FormDate, FormInput, FormItem, FormItemKind, FormOption, FormOutcome,
    FormOutcomeChoice, FormPhoto, FormProgress, FormScreen, FormSeal, FormSection, OUTCOME,
    form_id, scan_kind,
};
use crate::app::format;
use crate::app::screens::copy::Paper;
use crate::app::screens::{Action, Cx};
use crate::calendar::service_timezone;
use crate::error::Result;
use crate::forms::form::{Answer as Given, CheckAnswer, CheckResult, Form, Outcome as Visit};
use crate::forms::template::{Item, ItemKind, SignerRole};
use crate::household::HistoryKind;
use crate::text::{Lang, Text, said};
use crate::words;

/// The form as its template says, with the answers, problems and input typed so far.
pub fn render(cx: &Cx<'_>, input: &FormInput) -> Result<FormScreen> {
    let id = form_id(input)?;
    let form = cx.read().form(id)?;
    let template = cx
        .read()
        .template(&form.template_id, form.template_version)?;
    let household = cx.read().household(form.household_id)?;
    let sealed = form.is_sealed();
    let problems = if sealed {
        Vec::new()
    } else {
        cx.read().form_problems(id)?
    };
    let mut by_item: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut form_problems = Vec::new();
    for p in &problems {
        let words = cx.t(&words::problem(&p.kind));
        match &p.item {
            Some(item) => by_item.entry(item.as_str()).or_default().push(words),
            None => form_problems.push(words),
        }
    }

    let (mut answered, mut required) = (0, 0);
    let mut sections = Vec::new();
    for section in &template.sections {
        let mut items = Vec::new();
        for item in section
            .items
            .iter()
            .filter(|i| form.is_visible(&template, i))
        {
            let has = has_answer(&form, item);
            if item.required {
                required += 1;
                answered += u32::from(has);
            }
            let item_problems = by_item.remove(item.id.as_str()).unwrap_or_default();
            items.push(render_item(cx, input, &form, item, item_problems));
        }
        if !items.is_empty() {
            sections.push(FormSection {
                id: section.id.clone(),
                title: cx.t(&section.title),
                items,
            });
        }
    }
    let progress = FormProgress {
        answered,
        required,
        label: cx.say(
            &format!("必填项已完成 {answered}/{required}"),
            &format!("{answered} of {required} required answered"),
        ),
    };

    let seal_text = said("完成并签封", "Complete and seal");
    let seal = if sealed {
        Action::disabled(cx, &seal_text, &said("已签封", "already sealed"))
    } else if !input.typed.is_empty() {
        Action::disabled(
            cx,
            &seal_text,
            &said("有未填完的数字", "a number is not finished"),
        )
    } else if super::unfinished_charges(input).is_some() {
        Action::disabled(
            cx,
            &seal_text,
            &said("有未填完的收费", "a charge is not finished"),
        )
    } else if !problems.is_empty() {
        let n = problems.len();
        Action::disabled(
            cx,
            &seal_text,
            &said(
                format!("还有 {n} 处未完成"),
                format!("{n} {} left", if n == 1 { "thing" } else { "things" }),
            ),
        )
    } else {
        Action::new(cx, &seal_text, true)
    };
    let sealed_view = match &form.seal {
        Some(seal) => Some(seal_view(cx, &form, &template, seal)?),
        None => None,
    };
    let amend = sealed.then(|| Action::new(cx, &said("更正", "Amend"), true));
    let amendment = form
        .amends
        .map(|_| cx.say("更正已签封的表单", "Amends a sealed form"));
    Ok(FormScreen {
        title: cx.t(&template.title),
        subtitle: format!(
            "{} · {}",
            household.customer_number,
            household.address.one_line()
        ),
        amendment,
        sections,
        progress,
        outcome: outcome_view(cx, &form.outcome, input.messages.get(OUTCOME)),
        form_problems,
        seal,
        sealed: sealed_view,
        amend,
    })
}

fn render_item(
    cx: &Cx<'_>,
    input: &FormInput,
    form: &Form,
    item: &Item,
    problems: Vec<String>,
) -> FormItem {
    let editable = !form.is_sealed();
    let answer = form.answers.get(&item.id);
    // What the field holds: the text that does not parse yet, else the text as typed that did,
    // else the stored answer formatted (a form opened again).
    let typed = |fallback: String| {
        (input.typed.get(&item.id))
            .or_else(|| input.shown.get(&item.id))
            .cloned()
            .unwrap_or(fallback)
    };
    let kind = match &item.kind {
        ItemKind::Check { hazard } => {
            let (mark, advice) = match answer {
                Some(Given::Check(c)) => (Some(c.result), c.advice.clone().unwrap_or_default()),
                _ => (None, String::new()),
            };
            let options = [CheckResult::Pass, CheckResult::Fail, CheckResult::Na]
                .into_iter()
                .map(|r| option(cx, r.as_str(), &mark_label(r), mark == Some(r)))
                .collect();
            FormItemKind::Check {
                options,
                advice,
                advice_label: cx.say("整改建议", "Rectification advice"),
                advice_wanted: mark == Some(CheckResult::Fail)
                    && hazard.as_ref().is_some_and(|h| h.advice_required),
                hazard: hazard.as_ref().map(|h| cx.t(&hazard_label(h.grade))),
            }
        }
        ItemKind::Number {
            unit,
            decimals,
            min,
            max,
        } => FormItemKind::Number {
            unit: cx.t(&unit.label()),
            decimals: *decimals,
            min: min.map(|m| m.to_string()),
            max: max.map(|m| m.to_string()),
            typed: typed(match answer {
                Some(Given::Number(n)) => n.to_string(),
                _ => String::new(),
            }),
        },
        ItemKind::Text { max_len, multiline } => FormItemKind::Text {
            typed: match answer {
                Some(Given::Text(t)) => t.clone(),
                _ => String::new(),
            },
            max_len: *max_len,
            multiline: *multiline,
            scan: scan_kind(item).map(|_| {
                if editable {
                    Action::new(cx, &said("扫码", "Scan"), true)
                } else {
                    Action::disabled(cx, &said("扫码", "Scan"), &said("已签封", "sealed"))
                }
            }),
        },
        ItemKind::SingleChoice { choices } => FormItemKind::SingleChoice {
            options: choices
                .iter()
                .map(|c| {
                    let picked = matches!(answer, Some(Given::Choice(x)) if *x == c.id);
                    option(cx, &c.id, &c.label, picked)
                })
                .collect(),
        },
        ItemKind::MultipleChoice { choices, min, max } => FormItemKind::MultipleChoice {
            options: choices
                .iter()
                .map(|c| {
                    let picked = matches!(answer, Some(Given::Choices(x)) if x.contains(&c.id));
                    option(cx, &c.id, &c.label, picked)
                })
                .collect(),
            min: *min,
            max: *max,
        },
        ItemKind::Date => FormItemKind::Date {
            initial: match answer {
                Some(Given::Date(d)) => pick_of_day(*d),
                _ => pick_of(cx.now),
            },
        },
        ItemKind::DateTime => FormItemKind::DateTime {
            initial: match answer {
                Some(Given::DateTime(at)) => pick_of(*at),
                _ => pick_of(cx.now),
            },
        },
        ItemKind::MeterReading => FormItemKind::MeterReading {
            unit: "m³".into(),
            typed: typed(match answer {
                Some(Given::MeterReading(v)) => v.decimal_text(),
                _ => String::new(),
            }),
        },
        ItemKind::Photo { min, max } => FormItemKind::Photo {
            min: *min,
            max: *max,
        },
        ItemKind::Signature { role } => {
            let signature = form.signatures.get(&item.id);
            let text = if signature.is_some() {
                said("重新签名", "Sign again")
            } else {
                said("签名", "Sign")
            };
            FormItemKind::Signature {
                role: cx.t(&role_label(*role)),
                signed_by: signature.map(|s| s.capture.signer_name.clone()),
                sign: if editable {
                    Action::new(cx, &text, true)
                } else {
                    Action::disabled(cx, &text, &said("已签封", "sealed"))
                },
            }
        }
        ItemKind::Location => FormItemKind::Location {
            locate: if editable {
                Action::new(cx, &said("获取位置", "Get position"), true)
            } else {
                Action::disabled(
                    cx,
                    &said("获取位置", "Get position"),
                    &said("已签封", "sealed"),
                )
            },
        },
        ItemKind::Charges => {
            let v = super::charges::view(cx, input, form, &item.id);
            FormItemKind::Charges {
                lines: v.lines,
                add_line: v.add_line,
                methods: v.methods,
                method_label: v.method_label,
                receipt: v.receipt,
                receipt_label: v.receipt_label,
                total: v.total,
                total_label: v.total_label,
            }
        }
    };
    let photos: Vec<FormPhoto> = form
        .photos
        .get(&item.id)
        .map(|photos| {
            photos
                .iter()
                .enumerate()
                .map(|(n, p)| thumb(cx, p.sha256.as_str(), n + 1, editable))
                .collect()
        })
        .unwrap_or_default();
    let take_photo = photo_limit(form, item).map(|max| {
        let text = said("拍照", "Take photo");
        if !editable {
            Action::disabled(cx, &text, &said("已签封", "sealed"))
        } else if photos.len() as u32 >= max {
            Action::disabled(
                cx,
                &text,
                &said(format!("最多 {max} 张"), format!("at most {max}")),
            )
        } else {
            Action::new(cx, &text, true)
        }
    });
    let value = value_of(cx, form, item);
    let label = cx.t(&item.label);
    let message = input.messages.get(&item.id).map(|m| cx.t(m));
    let mut spoken = vec![label.clone()];
    spoken.push(
        value
            .clone()
            .unwrap_or_else(|| cx.say("未填写", "not answered")),
    );
    if item.required {
        spoken.push(cx.say("必填", "required"));
    }
    spoken.extend(problems.iter().cloned());
    spoken.extend(message.clone());
    let accessibility = spoken.join(if cx.lang == Lang::Zh { "，" } else { ", " });
    FormItem {
        id: item.id.clone(),
        label,
        help: item.help.as_ref().map(|h| cx.t(h)),
        required: item.required,
        kind,
        value,
        problems,
        message,
        photos,
        take_photo,
        editable,
        accessibility,
    }
}

pub(super) fn option(cx: &Cx<'_>, id: &str, label: &Text, selected: bool) -> FormOption {
    let label = cx.t(label);
    let state = if selected {
        cx.say("已选", "selected")
    } else {
        cx.say("未选", "not selected")
    };
    FormOption {
        id: id.to_owned(),
        accessibility: cx.say(&format!("{label}，{state}"), &format!("{label}, {state}")),
        label,
        selected,
    }
}

/// The most photos an item takes now: a photo item's max; a failed check with a hazard rule
/// takes evidence (up to the largest photo item allows, 20); others none.
pub(super) fn photo_limit(form: &Form, item: &Item) -> Option<u32> {
    match &item.kind {
        ItemKind::Photo { max, .. } => Some(*max),
        ItemKind::Check { hazard: Some(_) } => matches!(
            form.answers.get(&item.id),
            Some(Given::Check(CheckAnswer {
                result: CheckResult::Fail,
                ..
            }))
        )
        .then_some(20),
        _ => None,
    }
}

fn has_answer(form: &Form, item: &Item) -> bool {
    match item.kind {
        ItemKind::Photo { .. } => form.photos.get(&item.id).is_some_and(|p| !p.is_empty()),
        ItemKind::Signature { .. } => form.signatures.contains_key(&item.id),
        _ => form.answers.contains_key(&item.id),
    }
}

/// The answer as the technician reads it.
fn value_of(cx: &Cx<'_>, form: &Form, item: &Item) -> Option<String> {
    if let ItemKind::Photo { .. } = item.kind {
        let n = form.photos.get(&item.id).map_or(0, Vec::len);
        return (n > 0).then(|| cx.say(&format!("{n} 张照片"), &format!("{n} photo(s)")));
    }
    if let ItemKind::Signature { .. } = item.kind {
        return form.signatures.get(&item.id).map(|s| {
            let when = format::moment(s.capture.signed_at, cx.now, cx.lang);
            cx.say(
                &format!("{} 已签 {when}", s.capture.signer_name),
                &format!("signed by {} {when}", s.capture.signer_name),
            )
        });
    }
    let answer = form.answers.get(&item.id)?;
    Some(match (answer, &item.kind) {
        (Given::Check(c), _) => cx.t(&mark_label(c.result)),
        (Given::Number(n), ItemKind::Number { unit, .. }) => {
            let unit = cx.t(&unit.label());
            if unit.is_empty() {
                n.to_string()
            } else {
                format!("{n} {unit}")
            }
        }
        (Given::Number(n), _) => n.to_string(),
        (Given::Text(t), _) => t.clone(),
        (Given::Choice(id), ItemKind::SingleChoice { choices }) => choices
            .iter()
            .find(|c| &c.id == id)
            .map_or_else(|| id.clone(), |c| cx.t(&c.label)),
        (Given::Choices(ids), ItemKind::MultipleChoice { choices, .. }) => ids
            .iter()
            .map(|id| {
                choices
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or_else(|| id.clone(), |c| cx.t(&c.label))
            })
            .collect::<Vec<_>>()
            .join(if cx.lang == Lang::Zh { "、" } else { ", " }),
        (Given::Choice(id), _) => id.clone(),
        (Given::Choices(ids), _) => ids.join(", "),
        (Given::Date(d), _) => match cx.lang {
            Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
            Lang::En => d.format("%-d %b %Y").to_string(),
        },
        (Given::DateTime(at), _) => format::moment(*at, cx.now, cx.lang),
        (Given::MeterReading(v), _) => v.to_string(),
        (Given::Location(l), _) => format!(
            "{:.5}, {:.5} (±{} m)",
            l.point.lat(),
            l.point.lon(),
            l.accuracy_m.round()
        ),
        (Given::Charges(c), _) => match c.total_fen() {
            Some(fen) => cx.say(
                &format!("共 {}", format::money(fen)),
                &format!("total {}", format::money(fen)),
            ),
            None => cx.say("金额有误", "amounts do not add up"),
        },
    })
}

/// A photo's thumbnail, written decrypted to `files()/thumbs/<sha>.jpg` the first time it is
/// shown (the app's private folder: only the app and its shell read it).
fn thumb(cx: &Cx<'_>, sha256: &str, n: usize, editable: bool) -> FormPhoto {
    let dir = cx.files().join("thumbs");
    let path = dir.join(format!("{sha256}.jpg"));
    let written = path.exists()
        || cx
            .read()
            .photo_thumbnail(sha256)
            .ok()
            .and_then(|jpeg| {
                std::fs::create_dir_all(&dir).ok()?;
                let part = dir.join(format!("{sha256}.part"));
                std::fs::write(&part, jpeg).ok()?;
                std::fs::rename(&part, &path).ok()
            })
            .is_some();
    let text = said("删除照片", "Remove photo");
    FormPhoto {
        sha256: sha256.to_owned(),
        path: written.then(|| path.to_string_lossy().into_owned()),
        remove: if editable {
            Action::new(cx, &text, true)
        } else {
            Action::disabled(cx, &text, &said("已签封", "sealed"))
        },
        accessibility: if written {
            cx.say(&format!("第 {n} 张照片"), &format!("photo {n}"))
        } else {
            cx.say(
                &format!("第 {n} 张照片（不在本机）"),
                &format!("photo {n} (not on this phone)"),
            )
        },
    }
}

fn outcome_view(cx: &Cx<'_>, outcome: &Visit, message: Option<&Text>) -> FormOutcome {
    let (chosen, note) = match outcome {
        Visit::Completed => (FormOutcomeChoice::Completed, String::new()),
        Visit::NobodyHome { note } => (FormOutcomeChoice::NobodyHome, note.clone()),
        Visit::AccessRefused { note } => (FormOutcomeChoice::AccessRefused, note.clone()),
        Visit::CustomerRefusedToSign { reason, .. } => {
            (FormOutcomeChoice::CustomerRefusedToSign, reason.clone())
        }
    };
    let choices = [
        FormOutcomeChoice::Completed,
        FormOutcomeChoice::NobodyHome,
        FormOutcomeChoice::AccessRefused,
        FormOutcomeChoice::CustomerRefusedToSign,
    ];
    FormOutcome {
        chosen,
        options: choices
            .into_iter()
            .map(|c| option(cx, visit_id(c), &visit_label(c), c == chosen))
            .collect(),
        note,
        note_label: cx.say("现场情况说明", "What was found"),
        note_wanted: chosen != FormOutcomeChoice::Completed,
        message: message.map(|m| cx.t(m)),
    }
}

fn seal_view(
    cx: &Cx<'_>,
    form: &Form,
    template: &crate::forms::Template,
    seal: &crate::forms::seal::Seal,
) -> Result<FormSeal> {
    let short: String = seal.digest.chars().take(12).collect();
    let sealed_at = format::moment(seal.sealed_at, cx.now, cx.lang);
    let subject = form.id.to_string();
    let file = cx.read().household_file(form.household_id)?;
    let consequences: Vec<String> = file
        .history
        .iter()
        .rev()
        .filter(|h| h.at == seal.sealed_at && h.kind != HistoryKind::Form)
        .filter(|h| {
            // The form's own lines, an order it opened, and an order it moved (a repair
            // closing resolves its fault).
            h.subject_id.as_deref() == Some(&subject)
                || matches!(
                    h.kind,
                    HistoryKind::WorkOrder | HistoryKind::WorkOrderStatus
                )
        })
        .map(|h| cx.t(&h.summary))
        .collect();
    let digest = cx.say(&format!("封存码 {short}"), &format!("seal {short}"));
    Ok(FormSeal {
        accessibility: cx.say(
            &format!("已于 {sealed_at} 签封，{digest}"),
            &format!("sealed {sealed_at}, {digest}"),
        ),
        sealed: cx.say(
            &format!("已于 {sealed_at} 签封"),
            &format!("sealed {sealed_at}"),
        ),
        sealed_at,
        digest,
        consequences,
        copies: copies(cx, form, template),
    })
}

/// The papers for the customer this sealed form makes (the Copy screen draws them): the visit
/// report always, the rectification notice when a hazard was found, the receipt when money
/// was collected.
fn copies(cx: &Cx<'_>, form: &Form, template: &crate::forms::Template) -> Vec<FormCopy> {
    let mut papers = vec![(Paper::VisitReport, said("上门服务记录", "Visit report"))];
    if !form.hazards(template).is_empty() {
        papers.push((
            Paper::HazardNotice,
            said("隐患整改通知书", "Hazard rectification notice"),
        ));
    }
    if form.collection(template).is_some() {
        papers.push((Paper::Receipt, said("收费凭证", "Receipt")));
    }
    papers
        .into_iter()
        .map(|(paper, text)| FormCopy {
            paper,
            open: Action::new(cx, &text, true),
        })
        .collect()
}

fn pick_of(at: chrono::DateTime<chrono::Utc>) -> FormDate {
    use chrono::{Datelike, Timelike};
    let local = at.with_timezone(&service_timezone());
    FormDate {
        year: local.year(),
        month: local.month(),
        day: local.day(),
        hour: local.hour(),
        minute: local.minute(),
    }
}

fn pick_of_day(day: NaiveDate) -> FormDate {
    use chrono::Datelike;
    FormDate {
        year: day.year(),
        month: day.month(),
        day: day.day(),
        hour: 0,
        minute: 0,
    }
}

fn mark_label(result: CheckResult) -> Text {
    match result {
        CheckResult::Pass => said("合格", "Pass"),
        CheckResult::Fail => said("不合格", "Fail"),
        CheckResult::Na => said("不适用", "N/A"),
    }
}

fn hazard_label(grade: crate::forms::template::HazardGrade) -> Text {
    match grade {
        crate::forms::template::HazardGrade::General => {
            said("不合格即为一般隐患", "a fail is a general hazard")
        }
        crate::forms::template::HazardGrade::Major => {
            said("不合格即为重大隐患", "a fail is a major hazard")
        }
    }
}

/// Who signs, in words.
pub fn role_label(role: SignerRole) -> Text {
    match role {
        SignerRole::Customer => said("用户", "Customer"),
        SignerRole::Technician => said("检查人员", "Technician"),
        SignerRole::Witness => said("见证人", "Witness"),
    }
}

fn visit_id(choice: FormOutcomeChoice) -> &'static str {
    match choice {
        FormOutcomeChoice::Completed => "completed",
        FormOutcomeChoice::NobodyHome => "nobody_home",
        FormOutcomeChoice::AccessRefused => "access_refused",
        FormOutcomeChoice::CustomerRefusedToSign => "customer_refused_to_sign",
    }
}

fn visit_label(choice: FormOutcomeChoice) -> Text {
    match choice {
        FormOutcomeChoice::Completed => said("正常入户", "Visit done"),
        FormOutcomeChoice::NobodyHome => said("无人在家", "Nobody home"),
        FormOutcomeChoice::AccessRefused => said("拒绝入户", "Access refused"),
        FormOutcomeChoice::CustomerRefusedToSign => said("用户拒签", "Customer refused to sign"),
    }
}
