//! One signed form of a household: its template's title, the answers item by item in the
//! reader's language, whether its digest still verifies (the core's `seal::verify`), its photos
//! with their place and time flags, its signatures drawn from their strokes, and the day's
//! check-ins at the household judged by the core's rule.

use doorstep_core::calendar::local_date;
use doorstep_core::fees::yuan;
use doorstep_core::forms::form::{Answer, CheckResult, Form, Outcome};
use doorstep_core::forms::seal::verify;
use doorstep_core::forms::template::{Item, ItemKind, Template};
use doorstep_core::household::Household;
use doorstep_core::ids::{FormId, HouseholdId};
use doorstep_core::media::pipeline::Witness;
use doorstep_core::media::{PhotoMetadata, PhotoPolicy};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::visit::{CheckInPolicy, CheckInVerdict, DevicePosition, check_in};
use maud::{Markup, html};

use super::file::check_in_text;
use super::records::{self, CheckInSeen};
use super::{file_url, signature};
use crate::console::layout::{self, Nav, trusted, when};
use crate::console::words::household::Household as Words;
use crate::console::{Ctx, Lang};
use crate::error::{Error, Result};
use crate::records::decode;
use crate::storage::Tx;

/// A form as the page shows it, read in one transaction.
pub struct FormSeen {
    pub household: Household,
    pub form: Form,
    /// `None`: a template the server does not know (the form cannot be checked).
    pub template: Option<Template>,
    pub photos: Vec<PhotoSeen>,
    /// The check-ins at the household on the day of the visit, newest first.
    pub check_ins: Vec<CheckInSeen>,
}

/// One photo of the form.
pub struct PhotoSeen {
    /// The item it was attached to (`None`: the photo standing in for a refused signature).
    pub item: Option<String>,
    pub sha256: String,
    /// Whether the whole photo has reached the server.
    pub received: bool,
    pub metadata: Option<PhotoMetadata>,
}

/// Form `form_id` of household `id` (refused as not found when it is another household's).
pub fn read(tx: &mut dyn Tx, id: HouseholdId, form_id: FormId) -> Result<FormSeen> {
    let household = records::household(tx, id)?;
    let form: Form = tx
        .record(Entity::Form, &form_id.to_string())?
        .filter(|r| !r.deleted)
        .map(|r| decode(&r))
        .transpose()?
        .filter(|f: &Form| f.household_id == id)
        .ok_or(Error::NotFound("form"))?;
    let template = match records::template(tx, &form.template_id, form.template_version) {
        Ok(t) => Some(t),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let mut attached: Vec<(Option<String>, String)> = form
        .photos
        .iter()
        .flat_map(|(item, refs)| {
            refs.iter()
                .map(move |r| (Some(item.clone()), r.sha256.to_string()))
        })
        .collect();
    if let Outcome::CustomerRefusedToSign { photo, .. } = &form.outcome {
        attached.push((None, photo.sha256.to_string()));
    }
    let mut photos = Vec::with_capacity(attached.len());
    for (item, sha256) in attached {
        let received = tx.photo(&sha256)?.is_some_and(|p| p.complete);
        let metadata = records::photo_taken(tx, &sha256)?.map(|(_, m)| m);
        photos.push(PhotoSeen {
            item,
            sha256,
            received,
            metadata,
        });
    }
    let day = local_date(form.seal.as_ref().map_or(form.started_at, |s| s.sealed_at));
    let check_ins = records::check_ins(tx, id)?
        .into_iter()
        .filter(|c| local_date(c.at) == day)
        .collect();
    Ok(FormSeen {
        household,
        form,
        template,
        photos,
        check_ins,
    })
}

pub fn page(ctx: &Ctx, seen: &FormSeen) -> Markup {
    let w = &ctx.words().household;
    let lang = ctx.lang.core();
    let form = &seen.form;
    let title = match &seen.template {
        Some(t) => t.title.get(lang).to_owned(),
        None => form.template_id.clone(),
    };
    let content = html! {
        p {
            a href=(file_url(seen.household.id)) {
                (w.back_to_file) ": " (super::file::page_title(w, &seen.household))
            }
        }
        section.panel aria-labelledby="seal" {
            h2 #seal { (w.form_digest) }
            dl.facts {
                dt { (w.form_template) } dd { (title) " (" (form.template_id) " v" (form.template_version) ")" }
                dt { (w.form_sealed_at) }
                dd { (form.seal.as_ref().map(|s| when(s.sealed_at)).unwrap_or_else(|| w.not_sealed.to_owned())) }
                dt { (w.outcome) } dd { (outcome(w, &form.outcome)) }
                dt { (w.form_digest) }
                dd {
                    @match seen.template.as_ref().map(|t| verify(form, t)) {
                        Some(Ok(())) => span.badge.green #digest-verified { "✓ " (w.digest_verified) },
                        Some(Err(_)) => span.badge.red #digest-mismatch role="alert" { "✗ " (w.digest_mismatch) },
                        None => span.badge.amber { (w.not_sealed) },
                    }
                }
                @if let Some(s) = &form.seal {
                    dt { (w.digest_label) } dd { code { (s.digest) } }
                }
            }
        }
        @if let Some(t) = &seen.template { (answers(ctx, form, t, &seen.household)) }
        (photos(ctx, seen))
        (signatures(ctx, form, seen.template.as_ref()))
        (check_ins(ctx, &seen.check_ins))
    };
    layout::page(ctx, Nav::None, &title, content)
}

fn outcome(w: &Words, outcome: &Outcome) -> String {
    match outcome {
        Outcome::Completed => w.outcome_completed.to_owned(),
        Outcome::NobodyHome { note } => format!("{} · {note}", w.outcome_nobody_home),
        Outcome::AccessRefused { note } => format!("{} · {note}", w.outcome_access_refused),
        Outcome::CustomerRefusedToSign { reason, .. } => {
            format!("{} · {reason}", w.outcome_refused_to_sign)
        }
    }
}

fn answers(ctx: &Ctx, form: &Form, template: &Template, household: &Household) -> Markup {
    let w = &ctx.words().household;
    let lang = ctx.lang.core();
    html! {
        section.panel aria-labelledby="answers" {
            h2 #answers { (w.answers) }
            @for section in &template.sections {
                @let items: Vec<&Item> = section.items.iter()
                    .filter(|i| form.is_visible(template, i))
                    .filter(|i| !matches!(i.kind, ItemKind::Photo { .. } | ItemKind::Signature { .. }))
                    .collect();
                @if !items.is_empty() {
                    h3 { (section.title.get(lang)) }
                    table {
                        colgroup { col style="width: 55%"; col; }
                        thead { tr { th scope="col" { (w.item) } th scope="col" { (w.answer) } } }
                        tbody {
                            @for item in items {
                                @let failed = matches!(form.answers.get(&item.id), Some(Answer::Check(c)) if c.result == CheckResult::Fail);
                                tr class=[failed.then_some("warn")] {
                                    th scope="row" { (item.label.get(lang)) }
                                    td {
                                        @match form.answers.get(&item.id) {
                                            Some(a) => { (answer(ctx.lang, item, a, household)) }
                                            None => { span.muted { (w.no_answer) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An answer in the reader's language: choices and units by the template's labels; a position
/// judged against the household's address by the core's check-in rule.
fn answer(lang: Lang, item: &Item, answer: &Answer, household: &Household) -> Markup {
    let w = &lang.words().household;
    let core = lang.core();
    let choice = |id: &str| -> String {
        let choices = match &item.kind {
            ItemKind::SingleChoice { choices } | ItemKind::MultipleChoice { choices, .. } => {
                choices.as_slice()
            }
            _ => &[],
        };
        choices
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_owned(), |c| c.label.get(core).to_owned())
    };
    match answer {
        Answer::Check(c) => {
            let (class, text) = match c.result {
                CheckResult::Pass => ("badge green", w.check_pass),
                CheckResult::Fail => ("badge red", w.check_fail),
                CheckResult::Na => ("badge", w.check_na),
            };
            html! {
                span class=(class) { (text) }
                @if let Some(advice) = &c.advice { " " (w.advice) ": " (advice) }
            }
        }
        Answer::Number(n) => match &item.kind {
            ItemKind::Number { unit, .. } => html! { (n) " " (unit.label().get(core)) },
            _ => html! { (n) },
        },
        Answer::Text(t) => html! { (t) },
        Answer::Choice(id) => html! { (choice(id)) },
        Answer::Choices(ids) => {
            html! { (ids.iter().map(|id| choice(id)).collect::<Vec<_>>().join(", ")) }
        }
        Answer::Date(d) => html! { (d.to_string()) },
        Answer::DateTime(t) => html! { (when(*t)) },
        Answer::MeterReading(v) => html! { (v) },
        Answer::Location(l) => {
            let judged = DevicePosition::new(l.point, l.accuracy_m)
                .ok()
                .map(|at| check_in(household.location, at, &CheckInPolicy::default()));
            html! {
                (format!("{:.6}, {:.6}", l.point.lat(), l.point.lon())) " · " ((w.accuracy)(l.accuracy_m))
                @if let Some(judged) = judged.filter(|j| j.flagged()) {
                    " " span.badge.red.location-flag {
                        (check_in_text(lang, &judged))
                    }
                }
            }
        }
        Answer::Charges(c) => html! {
            ul {
                @for line in &c.lines {
                    li { (line.item) " · " (line.quantity) " × ¥" (yuan(line.unit_price_fen)) }
                }
            }
            @if let Some(total) = c.total_fen() { ((w.charges_total)(&yuan(total))) }
            @if let Some(receipt) = &c.receipt { " · " (w.receipt) " " (receipt) }
        },
    }
}

/// What is doubtful about a photo, by the core's rules: taken far from the household's address
/// (the check-in rule, on the position stamped), the camera's clock or position disagreeing
/// with the phone's (the photo policy's limits), a stamp in the phone's time.
fn photo_flags(w: &Words, household: &Household, m: &PhotoMetadata) -> Vec<String> {
    let policy = PhotoPolicy::default();
    let mut flags = Vec::new();
    let position = m
        .stamped
        .as_ref()
        .and_then(|s| s.position)
        .or(m.device_position);
    if let (Some(at), Some(home)) = (position, household.location)
        && let Ok(device) = DevicePosition::new(at, 0.0)
    {
        let judged = check_in(Some(home), device, &CheckInPolicy::default());
        if let CheckInVerdict::FarFromAddress { .. } = judged.verdict {
            flags.push((w.photo_far)(judged.distance_m.unwrap_or_default()));
        }
    }
    if let Some(gap) = m.clock_gap_s.filter(|g| g.abs() > policy.max_clock_gap_s) {
        flags.push((w.photo_clock_gap)(gap));
    }
    if let Some(gap) = m.position_gap_m.filter(|g| *g > policy.max_position_gap_m) {
        flags.push((w.photo_place_gap)(gap));
    }
    if m.stamped
        .as_ref()
        .is_some_and(|s| s.time_from == Witness::Device)
        && m.camera.taken_at.is_some()
    {
        flags.push(w.photo_device_clock.to_owned());
    }
    flags
}

fn photos(ctx: &Ctx, seen: &FormSeen) -> Markup {
    let w = &ctx.words().household;
    let lang = ctx.lang.core();
    let item_label = |id: &Option<String>| -> String {
        match (id, &seen.template) {
            (Some(id), Some(t)) => t
                .item(id)
                .map_or_else(|| id.clone(), |i| i.label.get(lang).to_owned()),
            (Some(id), None) => id.clone(),
            (None, _) => w.outcome_refused_to_sign.to_owned(),
        }
    };
    html! {
        section.panel aria-labelledby="photos" {
            h2 #photos { (w.photos) }
            @if seen.photos.is_empty() {
                p.muted { (w.no_photos) }
            } @else {
                p.muted { (w.watermark_note) }
                div.thumbs {
                    @for (n, p) in seen.photos.iter().enumerate() {
                        @let flags = p.metadata.as_ref().map(|m| photo_flags(w, &seen.household, m));
                        figure.photo {
                            @if p.received {
                                a href=(format!("/console/photos/{}", p.sha256)) {
                                    img src=(format!("/console/photos/{}/thumb", p.sha256))
                                        alt=((w.photo_alt)(n + 1)) loading="lazy";
                                }
                            } @else {
                                p.muted { (w.photo_not_received) }
                            }
                            figcaption {
                                (item_label(&p.item))
                                @if let Some(m) = &p.metadata {
                                    br; span.muted { (w.photo_taken) " " (when(m.stamped.as_ref().map_or(m.device_time, |s| s.time))) }
                                }
                                br;
                                @match &flags {
                                    None => span.muted { (w.photo_no_metadata) },
                                    Some(f) if f.is_empty() => span.badge.green { (w.photo_ok) },
                                    Some(f) => {
                                        @for flag in f { span.badge.red.photo-flag { (flag) } " " }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn signatures(ctx: &Ctx, form: &Form, template: Option<&Template>) -> Markup {
    let w = &ctx.words().household;
    let lang = ctx.lang.core();
    html! {
        section.panel aria-labelledby="signatures" {
            h2 #signatures { (w.signatures) }
            @if form.signatures.is_empty() { p.muted { (ctx.words().common.none) } }
            div.thumbs {
                @for (item, s) in &form.signatures {
                    @let label = template.and_then(|t| t.item(item)).map_or_else(|| item.clone(), |i| i.label.get(lang).to_owned());
                    figure.signature style="width: 340px" {
                        div role="img" aria-label=((w.signature_alt)(&s.capture.signer_name)) {
                            (trusted(signature::svg(&s.capture)))
                        }
                        figcaption {
                            (label) br;
                            ((w.signed_by)((w.signer_role)(s.capture.role), &s.capture.signer_name, &when(s.capture.signed_at)))
                        }
                    }
                }
            }
        }
    }
}

fn check_ins(ctx: &Ctx, check_ins: &[CheckInSeen]) -> Markup {
    let w = &ctx.words().household;
    html! {
        section.panel aria-labelledby="check-ins" {
            h2 #check-ins { (w.check_ins) }
            @if check_ins.is_empty() {
                p.muted { (w.no_check_ins) }
            } @else {
                table {
                    thead { tr { th scope="col" { (w.when) } th scope="col" { (w.what) } th scope="col" { (w.distance) } } }
                    tbody {
                        @for c in check_ins {
                            tr class=[c.check_in.flagged().then_some("warn")] {
                                td { (when(c.at)) }
                                td {
                                    @if c.check_in.flagged() { span.badge.red { (check_in_text(ctx.lang, &c.check_in)) } }
                                    @else { (check_in_text(ctx.lang, &c.check_in)) }
                                }
                                td { (c.check_in.distance_m.map(|d| format!("{d:.0} m")).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
    }
}
