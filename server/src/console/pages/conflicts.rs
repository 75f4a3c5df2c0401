//! The conflicts page (issue 26, Supervisor and above): what sync kept for review, side by side
//! (the value kept and the value overridden, who wrote each and when, the rule), each resolved
//! here by keeping the kept value or taking the other; and the work parked for the office,
//! accepted or rejected with a reason the technician reads.
//!
//! Taking the other value is an office edit of the household ([`put_from_office_since`]) made
//! on the version the page was drawn from: synced to the phones by the normal path and audited
//! (`conflict_resolved`). A choice made on a page drawn before the field changed again is
//! refused (409) with the field's value now shown.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use doorstep_core::household::{Address, Household, SpecialGroup, SpecialGroupRegistration};
use doorstep_core::ids::OperationId;
use doorstep_core::sync::merge::{Author, ConflictRule, FieldRule, FieldStamps};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::Technician;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use crate::admin::{decide_parked_op, parked_rows};
use crate::api::AppState;
use crate::console::layout::{Nav, csrf_field, page, when};
use crate::console::words::conflicts::Conflicts;
use crate::console::{ConsoleError, Ctx, Lang, Role};
use crate::error::Error;
use crate::push::parked::Decide;
use crate::records::{decode, put_from_office_since};
use crate::storage::{Actor, ConflictResolution, ParkReason, ParkedRow, ReviewedConflict, Tx};

/// Conflicts per page.
const PAGE: usize = 50;
/// The most parked operations shown (oldest first).
const PARKED_SHOWN: usize = 200;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/conflicts", get(show))
        .route("/console/conflicts/{n}", post(resolve))
        .route("/console/parked/{op_id}", post(decide))
}

#[derive(Debug, Default, Deserialize)]
struct Listed {
    /// `1`: the resolved ones.
    resolved: Option<String>,
    page: Option<usize>,
    /// What the post before the redirect did.
    done: Option<String>,
}

impl Listed {
    fn resolved(&self) -> bool {
        self.resolved.as_deref() == Some("1")
    }

    fn page(&self) -> usize {
        self.page.unwrap_or(1).max(1)
    }
}

async fn show(ctx: Ctx, Query(listed): Query<Listed>) -> Result<Markup, ConsoleError> {
    ctx.require(Role::Supervisor)?;
    draw(&ctx, &listed, Problem::None).await
}

/// What a refused post shows above the lists.
enum Problem {
    None,
    /// A choice on a field that changed since the page was drawn: its value now.
    Stale {
        n: i64,
        now: String,
    },
    Said(&'static str),
    /// A rejection without a reason, beside the parked operation's reason field.
    NoReason(OperationId),
}

/// Who wrote a value, as the page names them.
#[derive(Debug, Clone)]
enum Who {
    Office,
    Server,
    Technician { name: String, badge: String },
    Unknown,
}

/// The record a conflict is about.
#[derive(Debug, Clone)]
enum Subject {
    Household {
        id: String,
        number: String,
        /// The household's version the page is drawn from.
        seq: i64,
        /// The field's value now.
        now: Value,
    },
    Order {
        number: String,
    },
    Gone,
}

struct Line {
    c: ReviewedConflict,
    subject: Subject,
    kept_by: Who,
    lost_by: Who,
}

struct ParkedLine {
    row: ParkedRow,
    what: String,
    household: Option<(String, String)>,
    technician: Who,
}

struct Listing {
    open: u64,
    resolved: u64,
    lines: Vec<Line>,
    parked: Vec<ParkedLine>,
    parked_more: bool,
}

async fn draw(ctx: &Ctx, listed: &Listed, problem: Problem) -> Result<Markup, ConsoleError> {
    let resolved = listed.resolved();
    let offset = (listed.page() - 1) * PAGE;
    let listing = ctx
        .read(move |tx| {
            let open = tx.count_conflicts_to_review(false)?;
            let resolved_count = tx.count_conflicts_to_review(true)?;
            let mut names = Names::default();
            let mut lines = Vec::new();
            for c in tx.conflicts_to_review(resolved, offset, PAGE)? {
                let subject = subject(tx, &c)?;
                let kept_by = names.who(tx, &c.row.kept_by)?;
                let lost_by = names.who(tx, &c.row.lost_by)?;
                lines.push(Line {
                    c,
                    subject,
                    kept_by,
                    lost_by,
                });
            }
            let mut parked = Vec::new();
            let mut rows = parked_rows(tx, false, PARKED_SHOWN + 1)?;
            let parked_more = rows.len() > PARKED_SHOWN;
            rows.truncate(PARKED_SHOWN);
            for (row, what) in rows {
                let household = match &row.household_id {
                    Some(id) => tx
                        .record(Entity::Household, id)?
                        .filter(|r| !r.deleted)
                        .and_then(|r| r.key.clone())
                        .map(|number| (id.clone(), number)),
                    None => None,
                };
                let technician = names.technician(tx, &row.technician_id)?;
                parked.push(ParkedLine {
                    row,
                    what,
                    household,
                    technician,
                });
            }
            Ok(Listing {
                open,
                resolved: resolved_count,
                lines,
                parked,
                parked_more,
            })
        })
        .await?;
    let w = ctx.words();
    let c = &w.conflicts;
    let total = if resolved {
        listing.resolved
    } else {
        listing.open
    };
    let first = offset as u64 + 1;
    let last = offset as u64 + listing.lines.len() as u64;
    let done = match listed.done.as_deref() {
        Some("resolved") => Some(c.done_resolved),
        Some("accepted") => Some(c.done_accepted),
        Some("rejected") => Some(c.done_rejected),
        _ => None,
    };
    let page_link = |page: usize| {
        format!(
            "/console/conflicts?{}page={page}",
            if resolved { "resolved=1&" } else { "" }
        )
    };
    let content = html! {
        @if let Some(done) = done { p.notice role="status" { (done) } }
        @match &problem {
            Problem::Said(text) => { p.alert role="alert" { (text) } }
            Problem::Stale { now, .. } => {
                p.alert role="alert" { (c.stale_choice) " " (c.stale_now) (now) }
            }
            _ => {}
        }
        section.panel aria-labelledby="conflicts-heading" {
            h2 #conflicts-heading { (c.conflicts_heading) }
            nav.filters aria-label=(c.filter_label) {
                span { (c.filter_label) ":" }
                a href="/console/conflicts" aria-current=[(!resolved).then_some("page")] {
                    (c.filter_open) " (" (listing.open) ")"
                }
                a href="/console/conflicts?resolved=1" aria-current=[resolved.then_some("page")] {
                    (c.filter_resolved) " (" (listing.resolved) ")"
                }
            }
            p.muted { ((c.shown)(total, first.min(last.max(1)), last)) }
            @if !listing.lines.is_empty() {
                table {
                    thead { tr {
                        th scope="col" { (c.col_record) }
                        th scope="col" { (c.col_field) }
                        th scope="col" { (c.col_kept) }
                        th scope="col" { (c.col_lost) }
                        th scope="col" { (c.col_rule) }
                        th scope="col" { (c.col_when) }
                        th scope="col" { (c.col_choice) }
                    } }
                    tbody {
                        @for line in &listing.lines {
                            (conflict_row(ctx, c, line, &problem))
                        }
                    }
                }
                p {
                    @if listed.page() > 1 {
                        a href=(page_link(listed.page() - 1)) { (c.previous_page) } " "
                    }
                    @if (last as usize) < total as usize {
                        a href=(page_link(listed.page() + 1)) { (c.next_page) }
                    }
                }
            }
        }
        section.panel aria-labelledby="parked-heading" {
            h2 #parked-heading { (c.parked_heading) }
            p.muted { (c.parked_intro) }
            p.muted { ((c.parked_shown)(listing.parked.len(), listing.parked_more)) }
            @if !listing.parked.is_empty() {
                table {
                    thead { tr {
                        th scope="col" { (c.col_what) }
                        th scope="col" { (c.household) }
                        th scope="col" { (c.col_reason) }
                        th scope="col" { (c.col_technician) }
                        th scope="col" { (c.col_parked_at) }
                        th scope="col" { (c.col_choice) }
                    } }
                    tbody {
                        @for p in &listing.parked {
                            (parked_row(ctx, c, p, &problem))
                        }
                    }
                }
            }
        }
    };
    Ok(page(ctx, Nav::Conflicts, c.title, content))
}

fn conflict_row(ctx: &Ctx, c: &Conflicts, line: &Line, problem: &Problem) -> Markup {
    let row = &line.c.row;
    let stale = matches!(problem, Problem::Stale { n, .. } if *n == line.c.n);
    let kept: Value = serde_json::from_str(&row.kept).unwrap_or(Value::Null);
    let lost: Value = serde_json::from_str(&row.lost).unwrap_or(Value::Null);
    let lang = ctx.lang;
    html! {
        tr.warn[stale] {
            td {
                @match &line.subject {
                    Subject::Household { id, number, .. } => {
                        (c.household) " "
                        a href=(format!("/console/households/{id}")) { (number) }
                    }
                    Subject::Order { number } => { (c.work_order) " " (number) }
                    Subject::Gone => { span.muted { (c.record_gone) } }
                }
            }
            td { (field_label(c, &row.field)) }
            td {
                (readable(c, lang, &row.field, &kept))
                br; span.muted { (who(c, &line.kept_by)) }
            }
            td {
                (readable(c, lang, &row.field, &lost))
                br; span.muted { (who(c, &line.lost_by)) }
            }
            td { (rule_label(c, row.rule)) }
            td { (when(row.at)) }
            td {
                @if let Subject::Household { now, .. } = &line.subject {
                    @if *now != kept {
                        p { span.badge.amber { (c.now_holds) } " " (readable(c, lang, &row.field, now)) }
                    }
                }
                @match &line.c.resolution {
                    Some(r) => {
                        @let by = staff_name(&r.by);
                        @let at = when(r.at);
                        span.badge.green {
                            @if r.took_other { ((c.resolved_took_other)(&by, &at)) }
                            @else { ((c.resolved_kept)(&by, &at)) }
                        }
                    }
                    None => {
                        form method="post" action=(format!("/console/conflicts/{}", line.c.n)) {
                            (csrf_field(&ctx.csrf))
                            @match &line.subject {
                                Subject::Household { seq, .. } => {
                                    input type="hidden" name="seq" value=(seq);
                                    button type="submit" name="choice" value="kept" { (c.keep_kept) }
                                    " "
                                    button.secondary type="submit" name="choice" value="other" { (c.take_other) }
                                }
                                _ => {
                                    input type="hidden" name="seq" value="0";
                                    button type="submit" name="choice" value="kept" { (c.acknowledge) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn parked_row(ctx: &Ctx, c: &Conflicts, p: &ParkedLine, problem: &Problem) -> Markup {
    let op = p.row.op_id;
    let missing = matches!(problem, Problem::NoReason(o) if *o == op);
    let reason_id = format!("reason-{op}");
    let error_id = format!("reason-error-{op}");
    html! {
        tr.warn[missing] {
            td { (what_label(c, &p.what)) }
            td {
                @match &p.household {
                    Some((id, number)) => { a href=(format!("/console/households/{id}")) { (number) } }
                    None => { span.muted { (c.record_gone) } }
                }
            }
            td { (reason_label(c, p.row.reason)) }
            td { (who(c, &p.technician)) }
            td { (when(p.row.parked_at)) }
            td {
                form method="post" action=(format!("/console/parked/{op}")) {
                    (csrf_field(&ctx.csrf))
                    button type="submit" name="decision" value="accept" { (c.accept) }
                }
                form method="post" action=(format!("/console/parked/{op}")) {
                    (csrf_field(&ctx.csrf))
                    label for=(reason_id) { (c.reject_reason) }
                    input type="text" id=(reason_id) name="reason" maxlength="500"
                        placeholder=(c.reject_reason_hint)
                        aria-invalid=[missing.then_some("true")]
                        aria-describedby=[missing.then_some(error_id.as_str())];
                    @if missing { p.field-error id=(error_id) { (c.reject_reason_missing) } }
                    button.danger type="submit" name="decision" value="reject" { (c.reject) }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct Choice {
    choice: String,
    seq: i64,
}

/// What resolving came to.
enum Resolved {
    Done,
    Stale(Value, String),
    Already,
}

async fn resolve(
    ctx: Ctx,
    Path(n): Path<i64>,
    Form(choice): Form<Choice>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Supervisor)?;
    let take_other = match choice.choice.as_str() {
        "other" => true,
        "kept" => false,
        _ => return Err(ConsoleError::NotFound("choice")),
    };
    let drawn = choice.seq;
    let audit = ctx.audit_row("conflict_resolved", "conflict", &n.to_string());
    let by = ctx.actor();
    let now = ctx.now;
    let outcome = ctx
        .write(move |tx| {
            let c = tx
                .conflict_to_review(n)?
                .ok_or(Error::NotFound("conflict"))?;
            if c.resolution.is_some() {
                return Ok(Resolved::Already);
            }
            let mut seq = None;
            if c.row.entity == Entity::Household {
                let field = c.row.field.clone();
                let record = tx
                    .record(Entity::Household, &c.row.entity_id)?
                    .filter(|r| !r.deleted)
                    .ok_or(Error::NotFound("household"))?;
                let stamps: FieldStamps =
                    serde_json::from_str(&record.stamps).map_err(Error::internal)?;
                let mut body: serde_json::Map<String, Value> =
                    serde_json::from_str(&record.body).map_err(Error::internal)?;
                if stamps.get(&field).is_some_and(|s| s.seq > drawn) {
                    let now = body.get(&field).cloned().unwrap_or(Value::Null);
                    return Ok(Resolved::Stale(now, field));
                }
                if take_other {
                    let other: Value =
                        serde_json::from_str(&c.row.lost).map_err(Error::internal)?;
                    body.insert(field, other);
                    let household: Household = serde_json::from_value(Value::Object(body))
                        .map_err(|_| {
                            Error::invalid("the overridden value does not fit the household now")
                        })?;
                    household.validate()?;
                    let (saved, _) = put_from_office_since(
                        tx,
                        &Record::Household(Box::new(household)),
                        drawn,
                        now,
                    )?;
                    seq = Some(saved.seq);
                }
            } else if take_other {
                // Only a household's field is taken back here; an order's status is the
                // order's own rules'.
                return Err(Error::invalid("only a household's value can be taken back"));
            }
            tx.resolve_conflict(&ConflictResolution {
                conflict: n,
                took_other: take_other,
                by: by.clone(),
                at: now,
                seq,
            })?;
            tx.audit(&audit)?;
            Ok(Resolved::Done)
        })
        .await?;
    let w = ctx.words();
    match outcome {
        Resolved::Done => Ok(Redirect::to("/console/conflicts?done=resolved").into_response()),
        Resolved::Already => {
            let page = draw(
                &ctx,
                &Listed::default(),
                Problem::Said(w.conflicts.already_resolved),
            )
            .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Resolved::Stale(value, field) => {
            let now = readable(&w.conflicts, ctx.lang, &field, &value);
            let page = draw(&ctx, &Listed::default(), Problem::Stale { n, now }).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
struct Decision {
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    ctx: Ctx,
    Path(op_id): Path<String>,
    Form(decision): Form<Decision>,
) -> Result<Response, ConsoleError> {
    ctx.require(Role::Supervisor)?;
    let op_id: OperationId = op_id
        .parse()
        .map_err(|_| ConsoleError::NotFound("parked operation"))?;
    let decide = match decision.decision.as_str() {
        "accept" => Decide::Accept,
        "reject" if decision.reason.trim().is_empty() => {
            let page = draw(&ctx, &Listed::default(), Problem::NoReason(op_id)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        "reject" => Decide::Reject(decision.reason.trim().to_owned()),
        _ => return Err(ConsoleError::NotFound("decision")),
    };
    let accepted = decide == Decide::Accept;
    let act = ctx.act();
    let decided = ctx
        .with_storage(
            move |storage| match decide_parked_op(storage, op_id, &decide, &act) {
                Ok(_) => Ok(true),
                Err(Error::Conflict(_)) => Ok(false),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    if !decided {
        let w = ctx.words();
        let page = draw(
            &ctx,
            &Listed::default(),
            Problem::Said(w.conflicts.parked_decided_already),
        )
        .await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let done = if accepted { "accepted" } else { "rejected" };
    Ok(Redirect::to(&format!("/console/conflicts?done={done}")).into_response())
}

/// The record a conflict names, as the page links it.
fn subject(tx: &mut dyn Tx, c: &ReviewedConflict) -> crate::error::Result<Subject> {
    let Some(record) = tx
        .record(c.row.entity, &c.row.entity_id)?
        .filter(|r| !r.deleted)
    else {
        return Ok(Subject::Gone);
    };
    Ok(match c.row.entity {
        Entity::Household => {
            let body: serde_json::Map<String, Value> =
                serde_json::from_str(&record.body).map_err(Error::internal)?;
            Subject::Household {
                id: record.id.clone(),
                number: record.key.clone().unwrap_or_default(),
                seq: record.seq,
                now: body.get(&c.row.field).cloned().unwrap_or(Value::Null),
            }
        }
        _ => Subject::Order {
            number: record.key.clone().unwrap_or_else(|| record.id.clone()),
        },
    })
}

/// Technicians' names by device and by id, read once per page.
#[derive(Default)]
struct Names {
    devices: HashMap<String, Who>,
    technicians: HashMap<String, Who>,
}

impl Names {
    fn who(&mut self, tx: &mut dyn Tx, author: &Author) -> crate::error::Result<Who> {
        match author {
            Author::Office => Ok(Who::Office),
            Author::Server => Ok(Who::Server),
            Author::Device(id) => {
                if let Some(who) = self.devices.get(id) {
                    return Ok(who.clone());
                }
                let who = match tx.device(id)? {
                    Some(device) => self.technician(tx, &device.technician_id)?,
                    None => Who::Unknown,
                };
                self.devices.insert(id.clone(), who.clone());
                Ok(who)
            }
        }
    }

    fn technician(&mut self, tx: &mut dyn Tx, id: &str) -> crate::error::Result<Who> {
        if let Some(who) = self.technicians.get(id) {
            return Ok(who.clone());
        }
        let who = match tx.record(Entity::Technician, id)? {
            Some(record) => {
                let t: Technician = decode(&record)?;
                Who::Technician {
                    name: t.name,
                    badge: t.badge,
                }
            }
            None => Who::Unknown,
        };
        self.technicians.insert(id.to_owned(), who.clone());
        Ok(who)
    }
}

fn who(c: &Conflicts, who: &Who) -> String {
    match who {
        Who::Office => c.by_office.to_owned(),
        Who::Server => c.by_server.to_owned(),
        Who::Technician { name, badge } => (c.by_technician)(name, badge),
        Who::Unknown => c.by_unknown_device.to_owned(),
    }
}

/// Who resolved a conflict: a member of staff by their login.
fn staff_name(actor: &Actor) -> String {
    match actor {
        Actor::Staff(login) | Actor::Admin(Some(login)) => login.clone(),
        other => other.to_string(),
    }
}

/// A household's field (or an order's status) as the office names it.
pub fn field_label(c: &Conflicts, field: &str) -> &'static str {
    match field {
        "customer_number" => c.field_customer_number,
        "name" => c.field_name,
        "phones" => c.field_phones,
        "address" => c.field_address,
        "location" => c.field_location,
        "district_id" => c.field_district,
        "category" => c.field_category,
        "meter" => c.field_meter,
        "appliances" => c.field_appliances,
        "supply" => c.field_supply,
        "gas_on_date" => c.field_gas_on_date,
        "last_inspection_at" => c.field_last_inspection,
        "special_group" => c.field_special_group,
        "status" => c.field_status,
        _ => c.field_other,
    }
}

fn rule_label(c: &Conflicts, rule: ConflictRule) -> &'static str {
    match rule {
        ConflictRule::Field(FieldRule::OfficeWins) => c.rule_office_wins,
        ConflictRule::Field(FieldRule::LaterClockWins) => c.rule_later_clock_wins,
        ConflictRule::Field(FieldRule::Latest) => c.rule_latest,
        ConflictRule::FirstResolutionWins => c.rule_first_resolution_wins,
        ConflictRule::StatusMovesForward => c.rule_status_moves_forward,
    }
}

fn reason_label(c: &Conflicts, reason: ParkReason) -> &'static str {
    match reason {
        ParkReason::LeftScope => c.reason_left_scope,
        ParkReason::NoHousehold => c.reason_no_household,
        ParkReason::ReceiptUsedTwice => c.reason_receipt_used_twice,
    }
}

/// A parked operation's kind (`form_sealed:<template>`) as the office reads it.
fn what_label(c: &Conflicts, what: &str) -> String {
    match what.split_once(':') {
        Some(("form_sealed", template)) => format!("{} ({template})", c.what_form_sealed),
        _ if what == "form_sealed" => c.what_form_sealed.to_owned(),
        _ => c.what_other.to_owned(),
    }
}

fn group_label(c: &Conflicts, group: SpecialGroup) -> &'static str {
    match group {
        SpecialGroup::Elderly => c.group_elderly,
        SpecialGroup::Weak => c.group_weak,
        SpecialGroup::Sick => c.group_sick,
        SpecialGroup::Disabled => c.group_disabled,
    }
}

/// A field's value as a person reads it: phone numbers listed, an address on one line, a
/// registration by its groups and contact, a time in Beijing time; anything else as its JSON.
pub fn readable(c: &Conflicts, _lang: Lang, field: &str, value: &Value) -> String {
    let empty = match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::String(text) => text.is_empty(),
        _ => false,
    };
    if empty {
        return c.empty_value.to_owned();
    }
    let as_json = || value.to_string();
    match (field, value) {
        ("phones", Value::Array(items)) => items
            .iter()
            .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(" / "),
        ("address", _) => serde_json::from_value::<Address>(value.clone())
            .map(|a| a.one_line())
            .unwrap_or_else(|_| as_json()),
        ("special_group", _) => {
            match serde_json::from_value::<SpecialGroupRegistration>(value.clone()) {
                Ok(r) => {
                    let groups: Vec<&str> = r.groups.iter().map(|g| group_label(c, *g)).collect();
                    let mut text = groups.join(" / ");
                    if let Some(contact) = &r.contact {
                        text.push_str(" · ");
                        text.push_str(&(c.contact_of)(
                            &contact.name,
                            &contact.relation,
                            contact.phone.as_str(),
                        ));
                    }
                    text
                }
                Err(_) => as_json(),
            }
        }
        ("last_inspection_at", Value::String(t)) => chrono::DateTime::parse_from_rfc3339(t)
            .map(|t| when(t.with_timezone(&chrono::Utc)))
            .unwrap_or_else(|_| t.clone()),
        (_, Value::String(t)) => t.clone(),
        _ => as_json(),
    }
}
