//! Copy screen: a copy for the customer of a sealed form (the visit report, the hazard
//! rectification notice 隐患整改通知书, the fee receipt) as one self-contained HTML file the shell
//! prints or shares with the platform's own services.
//!
//! The screen shows what the paper says in short and the two actions; pressing one writes the
//! file to `files()/copies/<paper>-<form id>.html` (no personal data in the name) and asks the
//! shell to print it (`Effect::Print`) or share it (`Effect::Share`, `text/html`). The paper is
//! in Chinese, with English beside when the app is in English. Every value is escaped (a
//! customer's name may hold `<`); signatures and photo thumbnails are inside as `data:` URIs.

mod capital;
pub mod html;
pub mod paper;
pub mod rectification;

use serde::{Deserialize, Serialize};

use super::parts::Field;
use super::{Action, Cx, Outcome};
use crate::app::effect::Effect;
use crate::error::{Error, Result};
use crate::forms::form::Form;
use crate::ids::FormId;
use crate::media::signature::SignerRole;
use crate::text::{Text, said};
use paper::Source;

/// What the Copy screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyScreen {
    /// The paper's name: "上门服务记录" / "Visit report", "隐患整改通知书" / "Hazard
    /// rectification notice", "收费凭证" / "Receipt".
    pub title: String,
    pub paper: Paper,
    /// One line describing the paper: "王秀英 · 2026-12-07 14:05 · 3 张照片 · 2 个签字".
    pub description: String,
    /// What the paper says, in short (the preview).
    pub summary: Vec<Field>,
    /// The file's name, once written: `receipt-<form id>.html`.
    pub file_name: String,
    /// "打印" / "Print".
    pub print: Action,
    /// "分享" / "Share".
    pub share: Action,
    /// Why there is no such paper for this form (not sealed, no hazard found, nothing
    /// collected, not on this phone).
    pub problem: Option<String>,
    pub accessibility: String,
}

/// What the user does on the Copy screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CopyEvent {
    Refresh,
    /// Write the paper and print it with the platform's print service.
    Print,
    /// Write the paper and share it with the platform's share sheet.
    Share,
}

/// Which paper is made for the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    /// The visit report of a sealed form (上门服务记录).
    VisitReport,
    /// The hazard rectification notice of a sealed form's failed checks (隐患整改通知书).
    HazardNotice,
    /// The receipt of the fees a sealed form collected (收费凭证).
    Receipt,
}

/// Which paper of which sealed form the Copy screen shows; kept on the back stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyInput {
    pub paper: Paper,
    pub form: FormId,
}

impl CopyInput {
    /// The visit report of the sealed form `form` (the Form and Work order screens push it).
    pub fn visit_report(form: FormId) -> Self {
        Self {
            paper: Paper::VisitReport,
            form,
        }
    }

    /// The hazard rectification notice of the sealed form `form`.
    pub fn hazard_notice(form: FormId) -> Self {
        Self {
            paper: Paper::HazardNotice,
            form,
        }
    }

    /// The fee receipt of the sealed form `form`.
    pub fn receipt(form: FormId) -> Self {
        Self {
            paper: Paper::Receipt,
            form,
        }
    }

    /// The input of a link's path `<paper>/<form id>` (`doorstep://copy/receipt/<id>`).
    pub fn parse_link(path: &str) -> Option<Self> {
        let (paper, form) = path.split_once('/')?;
        let paper = match paper {
            "visit_report" => Paper::VisitReport,
            "hazard_notice" => Paper::HazardNotice,
            "receipt" => Paper::Receipt,
            _ => return None,
        };
        Some(Self {
            paper,
            form: form.parse().ok()?,
        })
    }

    /// The link's path of this input: `<paper>/<form id>`.
    pub fn link_path(&self) -> String {
        let paper = match self.paper {
            Paper::VisitReport => "visit_report",
            Paper::HazardNotice => "hazard_notice",
            Paper::Receipt => "receipt",
        };
        format!("{paper}/{}", self.form)
    }
}

impl Paper {
    pub fn title(self) -> Text {
        match self {
            Paper::VisitReport => said("上门服务记录", "Visit report"),
            Paper::HazardNotice => said("隐患整改通知书", "Hazard rectification notice"),
            Paper::Receipt => said("收费凭证", "Receipt"),
        }
    }

    fn file_stem(self) -> &'static str {
        match self {
            Paper::VisitReport => "visit-report",
            Paper::HazardNotice => "hazard-notice",
            Paper::Receipt => "receipt",
        }
    }
}

/// The sealed form and what it names, or why there is no paper.
fn source(cx: &Cx<'_>, input: &CopyInput) -> Result<std::result::Result<Source, Text>> {
    let form: Form = match cx.read().form(input.form) {
        Ok(form) => form,
        Err(Error::NotFound { .. }) => {
            return Ok(Err(said(
                "本机没有这份表单",
                "this form is not on this phone",
            )));
        }
        Err(e) => return Err(e),
    };
    if !form.is_sealed() {
        return Ok(Err(said(
            "表单签封后才能出具给用户的文件",
            "a paper for the customer is made once the form is sealed",
        )));
    }
    let template = cx
        .read()
        .template(&form.template_id, form.template_version)?;
    let household = cx.read().household(form.household_id)?;
    let mine = cx
        .read()
        .sync_state()?
        .technician_id
        .and_then(|id| cx.read().technician(id).ok())
        .map(|t| (t.name, t.badge));
    let signed = form
        .signatures
        .values()
        .find(|s| s.capture.role == SignerRole::Technician)
        .map(|s| (s.capture.signer_name.clone(), String::new()));
    let order_number = form
        .work_order_id
        .and_then(|id| cx.read().work_order(id).ok())
        .map(|o| o.number);
    let source = Source {
        technician: mine.or(signed),
        form,
        template,
        household,
        order_number,
    };
    match input.paper {
        Paper::HazardNotice
            if rectification::hazards(&source.form, &source.template).is_empty() =>
        {
            Ok(Err(said(
                "这次上门没有发现隐患，无需整改通知书",
                "no hazard was found on this visit: there is no rectification notice",
            )))
        }
        Paper::Receipt if source.form.collection(&source.template).is_none() => Ok(Err(said(
            "这次上门没有收费，没有收费凭证",
            "nothing was collected on this visit: there is no receipt",
        ))),
        _ => Ok(Ok(source)),
    }
}

fn file_name(input: &CopyInput) -> String {
    format!("{}-{}.html", input.paper.file_stem(), input.form)
}

/// What the paper says, in short, and its one-line description.
fn summary(cx: &Cx<'_>, paper: Paper, s: &Source) -> (Vec<Field>, String) {
    let money = crate::app::format::money;
    let sealed = s
        .form
        .seal
        .as_ref()
        .map(|x| paper::stamp(x.sealed_at))
        .unwrap_or_default();
    let mut fields = vec![
        Field::new(cx, &said("用户", "Customer"), s.household.name.clone()),
        Field::new(cx, &said("地址", "Address"), s.household.address.one_line()),
        Field::new(cx, &said("签封时间", "Sealed"), sealed.clone()),
    ];
    let mut parts = vec![s.household.name.clone(), sealed];
    match paper {
        Paper::VisitReport => {
            let photos: usize = s.form.photos.values().map(Vec::len).sum();
            let signatures = s.form.signatures.len();
            let (p, g) = (
                cx.say(&format!("{photos} 张照片"), &format!("{photos} photos")),
                cx.say(
                    &format!("{signatures} 个签字"),
                    &format!("{signatures} signatures"),
                ),
            );
            fields.push(Field::new(
                cx,
                &said("表单", "Form"),
                cx.t(&s.template.title),
            ));
            fields.push(Field::new(cx, &said("照片", "Photos"), p.clone()));
            fields.push(Field::new(cx, &said("签字", "Signatures"), g.clone()));
            if let Some(seal) = &s.form.seal {
                fields.push(Field::new(
                    cx,
                    &said("签封摘要", "Seal digest"),
                    seal.digest.chars().take(16).collect::<String>(),
                ));
            }
            parts.extend([p, g]);
        }
        Paper::HazardNotice => {
            let found = rectification::hazards(&s.form, &s.template);
            for h in &found {
                let by = if h.major {
                    cx.say("重大隐患，立即整改", "major: at once")
                } else {
                    let d = h.by.format("%Y-%m-%d");
                    cx.say(
                        &format!("一般隐患，{d} 前整改"),
                        &format!("general: by {d}"),
                    )
                };
                fields.push(Field {
                    label: h.what.clone(),
                    value: by,
                });
            }
            parts.push(cx.say(
                &format!("{} 项隐患", found.len()),
                &format!("{} hazards", found.len()),
            ));
        }
        Paper::Receipt => {
            if let Some(c) = s.form.collection(&s.template) {
                let method = cx.t(&super::fees::method_words(c.method));
                fields.push(Field::new(cx, &said("收据编号", "Receipt No."), c.receipt));
                fields.push(Field::new(cx, &said("合计", "Total"), money(c.total_fen)));
                fields.push(Field::new(cx, &said("收费方式", "Paid by"), method.clone()));
                parts.extend([money(c.total_fen), method]);
            }
        }
    }
    (fields, parts.join(" · "))
}

pub fn render(cx: &Cx<'_>, input: &CopyInput) -> Result<CopyScreen> {
    let title = cx.t(&input.paper.title());
    let (summary, description, problem) = match source(cx, input)? {
        Ok(s) => {
            let (fields, line) = summary(cx, input.paper, &s);
            (fields, line, None)
        }
        Err(why) => (Vec::new(), String::new(), Some(cx.t(&why))),
    };
    let action = |label: Text| match &problem {
        None => Action::new(cx, &label, true),
        Some(why) => {
            let why = said(why.clone(), why.clone());
            Action::disabled(cx, &label, &why)
        }
    };
    let mut print = action(said("打印", "Print"));
    let mut share = action(said("分享", "Share"));
    if problem.is_none() {
        print.accessibility = cx.say(&format!("打印{title}"), &format!("Print the {title}"));
        share.accessibility = cx.say(&format!("分享{title}"), &format!("Share the {title}"));
    }
    let accessibility = match &problem {
        Some(why) => cx.say(&format!("{title}：{why}"), &format!("{title}: {why}")),
        None => cx.say(
            &format!("{title}：{description}"),
            &format!("{title}: {description}"),
        ),
    };
    Ok(CopyScreen {
        title,
        paper: input.paper,
        description,
        summary,
        file_name: file_name(input),
        print,
        share,
        problem,
        accessibility,
    })
}

/// The paper of `input` as its HTML document.
pub fn document(cx: &Cx<'_>, input: &CopyInput) -> Result<String> {
    let s = source(cx, input)?.map_err(|why| crate::InvalidInput::new("paper", why))?;
    Ok(match input.paper {
        Paper::VisitReport => paper::visit_report(cx.read(), &s, cx.lang),
        Paper::HazardNotice => paper::hazard_notice(cx.read(), &s, cx.lang),
        Paper::Receipt => {
            let charges = s.form.charges(&s.template).cloned().ok_or_else(|| {
                crate::InvalidInput::new("paper", said("没有收费", "nothing collected"))
            })?;
            paper::receipt(&s, &charges, cx.lang)
        }
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut CopyInput, event: CopyEvent) -> Result<Outcome> {
    let print = match event {
        CopyEvent::Refresh => return Ok(Outcome::stay()),
        CopyEvent::Print => true,
        CopyEvent::Share => false,
    };
    let html = document(cx, input)?;
    let dir = cx.files().join("copies");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(file_name(input));
    // Written whole beside, then moved over: a shell never reads half a paper.
    let partial = path.with_extension("html.part");
    std::fs::write(&partial, html.as_bytes())?;
    std::fs::rename(&partial, &path)?;
    let path = path.to_string_lossy().into_owned();
    let title = cx.t(&input.paper.title());
    let mime = "text/html".to_owned();
    let effect = if print {
        Effect::Print { path, mime, title }
    } else {
        Effect::Share { path, mime, title }
    };
    Ok(Outcome::stay().with_effect(effect))
}
