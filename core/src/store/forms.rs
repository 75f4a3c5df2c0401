//! Forms in the store: drafts saved on every answer, sealing with its consequences, and
//! amendments. Every change is one transaction with its outbox operation; a sealed form is
//! refused here and, should anything get past this code, by the triggers of schema v3.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::households::{load_household, write_history, write_household};
use super::readings::{SameMoment, write_reading};
use super::templates::{keep_template, template_in};
use super::workorders::{load_order, write_order};
use super::{Change, Store, ts};
use crate::InvalidInput;
use crate::error::{Error, Result};
use crate::forms::Template;
use crate::forms::consequences;
use crate::forms::form::{Answer, Form, Outcome, PhotoRef, Problem};
use crate::forms::seal::{Seal, Signature, SignatureCapture, seal};
use crate::ids::{FormId, HouseholdId, WorkOrderId};
use crate::sync::protocol::Operation;
use crate::text::said;

/// What moving a draft onto a newer template version kept and dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateMove {
    pub form: Form,
    /// (item id, why it was dropped).
    pub dropped: Vec<(String, String)>,
}

impl Store {
    /// Starts a form on the newest version of template `id` this device knows
    /// ([`Store::newest_template`]): what a technician's "new form" button does.
    pub fn start_newest_form(
        &mut self,
        id: &str,
        household: HouseholdId,
        work_order: Option<WorkOrderId>,
        at: DateTime<Utc>,
    ) -> Result<Form> {
        let template = self.newest_template(id)?;
        self.start_form(&template, household, work_order, at)
    }

    /// Starts a form on `template` for a household (and optionally a work order). The draft
    /// is saved at once and keeps that template version for good.
    pub fn start_form(
        &mut self,
        template: &Template,
        household: HouseholdId,
        work_order: Option<WorkOrderId>,
        at: DateTime<Utc>,
    ) -> Result<Form> {
        template.validate()?;
        let form = Form::new(template, household, work_order, at);
        self.change(|c| {
            load_household(c, household)?;
            if let Some(order) = work_order {
                let order = load_order(c, order)?.ok_or(Error::NotFound { what: "work order" })?;
                form.check_links(Some(&order), None)?;
            }
            keep_template(c, template)?;
            insert_form(c, &form)?;
            c.append(&Operation::FormStarted {
                form: Box::new(form.clone()),
            })?;
            Ok(form)
        })
    }

    pub fn form(&self, id: FormId) -> Result<Form> {
        load_form(&self.conn, id)
    }

    /// The forms of a household, newest first.
    pub fn forms_of_household(&self, household: HouseholdId) -> Result<Vec<Form>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc FROM forms WHERE household_id = ?1 ORDER BY started_at DESC",
        )?;
        let docs = stmt.query_map([household], |r| r.get::<_, String>(0))?;
        docs.map(|d| Ok(serde_json::from_str(&d?)?)).collect()
    }

    /// Saves one answer (or clears it with `None`): one transaction, queued for upload.
    pub fn answer(&mut self, form: FormId, item: &str, answer: Option<Answer>) -> Result<Form> {
        self.edit_draft(form, |f, t| {
            f.answer(t, item, answer.clone())?;
            Ok(Operation::FormAnswered {
                form_id: form,
                item: item.to_owned(),
                answer: answer.clone(),
            })
        })
    }

    /// Attaches a stored photo (by its SHA-256) to an item: a photo item, or a check as evidence.
    pub fn attach_photo(&mut self, form: FormId, item: &str, photo: PhotoRef) -> Result<Form> {
        self.change(|c| attach_photo_in(c, form, item, photo))
    }

    /// Takes a photo off a draft's item.
    pub fn remove_photo(&mut self, form: FormId, item: &str, sha256: &str) -> Result<Form> {
        self.edit_draft(form, |f, _| {
            let photos = f.photos.get_mut(item).ok_or(Error::NotFound {
                what: "photo on that item",
            })?;
            let before = photos.len();
            photos.retain(|p| p.sha256 != sha256);
            if photos.len() == before {
                return Err(Error::NotFound {
                    what: "photo on that item",
                });
            }
            if photos.is_empty() {
                f.photos.remove(item);
            }
            Ok(Operation::FormPhotoRemoved {
                form_id: form,
                item: item.to_owned(),
                sha256: crate::ids::PhotoHash::parse(sha256)?,
            })
        })
    }

    /// Adds a signature to a signature item, bound to the form's content as it is now.
    pub fn sign(&mut self, form: FormId, item: &str, capture: SignatureCapture) -> Result<Form> {
        self.edit_draft(form, |f, t| {
            let role = t.item(item).and_then(|i| i.signer()).ok_or_else(|| {
                InvalidInput::new(item, said("不是签名项", "not a signature item"))
            })?;
            if role != capture.role {
                return Err(InvalidInput::new(
                    item,
                    said(
                        "此签名属于另一位签字人",
                        "this signature belongs to another signer",
                    ),
                )
                .into());
            }
            let signature = Signature::bind(capture.clone(), f, t)?;
            f.signatures.insert(item.to_owned(), signature.clone());
            Ok(Operation::FormSigned {
                form_id: form,
                item: item.to_owned(),
                signature: Box::new(signature),
            })
        })
    }

    /// Records how the visit ended (completed by default).
    pub fn set_outcome(&mut self, form: FormId, outcome: Outcome) -> Result<Form> {
        outcome.check_size()?;
        self.change(|c| {
            if let Outcome::CustomerRefusedToSign { photo, .. } = &outcome {
                let household = load_form(c, form)?.household_id;
                refusal_photo_held(c, household, &photo.sha256)?;
            }
            edit_draft_in(c, form, |f, _| {
                f.outcome = outcome.clone();
                Ok(Operation::FormOutcomeSet {
                    form_id: form,
                    outcome,
                })
            })
        })
    }

    /// Every problem that keeps the form from being completed.
    pub fn form_problems(&self, form: FormId) -> Result<Vec<Problem>> {
        let f = load_form(&self.conn, form)?;
        let template = self.template(&f.template_id, f.template_version)?;
        let mut problems = f.problems(&template);
        if problems.is_empty() {
            let household = load_household(&self.conn, f.household_id)?;
            if let Err(more) = consequences::plan(&f, &template, &household, Utc::now()) {
                problems.extend(more);
            }
        }
        Ok(problems)
    }

    /// Completes and seals the form at `at`, and applies what it changes (the household's due
    /// date, supply, registration, readings, follow-up orders) in the same transaction.
    /// With problems left, nothing is written and [`Error::Incomplete`] lists them.
    /// The sealed form is queued whole, and its draft steps not yet pushed leave the outbox.
    pub fn complete_form(&mut self, form: FormId, at: DateTime<Utc>) -> Result<Seal> {
        self.milestone(|c| {
            let mut f = load_form(c, form)?;
            if f.is_sealed() {
                return Err(Error::Sealed);
            }
            let template = template_in(c, &f.template_id, f.template_version)?;
            let household = load_household(c, f.household_id)?;
            f.drop_stale_signatures(&template);
            let sealed =
                seal(&f, &template, at).map_err(|problems| Error::Incomplete { problems })?;
            let amended = f
                .amends
                .map(|original| load_form(c, original))
                .transpose()?;
            let times = consequences::SealTimes {
                sealed_at: at,
                counted_at: at,
            };
            let effects = consequences::of_seal(&f, &template, &household, amended.as_ref(), times)
                .map_err(|problems| Error::Incomplete { problems })?;
            f.seal = Some(sealed.clone());
            update_form(c, &f)?;
            // Queued before the form, so that the server holds the order's step when the
            // form arrives and does not make it a second time.
            if let (Some(status), Some(order)) = (effects.resolves, f.work_order_id) {
                resolve_order(c, order, status, at)?;
            }
            c.append(&Operation::FormSealed {
                form: Box::new(f.clone()),
            })?;
            c.drop_draft_steps(f.id)?;

            for reading in &effects.readings {
                write_reading(c, reading, SameMoment::Replace)?;
            }
            for order in &effects.orders {
                write_order(c, order)?;
                c.append(&Operation::WorkOrderOpened {
                    order: Box::new(order.clone()),
                })?;
            }
            if let Some(updated) = &effects.household {
                write_household(c, updated)?;
            }
            for line in consequences::timeline(&f, &template, &effects, at) {
                write_history(c, &line)?;
            }
            Ok(sealed)
        })
    }

    /// Starts an amendment of a sealed form: a new draft on the same template version with the
    /// same answers and photos, pointing at the original. It is completed and sealed like any
    /// form; the original stays as it was.
    pub fn amend(&mut self, original: FormId, at: DateTime<Utc>) -> Result<Form> {
        self.change(|c| {
            let source = load_form(c, original)?;
            let amended: bool = c
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM forms WHERE amends = ?1)")?
                .query_row(params![original], |r| r.get(0))?;
            if amended {
                // A second amendment beside the first (a double tap, another day) would leave
                // two corrections of one visit: the newest correction is the one to amend.
                return Err(InvalidInput::new(
                    "form",
                    said(
                        "这张表单已有更正：请在那份更正上再作更正",
                        "this form already has an amendment: amend that one instead",
                    ),
                )
                .into());
            }
            if !source.is_sealed() {
                return Err(InvalidInput::new(
                    "form",
                    said(
                        "只有已封存的表单才能更正；草稿请直接修改",
                        "only a sealed form is amended; edit the draft instead",
                    ),
                )
                .into());
            }
            let amendment = Form {
                id: FormId::new(),
                amends: Some(original),
                started_at: at,
                signatures: Default::default(),
                seal: None,
                outcome: Outcome::Completed,
                ..source
            };
            insert_form(c, &amendment)?;
            c.append(&Operation::FormStarted {
                form: Box::new(amendment.clone()),
            })?;
            Ok(amendment)
        })
    }

    /// Moves a draft onto a newer version of its template: answers that still fit are kept;
    /// the report says what was dropped and why.
    pub fn move_draft_to_template(
        &mut self,
        form: FormId,
        template: &Template,
    ) -> Result<TemplateMove> {
        template.validate()?;
        self.change(|c| {
            let current = load_form(c, form)?;
            if current.is_sealed() {
                return Err(Error::Sealed);
            }
            if template.id != current.template_id || template.version <= current.template_version {
                return Err(InvalidInput::new(
                    "template",
                    said(
                        "草稿只能改用同一模板的更新版本",
                        "a draft moves only to a newer version of its own template",
                    ),
                )
                .into());
            }
            keep_template(c, template)?;
            let (moved, dropped) = current.move_to(template);
            update_form(c, &moved)?;
            c.append(&Operation::FormMovedToTemplate {
                form_id: form,
                template_version: template.version,
            })?;
            Ok(TemplateMove {
                form: moved,
                dropped,
            })
        })
    }

    /// One change to a draft: load, change, save, queue; refused on a sealed form.
    fn edit_draft(
        &mut self,
        form: FormId,
        edit: impl FnOnce(&mut Form, &Template) -> Result<Operation>,
    ) -> Result<Form> {
        self.change(|c| edit_draft_in(c, form, edit))
    }
}

/// Edits a draft inside the caller's change: refused if the form is sealed; the form saved and
/// the edit's operation queued.
fn edit_draft_in(
    c: &mut Change<'_>,
    form: FormId,
    edit: impl FnOnce(&mut Form, &Template) -> Result<Operation>,
) -> Result<Form> {
    let mut f = load_form(c, form)?;
    if f.is_sealed() {
        return Err(Error::Sealed);
    }
    let template = template_in(c, &f.template_id, f.template_version)?;
    let operation = edit(&mut f, &template)?;
    update_form(c, &f)?;
    c.append(&operation)?;
    Ok(f)
}

/// Puts a photo the store holds on a draft's item, inside the caller's change (so that taking a
/// photo for a form records the photo and attaches it in one transaction).
pub(super) fn attach_photo_in(
    c: &mut Change<'_>,
    form: FormId,
    item: &str,
    photo: PhotoRef,
) -> Result<Form> {
    edit_draft_in(c, form, |f, t| {
        takes_photos(t, item)?;
        let photos = f.photos.entry(item.to_owned()).or_default();
        if !photos.iter().any(|p| p.sha256 == photo.sha256) {
            photos.push(photo.clone());
        }
        Ok(Operation::FormPhotoAttached {
            form_id: form,
            item: item.to_owned(),
            photo,
        })
    })
}

/// The photo that stands in for a refused signature must be one this phone took (through the
/// camera pipeline, so it is stored, watermarked and queued to upload) of the form's household:
/// otherwise the sealed form would wait on the server for a photo that never comes.
fn refusal_photo_held(c: &Connection, household: HouseholdId, sha256: &str) -> Result<()> {
    let of: Option<Option<HouseholdId>> = c
        .prepare_cached("SELECT household_id FROM photos WHERE sha256 = ?1")?
        .query_row([sha256], |r| r.get(0))
        .optional()?;
    match of {
        Some(Some(h)) if h == household => Ok(()),
        Some(_) => Err(InvalidInput::new(
            "outcome.photo",
            said(
                "这张照片不是在此用户处拍摄的",
                "the photo was not taken at this household",
            ),
        )
        .into()),
        None => Err(InvalidInput::new(
            "outcome.photo",
            said(
                "本机没有这张照片：请先拍照",
                "this phone holds no such photo: take it first",
            ),
        )
        .into()),
    }
}

/// Refuses a photo for an item that is not in the form, or that takes no photo.
pub(super) fn takes_photos(t: &Template, item: &str) -> Result<()> {
    let spec = t.item(item).ok_or_else(|| {
        InvalidInput::new(
            item,
            said("此表单中没有这一项", "no such item in this form"),
        )
    })?;
    if !matches!(
        spec.kind,
        crate::forms::template::ItemKind::Photo { .. }
            | crate::forms::template::ItemKind::Check { .. }
    ) {
        return Err(InvalidInput::new(
            item,
            said(
                "照片只能加在照片项或检查项上",
                "photos go on a photo item or a check",
            ),
        )
        .into());
    }
    Ok(())
}

const INSERT_DRAFT: &str = "INSERT INTO forms(id, template_id, template_version, household_id, work_order_id, amends, started_at, sealed_at, digest, doc)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL, ?8)";

const UPDATE_FORM: &str =
    "UPDATE forms SET template_version = ?2, sealed_at = ?3, digest = ?4, doc = ?5 WHERE id = ?1";

fn insert_form(conn: &Connection, f: &Form) -> Result<()> {
    conn.prepare_cached(INSERT_DRAFT)?.execute(params![
        f.id,
        f.template_id,
        f.template_version,
        f.household_id,
        f.work_order_id,
        f.amends,
        ts(&f.started_at),
        serde_json::to_string(f)?
    ])?;
    Ok(())
}

fn update_form(conn: &Connection, f: &Form) -> Result<()> {
    let changed = conn
        .prepare_cached(UPDATE_FORM)?
        .execute(params![
            f.id,
            f.template_version,
            f.seal.as_ref().map(|s| ts(&s.sealed_at)),
            f.seal.as_ref().map(|s| s.digest.clone()),
            serde_json::to_string(f)?
        ])
        .map_err(sealed_or)?;
    if changed == 0 {
        return Err(Error::NotFound { what: "form" });
    }
    Ok(())
}

fn load_form(conn: &Connection, id: FormId) -> Result<Form> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM forms WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(serde_json::from_str(
        &doc.ok_or(Error::NotFound { what: "form" })?,
    )?)
}

/// The triggers' refusal, as the typed error.
fn sealed_or(e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(_, Some(message)) if message.contains("form is sealed") => {
            Error::Sealed
        }
        _ => e.into(),
    }
}

/// The order a sealed repair closing was filled for, moved to the status the form gives it at
/// the seal's time (never before its last step), and queued as the order's step like any the
/// technician makes: the server takes it by its rules for steps (the earliest resolution
/// stands). An order already closed (by hand before the seal, or by another phone) keeps its
/// one final step.
fn resolve_order(
    c: &mut super::Change<'_>,
    id: WorkOrderId,
    status: crate::workorder::WorkOrderStatus,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(mut order) = load_order(c, id)? else {
        return Ok(());
    };
    let last = order.steps.last().map_or(at, |s| s.at);
    if order.status().is_final() {
        return Ok(());
    }
    let at = at.max(last);
    order.advance(status, at, None)?;
    let moved = Operation::WorkOrderMoved {
        work_order_id: id,
        status,
        at,
        position: None,
    };
    super::workorders::record_change(c, &order, at, &status.label(), &moved)?;
    Ok(())
}
