//! The three papers a customer is given, as self-contained HTML: the visit report of a sealed
//! form, the hazard rectification notice of its failed checks (隐患整改通知书), and the receipt
//! of the fees it collected (Art.14). In Chinese; with English beside when the app is in
//! English (the customer reads Chinese, the technician may not).

use chrono::{DateTime, NaiveDate, Utc};

use super::capital::capital_yuan;
use super::html::{Page, Sheet, data_uri, esc};
use super::rectification::hazards;
use crate::calendar::service_timezone;
use crate::fees::Charges;
use crate::forms::Template;
use crate::forms::form::{Answer, CheckResult, Form, Outcome, PhotoRef};
use crate::forms::template::{Item, ItemKind};
use crate::household::Household;
use crate::media::signature::{RenderOptions, SignerRole, render_png};
use crate::store::Store;
use crate::text::Lang;

use super::super::fees::method_words;

/// What a paper is made from: the sealed form and everything it names.
pub struct Source {
    pub form: Form,
    pub template: Template,
    pub household: Household,
    /// The technician who sealed it on this phone: name and badge.
    pub technician: Option<(String, String)>,
    /// The work order's number, when the form was filled for one.
    pub order_number: Option<String>,
}

/// Words in the paper's language(s): Chinese, and English beside it when the app is English.
struct Words {
    lang: Lang,
}

impl Words {
    fn w(&self, zh: &str, en: &str) -> String {
        match self.lang {
            Lang::Zh => zh.to_owned(),
            Lang::En => format!("{zh} / {en}"),
        }
    }

    fn html_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "zh-CN",
        }
    }
}

/// A moment on paper: "2026-12-07 14:05", Beijing time (a paper is read later: never "today").
pub fn stamp(at: DateTime<Utc>) -> String {
    at.with_timezone(&service_timezone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
        Lang::En => format!("{} / {}", d.format("%Y年%-m月%-d日"), d.format("%-d %b %Y")),
    }
}

/// The paper's number: its kind and the form's first twelve hex digits ("YH-0190f3a0c1d2").
pub fn number(prefix: &str, form: &Form) -> String {
    format!("{prefix}-{}", &form.id.0.simple().to_string()[..12])
}

fn household_fields(s: &Source, w: &Words) -> Vec<(String, String)> {
    vec![
        (w.w("户号", "Account"), s.household.customer_number.clone()),
        (w.w("用户", "Customer"), s.household.name.clone()),
        (w.w("地址", "Address"), s.household.address.one_line()),
    ]
}

fn technician_field(s: &Source, w: &Words) -> (String, String) {
    let who = match &s.technician {
        Some((name, badge)) => format!("{name}（{badge}）"),
        None => w.w("（未登记）", "(not recorded)"),
    };
    (w.w("服务人员", "Technician"), who)
}

fn signatures(page: &mut Page, s: &Source, w: &Words) {
    let mut roles: Vec<_> = s.form.signatures.iter().collect();
    roles.sort_by_key(|(_, sig)| match sig.capture.role {
        SignerRole::Customer => 0,
        SignerRole::Technician => 1,
        SignerRole::Witness => 2,
    });
    page.heading(&w.w("签字", "Signatures"));
    if roles.is_empty() {
        page.para("note", &w.w("（无签字）", "(no signature)"));
    }
    for (_, sig) in roles {
        let role = match sig.capture.role {
            SignerRole::Customer => w.w("用户签字", "Customer"),
            SignerRole::Technician => w.w("服务人员签字", "Technician"),
            SignerRole::Witness => w.w("见证人签字", "Witness"),
        };
        let options = RenderOptions {
            width: 400,
            pen_px: 4.0,
        };
        let picture = match render_png(&sig.capture, &options) {
            Ok(png) => format!(
                "<img src=\"{}\" alt=\"{}\">",
                data_uri("image/png", &png),
                esc(&role)
            ),
            Err(_) => format!(
                "<p>{}</p>",
                esc(&w.w("（签名无法显示）", "(cannot be drawn)"))
            ),
        };
        page.push(&format!(
            "<div class=\"sig\">{picture}<div>{}：{}</div><div>{}</div></div>",
            esc(&role),
            esc(&sig.capture.signer_name),
            esc(&stamp(sig.capture.signed_at)),
        ));
    }
}

fn photo_tag(store: &Store, photo: &PhotoRef, w: &Words) -> String {
    match store.photo_thumbnail(&photo.sha256) {
        Ok(jpeg) => format!(
            "<img src=\"{}\" alt=\"{}\">",
            data_uri("image/jpeg", &jpeg),
            esc(&w.w("照片", "photo"))
        ),
        Err(_) => format!(
            "<span class=\"note\">{}</span>",
            esc(&w.w("（照片未在本机）", "(photo not on this phone)"))
        ),
    }
}

fn seal_lines(page: &mut Page, s: &Source, w: &Words) {
    if let Some(seal) = &s.form.seal {
        page.para(
            "note",
            &format!("{}：{}", w.w("签封时间", "Sealed"), stamp(seal.sealed_at)),
        );
        page.push(&format!(
            "<p class=\"digest\">{}：{}</p>",
            esc(&w.w("签封摘要（SHA-256）", "Seal digest (SHA-256)")),
            esc(&seal.digest)
        ));
    }
}

fn charges_text(c: &Charges, lang: Lang) -> String {
    let total = crate::app::format::money(c.total_fen().unwrap_or(0));
    match (c.method, c.receipt_number()) {
        (Some(m), Some(r)) => format!("{total}（{}，{r}）", method_words(m).get(lang)),
        _ => total,
    }
}

/// An answer as the paper writes it.
fn answer_text(item: &Item, answer: &Answer, w: &Words) -> String {
    let choice = |id: &str| match &item.kind {
        ItemKind::SingleChoice { choices } | ItemKind::MultipleChoice { choices, .. } => choices
            .iter()
            .find(|c| c.id == id)
            .map(|c| w.w(&c.label.zh, &c.label.en))
            .unwrap_or_else(|| id.to_owned()),
        _ => id.to_owned(),
    };
    match answer {
        Answer::Check(c) => {
            let result = match c.result {
                CheckResult::Pass => w.w("合格", "pass"),
                CheckResult::Fail => w.w("不合格", "fail"),
                CheckResult::Na => w.w("不适用", "n/a"),
            };
            match &c.advice {
                Some(a) if !a.trim().is_empty() => {
                    format!("{result}；{}：{a}", w.w("整改意见", "advice"))
                }
                _ => result,
            }
        }
        Answer::Number(d) => {
            let unit = match &item.kind {
                ItemKind::Number { unit, .. } => unit.label().get(w.lang).to_owned(),
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
        Answer::Charges(c) => charges_text(c, w.lang),
    }
}

fn outcome_text(outcome: &Outcome, w: &Words) -> String {
    match outcome {
        Outcome::Completed => w.w("已完成", "completed"),
        Outcome::NobodyHome { note } => format!("{}：{note}", w.w("无人在家", "nobody home")),
        Outcome::AccessRefused { note } => {
            format!("{}：{note}", w.w("用户拒绝入户", "access refused"))
        }
        Outcome::CustomerRefusedToSign { reason, .. } => {
            format!(
                "{}：{reason}",
                w.w("用户拒绝签字", "customer refused to sign")
            )
        }
    }
}

/// The visit report: household, time, technician, answers, photos, signatures, seal digest.
pub fn visit_report(store: &Store, s: &Source, lang: Lang) -> String {
    let w = Words { lang };
    let title = w.w(&s.template.title.zh, &s.template.title.en);
    let mut page = Page::new();
    page.push(&format!("<h1>{}</h1>", esc(&title)));
    page.para(
        "no",
        &format!("{} {}", w.w("编号", "No."), number("FW", &s.form)),
    );
    page.heading(&w.w("用户信息", "Customer"));
    page.fields(&household_fields(s, &w));
    page.heading(&w.w("上门服务", "Visit"));
    let mut visit = vec![
        (w.w("开始时间", "Started"), stamp(s.form.started_at)),
        technician_field(s, &w),
        (w.w("结果", "Outcome"), outcome_text(&s.form.outcome, &w)),
    ];
    if let Some(n) = &s.order_number {
        visit.insert(1, (w.w("工单号", "Work order"), n.clone()));
    }
    page.fields(&visit);

    for section in &s.template.sections {
        let rows: Vec<Vec<String>> = section
            .items
            .iter()
            .filter(|i| s.form.is_visible(&s.template, i))
            .filter_map(|item| {
                let answer = s.form.answers.get(&item.id)?;
                Some(vec![
                    w.w(&item.label.zh, &item.label.en),
                    answer_text(item, answer, &w),
                ])
            })
            .collect();
        let photos: Vec<&PhotoRef> = section
            .items
            .iter()
            .filter(|i| s.form.is_visible(&s.template, i))
            .flat_map(|i| s.form.photos.get(&i.id).into_iter().flatten())
            .collect();
        if rows.is_empty() && photos.is_empty() {
            continue;
        }
        page.heading(&w.w(&section.title.zh, &section.title.en));
        if !rows.is_empty() {
            page.table(&[w.w("项目", "Item"), w.w("结果", "Result")], &rows);
        }
        if !photos.is_empty() {
            page.push("<div class=\"photos\">");
            for p in photos {
                page.push(&photo_tag(store, p, &w));
            }
            page.push("</div>");
        }
    }
    if let Outcome::CustomerRefusedToSign { photo, .. } = &s.form.outcome {
        page.heading(&w.w("拒签照片", "Photo of the refusal"));
        page.push("<div class=\"photos\">");
        page.push(&photo_tag(store, photo, &w));
        page.push("</div>");
    }
    let found = hazards(&s.form, &s.template);
    if !found.is_empty() {
        page.para(
            "note fail",
            &w.w(
                &format!("本次发现隐患 {} 项，详见《隐患整改通知书》。", found.len()),
                &format!(
                    "{} hazard(s) found: see the hazard rectification notice.",
                    found.len()
                ),
            ),
        );
    }
    signatures(&mut page, s, &w);
    seal_lines(&mut page, s, &w);
    page.finish(&title, w.html_lang(), Sheet::A4)
}

/// The hazard rectification notice: each hazard with its deadline, what the user must do.
pub fn hazard_notice(store: &Store, s: &Source, lang: Lang) -> String {
    let w = Words { lang };
    let found = hazards(&s.form, &s.template);
    let title = w.w("燃气安全隐患整改通知书", "Gas hazard rectification notice");
    let mut page = Page::new();
    page.push(&format!("<h1>{}</h1>", esc(&title)));
    page.para(
        "no",
        &format!("{} {}", w.w("编号", "No."), number("YH", &s.form)),
    );
    page.fields(&household_fields(s, &w));
    let inspected = s
        .form
        .seal
        .as_ref()
        .map_or(s.form.started_at, |x| x.sealed_at);
    page.fields(&[
        (w.w("检查时间", "Inspected"), stamp(inspected)),
        technician_field(s, &w),
    ]);
    page.para(
        "",
        &format!(
            "{}{}",
            s.household.name,
            w.w(
                "：经我公司安全检查人员入户检查，您处存在下列燃气安全隐患。为保障您和他人的生命财产安全，请按下列期限和要求整改：",
                ": our inspector found the gas hazards below at your home. For your safety and your neighbours', put each right by its date as described:"
            )
        ),
    );
    let rows: Vec<Vec<String>> = found
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let grade = if h.major {
                w.w("重大隐患", "major")
            } else {
                w.w("一般隐患", "general")
            };
            let by = if h.major {
                w.w("立即整改", "at once")
            } else {
                format!("{}{}", date(h.by, lang), w.w("前", " at the latest"))
            };
            let mut done = Vec::new();
            if h.shut_off {
                done.push(w.w("已当场停气", "gas shut off on the spot"));
            }
            if h.major {
                done.push(w.w("已安排复查", "a follow-up visit is ordered"));
            }
            vec![
                format!("\u{1}{}", i + 1),
                h.what.clone(),
                grade,
                h.advice.clone().unwrap_or_default(),
                by,
                done.join("；"),
            ]
        })
        .collect();
    page.table(
        &[
            w.w("序号", "No."),
            w.w("不合格项", "Failed check"),
            w.w("等级", "Grade"),
            w.w("整改意见", "What to do"),
            w.w("整改期限", "Put right by"),
            w.w("已采取措施", "Done on site"),
        ],
        &rows,
    );
    let evidence: Vec<(usize, &PhotoRef)> = found
        .iter()
        .enumerate()
        .flat_map(|(i, h)| {
            s.form
                .photos
                .get(&h.item)
                .into_iter()
                .flatten()
                .map(move |p| (i + 1, p))
        })
        .collect();
    if !evidence.is_empty() {
        page.heading(&w.w("隐患照片", "Photos of the hazards"));
        page.push("<div class=\"photos\">");
        for (n, p) in evidence {
            page.push(&format!(
                "<figure>{}<figcaption>{n}</figcaption></figure>",
                photo_tag(store, p, &w)
            ));
        }
        page.push("</div>");
    }
    page.heading(&w.w("用户须知", "What you must do"));
    let mut musts = vec![
        w.w(
            "请在整改期限内完成整改；重大隐患须立即整改，整改完成前不得使用燃气。",
            "Put each hazard right by its date; a major hazard at once, without using gas until it is.",
        ),
        w.w(
            "整改完成后，请联系我公司客户服务中心申请复查。",
            "When it is done, call our customer service centre for a follow-up inspection.",
        ),
        w.w(
            "如闻到燃气异味：立即关闭燃气阀门，打开门窗通风，严禁动用明火、开关电器或拨打电话，到室外安全处拨打燃气抢修电话。",
            "If you smell gas: close the gas valve, open doors and windows, use no flame, switch or phone inside, and call the gas emergency line from outside.",
        ),
    ];
    if found.iter().any(|h| h.shut_off) {
        musts.push(w.w(
            "已停气的，须整改合格并经我公司复查后方可恢复供气，严禁自行开启。",
            "Where the gas was shut off, it is turned back on only after the hazard is put right and our inspector has checked it: never turn it on yourself.",
        ));
    }
    musts.push(w.w(
        "因未按期整改造成的事故，责任由用户承担。",
        "An accident caused by a hazard not put right in time is the user's responsibility.",
    ));
    page.push("<ol class=\"note\">");
    for m in &musts {
        page.push(&format!("<li>{}</li>", esc(m)));
    }
    page.push("</ol>");
    page.para(
        "note",
        &w.w(
            "我公司提供全天候（24小时）服务。本通知书一式两份，用户与公司各执一份。",
            "We serve 24 hours a day, every day. This notice is made out in two copies: one for the user, one for the company.",
        ),
    );
    signatures(&mut page, s, &w);
    seal_lines(&mut page, s, &w);
    page.finish(&title, w.html_lang(), Sheet::A4)
}

/// The fee receipt: lines, total, method, receipt number, collector.
pub fn receipt(s: &Source, charges: &Charges, lang: Lang) -> String {
    let w = Words { lang };
    let money = crate::app::format::money;
    let title = w.w("收费凭证", "Receipt");
    let mut page = Page::new();
    page.push(&format!("<h1>{}</h1>", esc(&title)));
    page.para(
        "no",
        &format!(
            "{} {}",
            w.w("收据编号", "Receipt No."),
            charges.receipt_number().unwrap_or("")
        ),
    );
    let when = s
        .form
        .seal
        .as_ref()
        .map_or(s.form.started_at, |x| x.sealed_at);
    let mut fields = household_fields(s, &w);
    fields.push((w.w("收费时间", "Date"), stamp(when)));
    if let Some(n) = &s.order_number {
        fields.push((w.w("工单号", "Work order"), n.clone()));
    }
    page.fields(&fields);
    let rows: Vec<Vec<String>> = charges
        .lines
        .iter()
        .map(|l| {
            vec![
                l.item.clone(),
                format!("\u{1}{}", l.quantity),
                format!("\u{1}{}", money(l.unit_price_fen)),
                format!("\u{1}{}", money(l.total_fen().unwrap_or(0))),
            ]
        })
        .collect();
    page.table(
        &[
            w.w("项目", "Item"),
            format!("\u{1}{}", w.w("数量", "Qty")),
            format!("\u{1}{}", w.w("单价", "Price")),
            format!("\u{1}{}", w.w("金额", "Amount")),
        ],
        &rows,
    );
    let total = charges.total_fen().unwrap_or(0);
    let method = charges
        .method
        .map(|m| {
            let t = method_words(m);
            w.w(&t.zh, &t.en)
        })
        .unwrap_or_default();
    let (name, badge) = s.technician.clone().unwrap_or_default();
    page.fields(&[
        (w.w("合计", "Total"), money(total)),
        (w.w("大写", "In words"), capital_yuan(total)),
        (w.w("收费方式", "Paid by"), method),
        (w.w("收款人", "Collected by"), format!("{name}（{badge}）")),
    ]);
    page.para(
        "note",
        &w.w(
            "请妥善保管本凭证。收费标准公开，如有疑问请联系我公司客户服务中心。",
            "Keep this receipt. Our prices are published; ask our customer service centre about any doubt.",
        ),
    );
    seal_lines(&mut page, s, &w);
    page.finish(&title, w.html_lang(), Sheet::Receipt)
}
