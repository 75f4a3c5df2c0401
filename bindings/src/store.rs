//! [`DeviceStore`]: the encrypted store on the device and everything a technician does with it.
//!
//! Every method forwards to the core. Calls are blocking and thread-safe: the store is behind
//! one lock, held for one call (a sync takes it per step, so the screens stay usable while it
//! runs on a background thread).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use doorstep_core::device_sync::{CancelToken, SyncOptions, Syncer};
use doorstep_core::ids::{FormId, HouseholdId, OutageId, TechnicianId, WorkOrderId};
use doorstep_core::media::PhotoPolicy;
use doorstep_core::schedule::worklist::WorkListOptions;
use doorstep_core::store::{Store, StoreKey, develop_photo};
use doorstep_core::visit::CheckInPolicy;

use crate::error::{DoorstepError, Result};
use crate::types::*;

/// Told where a sync is. Called on the syncing thread: hop to the UI thread to show it. An
/// observer that throws is not called again for the rest of that sync, which goes on: what
/// the technician did still reaches the server.
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    fn on_progress(&self, progress: SyncProgress);
}

/// The device's store, opened from its directory with the key from the platform keystore.
#[derive(uniffi::Object)]
pub struct DeviceStore {
    /// `None` once closed.
    store: Mutex<Option<Arc<Mutex<Store>>>>,
    syncer: Syncer,
    /// The network work running now (syncs, the one running and those waiting for it, and
    /// enrollments), so that another thread, or closing the store, can cancel it.
    running: Mutex<Vec<CancelToken>>,
}

/// A cancel token registered in [`DeviceStore::running`] while it lives: dropped, it leaves,
/// however the work it belongs to ends.
struct Running<'a> {
    store: &'a DeviceStore,
    token: CancelToken,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        lock(&self.store.running).retain(|t| !t.same_as(&self.token));
    }
}

impl std::fmt::Debug for DeviceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceStore").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn closed() -> DoorstepError {
    DoorstepError::Storage {
        reason: "the store is closed".into(),
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc::now()
}

impl DeviceStore {
    fn shared(&self) -> Result<Arc<Mutex<Store>>> {
        lock(&self.store).clone().ok_or_else(closed)
    }

    /// The store, and a cancel token registered for network work on it. Taken under the
    /// store's lock, so that `close_store` either finds the token to cancel or leaves no store
    /// to work on.
    fn shared_for_network(&self) -> Result<(Arc<Mutex<Store>>, Running<'_>)> {
        let store = lock(&self.store);
        let shared = store.clone().ok_or_else(closed)?;
        let token = CancelToken::new();
        lock(&self.running).push(token.clone());
        drop(store);
        Ok((shared, Running { store: self, token }))
    }

    /// Runs `f` with the store locked.
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> doorstep_core::error::Result<T>) -> Result<T> {
        let shared = self.shared()?;
        let mut store = lock(&shared);
        Ok(f(&mut store)?)
    }

    fn technician(&self) -> Result<TechnicianId> {
        self.with(|s| {
            s.sync_state()?
                .technician_id
                .ok_or(doorstep_core::Error::NotEnrolled)
        })
    }
}

#[uniffi::export]
impl DeviceStore {
    /// Opens (or creates) the store in `directory` with `key_hex` (64 hexadecimal characters,
    /// see `generate_store_key`). A store that cannot be read with this key is moved aside,
    /// never deleted, and the error says so.
    #[uniffi::constructor]
    pub fn open(directory: String, key_hex: String) -> Result<Arc<Self>> {
        let key = StoreKey::from_hex(&key_hex).map_err(|mut e| {
            e.field = "key_hex".into();
            DoorstepError::from(e)
        })?;
        let dir = PathBuf::from(directory);
        std::fs::create_dir_all(&dir).map_err(|e| {
            DoorstepError::device_failure("the store's directory cannot be created", &e)
        })?;
        let store = Store::open(dir.join("doorstep.db"), &key)?;
        Ok(Arc::new(Self {
            store: Mutex::new(Some(Arc::new(Mutex::new(store)))),
            syncer: Syncer::new(SyncOptions::default())?,
            running: Mutex::new(Vec::new()),
        }))
    }

    /// Closes the store (the technician logs out). Later calls fail with a storage error; a
    /// sync still running is cancelled and finishes its current step first. Not named `close`:
    /// that is the generated Kotlin's `AutoCloseable.close()`, which frees the object itself.
    pub fn close_store(&self) {
        lock(&self.store).take();
        self.cancel_sync();
    }

    /// This installation's id.
    pub fn device_id(&self) -> Result<String> {
        self.with(|s| Ok(s.device_id().to_owned()))
    }

    // ---- Enrollment and sync ----

    /// Enrolls this device with `server` (`https://…`) using the one-time `code` from the
    /// service center. Blocking: it talks to the server; `cancel_sync` or `close_store` from
    /// another thread stops it before its next try.
    pub fn enroll(
        &self,
        server: String,
        code: String,
        device_model: String,
    ) -> Result<TechnicianInfo> {
        let (shared, running) = self.shared_for_network()?;
        Ok(self
            .syncer
            .enroll_cancellable(&shared, &server, &code, &device_model, &running.token)?
            .into())
    }

    /// Pushes what this device did, uploads the photos the server lacks and pulls what changed,
    /// telling `observer` where it is. Blocking; `cancel_sync` from another thread stops it
    /// before its next request, and the next sync resumes where it stopped.
    pub fn sync(&self, observer: Option<Arc<dyn SyncObserver>>) -> Result<SyncReport> {
        let (shared, running) = self.shared_for_network()?;
        let observer = Mutex::new(observer);
        let progress = |p: SyncProgress| {
            let mut observer = lock(&observer);
            let Some(o) = observer.as_ref() else { return };
            // UniFFI turns an exception thrown by the app's observer into a panic here. The
            // observer only shows progress: it is dropped, and the sync goes on.
            let told = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| o.on_progress(p)));
            if told.is_err() {
                tracing::warn!("the sync observer failed; it is not called again in this sync");
                *observer = None;
            }
        };
        // Syncs run one at a time (the core's `Syncer::sync`): a second one waits for the first.
        Ok(self.syncer.sync(&shared, &progress, &running.token)?)
    }

    /// Cancels the sync running now, any waiting for it to end, and an enrollment.
    pub fn cancel_sync(&self) {
        for token in lock(&self.running).iter() {
            token.cancel();
        }
    }

    /// Where this device stands with the server: pending work, refused operations.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.with(|s| {
            let state = s.sync_state()?;
            Ok(SyncStatus {
                server: state.server,
                technician_id: state.technician_id.map(|t| t.to_string()),
                last_sync_at: state.last_sync_at,
                pending_operations: s.outbox_len()?,
                pending_photos: s
                    .photos_to_upload()?
                    .into_iter()
                    .map(String::from)
                    .collect(),
                rejected: rejected(s)?,
                held_back: s.held_back()?,
            })
        })
    }

    /// Work the server refused for good, parked for the service center, or the service center
    /// rejected: the list this device must show, in the technician's words.
    pub fn conflicts(&self) -> Result<Vec<RejectedOperation>> {
        self.with(|s| rejected(s))
    }

    /// Photos taken on this device that the server does not have yet.
    pub fn pending_uploads(&self) -> Result<Vec<String>> {
        self.with(|s| {
            Ok(s.photos_to_upload()?
                .into_iter()
                .map(String::from)
                .collect())
        })
    }

    // ---- The day's work ----

    /// The enrolled technician's work list now, most urgent first, walking from `position`
    /// when the device knows it.
    pub fn work_list(&self, position: Option<Position>) -> Result<Vec<WorkItem>> {
        let technician = self.technician()?;
        let start = position
            .map(|p| Point {
                lat: p.lat,
                lon: p.lon,
            })
            .map(Point::to_core)
            .transpose()?;
        self.with(|s| s.work_list(technician, now(), start, &WorkListOptions::default()))
            .map(|items| items.into_iter().map(Into::into).collect())
    }

    /// Households matching `query` (customer number, name, phone or address), best first.
    pub fn search_households(&self, query: String, limit: u32) -> Result<Vec<HouseholdSummary>> {
        self.with(|s| s.search_households(&query, limit as usize))
            .map(|hits| hits.into_iter().map(|h| h.household.into()).collect())
    }

    /// Everything known about a household, as the technician opens it at the door.
    pub fn household_file(&self, household_id: String) -> Result<HouseholdFile> {
        let id: HouseholdId = parse_id("household_id", &household_id)?;
        self.with(|s| s.household_file(id)).map(Into::into)
    }

    pub fn work_order(&self, work_order_id: String) -> Result<WorkOrder> {
        let id: WorkOrderId = parse_id("work_order_id", &work_order_id)?;
        self.with(|s| s.work_order(id)).map(Into::into)
    }

    /// Moves a work order to `status` now, where the device is. Deadlines count this moment,
    /// even when the device is offline. A move backwards is refused.
    pub fn move_work_order(
        &self,
        work_order_id: String,
        status: WorkOrderStatus,
        position: Option<Position>,
    ) -> Result<WorkOrder> {
        let id: WorkOrderId = parse_id("work_order_id", &work_order_id)?;
        let point = position.map(|p| p.to_core().map(|p| p.point)).transpose()?;
        self.with(|s| s.move_work_order(id, status, now(), point))
            .map(Into::into)
    }

    /// Opens a work order from the field (a hazard found on a visit, a repair asked for at the
    /// door), assigned to this technician, reported now: its clocks count from this moment,
    /// on the targets of its household's district. A pipeline fault may be opened as major.
    /// Numbered `YD-` and a part of its id (the office may give it its own number later).
    pub fn open_work_order(
        &self,
        kind: WorkOrderKind,
        household_id: Option<String>,
        description: String,
        position: Option<Position>,
        fault_class: Option<FaultClass>,
    ) -> Result<WorkOrder> {
        let household = household_id
            .map(|h| parse_id::<HouseholdId>("household_id", &h))
            .transpose()?;
        let point = position.map(|p| p.to_core().map(|p| p.point)).transpose()?;
        let technician = self.technician()?;
        let mut order = doorstep_core::workorder::WorkOrder::open(
            "",
            kind,
            doorstep_core::workorder::WorkOrderSource::Visit,
            household,
            description.trim(),
            now(),
        );
        order.number = format!("YD-{}", &order.id.to_string().replace('-', "")[..12]);
        order.location = point;
        order.assignee = Some(technician);
        order.class = fault_class;
        let id = order.id;
        self.with(|s| {
            s.open_work_order(&order)?;
            s.work_order(id)
        })
        .map(Into::into)
    }

    /// Declines an order assigned to this technician (before accepting it) or hands it back,
    /// with a reason: it leaves the work list and returns, unassigned, to the office's.
    pub fn hand_back_work_order(&self, work_order_id: String, reason: String) -> Result<WorkOrder> {
        let id: WorkOrderId = parse_id("work_order_id", &work_order_id)?;
        self.with(|s| s.hand_back_work_order(id, now(), &reason))
            .map(Into::into)
    }

    /// Records an appointment the user (or a contact person) agreed to change, at `agreed_at`.
    /// A change recorded after the clock ran out is kept, and the lateness stays.
    pub fn change_work_order_appointment(
        &self,
        work_order_id: String,
        window: AppointmentWindow,
        agreed_by: AppointmentConsent,
        agreed_at: Timestamp,
    ) -> Result<WorkOrder> {
        let id: WorkOrderId = parse_id("work_order_id", &work_order_id)?;
        let window = doorstep_core::workorder::Appointment {
            from: window.start,
            to: window.end,
        };
        self.with(|s| {
            s.change_work_order_appointment(id, window, agreed_by.to_core(), agreed_at, now())
        })
        .map(Into::into)
    }

    /// Raises an ordinary pipeline fault to major on site, with a reason: the major clocks
    /// (crew on site, report to the leadership) start now.
    pub fn raise_work_order_class(
        &self,
        work_order_id: String,
        reason: String,
    ) -> Result<WorkOrder> {
        let id: WorkOrderId = parse_id("work_order_id", &work_order_id)?;
        self.with(|s| s.raise_work_order_class(id, now(), &reason))
            .map(Into::into)
    }

    /// Checks the technician in at a household: a visit far from the address is flagged.
    pub fn check_in(&self, household_id: String, position: Position) -> Result<CheckIn> {
        let id: HouseholdId = parse_id("household_id", &household_id)?;
        let position = position.to_core()?;
        self.with(|s| s.check_in(id, position, now(), &CheckInPolicy::default()))
            .map(Into::into)
    }

    // ---- Forms ----

    /// The newest version of a template this device knows.
    pub fn template(&self, template_id: String) -> Result<Template> {
        self.with(|s| s.newest_template(&template_id))
            .map(Into::into)
    }

    /// Starts a form on the newest version of `template_id` for a household, optionally for
    /// a work order. The draft is saved at once.
    pub fn start_form(
        &self,
        template_id: String,
        household_id: String,
        work_order_id: Option<String>,
    ) -> Result<Form> {
        let household: HouseholdId = parse_id("household_id", &household_id)?;
        let order = work_order_id
            .map(|o| parse_id::<WorkOrderId>("work_order_id", &o))
            .transpose()?;
        self.with(|s| s.start_newest_form(&template_id, household, order, now()))
            .map(Into::into)
    }

    pub fn form(&self, form_id: String) -> Result<Form> {
        let id: FormId = parse_id("form_id", &form_id)?;
        self.with(|s| s.form(id)).map(Into::into)
    }

    /// Answers an item (`None` clears the answer).
    pub fn answer(
        &self,
        form_id: String,
        item: String,
        answer: Option<AnswerValue>,
    ) -> Result<Form> {
        let id: FormId = parse_id("form_id", &form_id)?;
        let answer = answer
            .as_ref()
            .map(AnswerValue::to_core)
            .transpose()
            .map_err(|e| e.about_item(&item))?;
        self.with(|s| s.answer(id, &item, answer)).map(Into::into)
    }

    /// Takes in the camera's photo at `path` (watermarked, re-encoded, encrypted) and attaches
    /// it to an item of the form. Blocking: the photo pipeline takes a moment. The store is not
    /// held meanwhile: other calls (the work list, the sync) go on while the photo develops.
    pub fn attach_photo(
        &self,
        form_id: String,
        item: String,
        path: String,
        position: Option<Position>,
    ) -> Result<Photo> {
        let id: FormId = parse_id("form_id", &form_id)?;
        let device_position = position.map(|p| p.to_core().map(|p| p.point)).transpose()?;
        let context = self.with(|s| {
            let household = s.photo_item_household(id, &item)?;
            s.camera_context(household, now(), device_position)
        })?;
        let photo = develop_photo(
            std::path::Path::new(&path),
            &context,
            &PhotoPolicy::default(),
        )?;
        self.with(|s| s.attach_developed_photo(id, &item, photo, &context))
            .map(Into::into)
    }

    /// Takes in the camera's photo at `path` for a household, on no item of a form: the photo
    /// that stands in for a customer's refused signature (`VisitOutcome.CustomerRefusedToSign`
    /// names it by its `sha256`). Blocking, like [`Self::attach_photo`], and like it holds the
    /// store only before and after the pipeline.
    pub fn take_photo(
        &self,
        household_id: String,
        path: String,
        position: Option<Position>,
    ) -> Result<Photo> {
        let household: HouseholdId = parse_id("household_id", &household_id)?;
        let device_position = position.map(|p| p.to_core().map(|p| p.point)).transpose()?;
        let context = self.with(|s| s.camera_context(household, now(), device_position))?;
        let photo = develop_photo(
            std::path::Path::new(&path),
            &context,
            &PhotoPolicy::default(),
        )?;
        self.with(|s| s.keep_photo(photo, Some(household), &context))
            .map(Into::into)
    }

    /// Removes a photo from an item of a draft.
    pub fn remove_photo(&self, form_id: String, item: String, sha256: String) -> Result<Form> {
        let id: FormId = parse_id("form_id", &form_id)?;
        self.with(|s| s.remove_photo(id, &item, &sha256))
            .map(Into::into)
    }

    /// Adds a signature, drawn now, to a signature item.
    pub fn sign(&self, form_id: String, item: String, signature: SignatureInput) -> Result<Form> {
        let id: FormId = parse_id("form_id", &form_id)?;
        let capture = signature.into_core(now());
        self.with(|s| s.sign(id, &item, capture)).map(Into::into)
    }

    /// Records how the visit ended (nobody home, access refused, …).
    pub fn set_outcome(&self, form_id: String, outcome: VisitOutcome) -> Result<Form> {
        let id: FormId = parse_id("form_id", &form_id)?;
        let outcome = outcome.to_core(now())?;
        self.with(|s| s.set_outcome(id, outcome)).map(Into::into)
    }

    /// What still keeps the form from being completed (empty when it can be sealed).
    pub fn validate_form(&self, form_id: String) -> Result<Vec<FormProblem>> {
        let id: FormId = parse_id("form_id", &form_id)?;
        self.with(|s| s.form_problems(id))
            .map(|p| p.into_iter().map(Into::into).collect())
    }

    /// Completes and seals the form now: from here on it never changes.
    pub fn complete_form(&self, form_id: String) -> Result<Seal> {
        let id: FormId = parse_id("form_id", &form_id)?;
        self.with(|s| s.complete_form(id, now()))
    }

    /// Starts an amendment of a sealed form: a new draft that corrects it.
    pub fn amend(&self, form_id: String) -> Result<Form> {
        let id: FormId = parse_id("form_id", &form_id)?;
        self.with(|s| s.amend(id, now())).map(Into::into)
    }

    // ---- Scanned codes and contact details ----

    /// Checks a code the camera read (a customer card, a meter's serial, a seal's number)
    /// against the utility's formats (`formats_json`, its configuration; none: the documented
    /// defaults) and finds the household on this device that has it. A code of the wrong
    /// format is refused naming what was expected.
    pub fn scan_code(
        &self,
        kind: CodeKind,
        scanned: String,
        formats_json: Option<String>,
    ) -> Result<ScannedCode> {
        let formats = match formats_json {
            Some(json) => doorstep_core::scan::ScanFormats::from_json(&json)?,
            None => doorstep_core::scan::ScanFormats::default(),
        };
        let (code, household) = self.with(|s| s.scanned_household(kind, &scanned, &formats))?;
        Ok(ScannedCode {
            code,
            household: household.map(Into::into),
        })
    }

    /// Corrects a household's phone numbers, and the contact person of a special-group
    /// household (`None`: left as it is), now. Only what changed travels; the server merges it
    /// with the office's edits field by field (contact details: the later edit wins, the other
    /// kept for review).
    pub fn edit_contact_details(
        &self,
        household_id: String,
        phones: Vec<String>,
        contact: Option<ContactPerson>,
    ) -> Result<HouseholdFile> {
        let id: HouseholdId = parse_id("household_id", &household_id)?;
        let contact = contact.map(|c| (c.name, c.relation, c.phone));
        self.with(|s| {
            s.edit_contact_details(id, &phones, contact, now())?;
            s.household_file(id)
        })
        .map(Into::into)
    }

    /// The households this phone holds that a planned outage affects: who must be told.
    pub fn outage_households(&self, outage_id: String) -> Result<Vec<HouseholdSummary>> {
        let id: OutageId = parse_id("outage_id", &outage_id)?;
        self.with(|s| s.outage_households(id))
            .map(|hs| hs.into_iter().map(Into::into).collect())
    }

    /// Records that the technician told these households of the outage now (a notice posted
    /// at their building: one call for all of them). Refused, with nothing kept, when one is
    /// not in the outage's area (`households[N]`). Returns how many were recorded.
    pub fn record_outage_notices(
        &self,
        outage_id: String,
        household_ids: Vec<String>,
        how: NotifiedHow,
    ) -> Result<u32> {
        let id: OutageId = parse_id("outage_id", &outage_id)?;
        let households = household_ids
            .iter()
            .enumerate()
            .map(|(i, h)| parse_id(&format!("households[{i}]"), h))
            .collect::<Result<Vec<HouseholdId>>>()?;
        self.with(|s| s.record_outage_notices(id, &households, how, now()))
            .map(|told| told.len() as u32)
    }

    /// What this phone's technician collected on `day` (`YYYY-MM-DD`, Beijing time), by
    /// method, from the forms sealed on it: what they hand over at the day's settlement.
    pub fn collected_on(&self, day: String) -> Result<DayCollected> {
        let day = collection_day(&day)?;
        self.with(|s| s.collected_on(day)).map(Into::into)
    }
}

fn rejected(s: &Store) -> doorstep_core::error::Result<Vec<RejectedOperation>> {
    Ok(s.rejected_operations()?
        .into_iter()
        .map(Into::into)
        .collect())
}
