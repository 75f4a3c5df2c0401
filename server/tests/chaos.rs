//! Three technicians' phones in two districts and the service center, working the same
//! households through a network that cuts connections in the middle of requests and of answers,
//! sends requests twice, delays them and replays old ones out of order, for a thousand sync
//! rounds. Meanwhile the office edits the same fields as the phones and moves households between
//! the districts, and the phones seal inspections with photos. In the end the server holds every
//! operation exactly once, every photo byte-identical, every sealed form whole in its household's
//! file, every outbox is empty, and the conflict list holds exactly the edits that were
//! concurrent: those made on a value that was no longer the server's when they arrived.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Duration, Utc};
use common::forms::{inspect, take_photo};
use common::proxy::{Faults, Proxy};
use common::{Backend, TestDevice, TestServer, households, team};
use doorstep_core::device_sync::SyncOptions;
use doorstep_core::forms::form::Form;
use doorstep_core::household::{Household, MeterReading, Phone, ReadingSource, Volume};
use doorstep_core::ids::{FormId, HouseholdId, OperationId};
use doorstep_core::sync::merge::Author;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_core::team::Technician;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use doorstep_server::storage::{self, ConflictRow, Counted, ParkedQuery};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

const ROUNDS: u32 = 1000;

/// How many of the households the office and the phones edit fields of.
const BUSY: usize = 3;

/// The fields the phones and the office both edit: contact details, whose rule is the later
/// clock, so either side may win and each overridden edit is a row.
const FIELDS: [&str; 2] = ["phones", "name"];

/// `field` of `household` set to a value no one else ever writes (`tag` is unique per edit), so
/// that a conflict row names its edit by value.
fn set_field(h: &mut Household, field: &str, tag: u32) {
    match field {
        "phones" => h.phones = vec![Phone::parse(&format!("137{tag:08}")).unwrap()],
        _ => h.name = format!("住户{tag}"),
    }
}

fn field_of(h: &Household, field: &str) -> Value {
    serde_json::to_value(h).unwrap()[field].clone()
}

/// An edit a phone made and the server has not applied yet.
struct Edit {
    op_id: OperationId,
    household: HouseholdId,
    field: &'static str,
    /// The phone's value of the field when the technician changed it.
    seen: Value,
    value: Value,
}

struct Device {
    device: TestDevice,
    author: Author,
    pending: Vec<Edit>,
}

fn conflicts(server: &TestServer) -> Vec<ConflictRow> {
    let mut rows = storage::read(&*server.storage, |tx| Ok(tx.conflicts(1_000_000)?)).unwrap();
    rows.reverse();
    rows
}

on_both_backends! {
    fn a_thousand_syncs_of_three_phones_and_the_office_through_a_hostile_network_lose_nothing_double_nothing_and_list_only_real_conflicts(backend: Backend) {
        let seed: u64 = std::env::var("DOORSTEP_CHAOS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261128);
        let server = TestServer::start(backend);
        let west = team(&server, "西湖一片", "HZ1001");
        let east = team(&server, "滨江二片", "BJ2001");
        let hs = households(&server, &west, 12);
        let ids: Vec<HouseholdId> = hs.iter().map(|h| h.id).collect();
        // A second technician of the west district, on a phone of their own.
        let colleague = Technician {
            id: doorstep_core::ids::TechnicianId::new(),
            badge: "HZ1002".into(),
            ..west.inspector.clone()
        };
        server.office_put(Record::Technician(colleague.clone()));
        let mut orders = Vec::new();
        for (i, h) in hs.iter().take(4).enumerate() {
            let mut order = WorkOrder::open(
                format!("GD-{i:04}"),
                WorkOrderKind::PipelineFault,
                WorkOrderSource::Phone,
                Some(h.id),
                "漏气报修",
                Utc::now() - Duration::hours(2),
            );
            order.assignee = Some(west.inspector.id);
            server.office_put(Record::WorkOrder(Box::new(order.clone())));
            orders.push((order.id, 0usize));
        }
        let proxy = Proxy::start(&server.url, Faults::none(), seed);
        let options = SyncOptions {
            attempts: 3,
            backoff: std::time::Duration::from_millis(2),
            max_backoff: std::time::Duration::from_millis(20),
            timeout: std::time::Duration::from_secs(10),
            push_batch: 7,
            pull_page: 5,
            photo_chunk: 16 * 1024,
        };
        let mut phones = Vec::new();
        for technician in [west.inspector.id, colleague.id, east.inspector.id] {
            let device = TestDevice::with_options(options.clone());
            device.enroll(&proxy.url, &server.enrollment_code(technician));
            device.sync().unwrap();
            let author = Author::Device(device.store().device_id().to_owned());
            phones.push(Device { device, author, pending: Vec::new() });
        }
        // What the server holds of each edited field, as the run goes.
        let mut current: HashMap<(HouseholdId, &str), Value> = HashMap::new();
        for h in &ids {
            let on_server = server.household(*h);
            for f in FIELDS {
                current.insert((*h, f), field_of(&on_server, f));
            }
        }
        proxy.set_faults(Faults::harsh());

        let steps = [WorkOrderStatus::Accepted, WorkOrderStatus::EnRoute, WorkOrderStatus::OnSite, WorkOrderStatus::Resolved];
        let mut rng = StdRng::seed_from_u64(seed);
        let mut pushed: BTreeSet<(usize, OperationId)> = BTreeSet::new();
        let mut photos = Vec::new();
        let mut sealed: BTreeMap<FormId, Form> = BTreeMap::new();
        let (mut ok, mut failed, mut moves, mut office_edits, mut concurrent) = (0u32, 0u32, 0u32, 0u32, 0u32);
        let mut rows_seen = 0usize;
        let mut form_steps_pushed = 0u32;
        let start = Utc::now() - Duration::days(1);
        for round in 0..ROUNDS {
            let tag = round * 10;
            let roll: f64 = rng.random();
            let who = rng.random_range(0..phones.len());
            let h = ids[rng.random_range(0..ids.len())];
            // Field edits gather on a few busy households, so that the office's and the phones'
            // edits of one field often cross.
            let busy = ids[rng.random_range(0..BUSY)];
            if roll < 0.12 {
                // The office edits a field the phones edit too.
                let field = FIELDS[rng.random_range(0..FIELDS.len())];
                server.office_edit(busy, |hh| set_field(hh, field, tag + 9));
                current.insert((busy, field), field_of(&server.household(busy), field));
                office_edits += 1;
            } else if roll < 0.15 {
                // The office re-imports the household into the other district.
                let now = server.household(h).district_id;
                let other = if now == Some(west.district.id) { east.district.id } else { west.district.id };
                server.office_edit(h, |hh| hh.district_id = Some(other));
                moves += 1;
            } else {
                let phone = &mut phones[who];
                let mut store = phone.device.store();
                if roll < 0.55 {
                    // A phone edits a field of a busy household it holds.
                    if let Ok(mut household) = store.household(busy) {
                        let field = FIELDS[rng.random_range(0..FIELDS.len())];
                        let seen = field_of(&household, field);
                        set_field(&mut household, field, tag + who as u32);
                        store.save_household(&household, Utc::now()).unwrap();
                        let op_id = store.outbox(usize::MAX).unwrap().last().unwrap().op_id;
                        let value = field_of(&household, field);
                        phone.pending.push(Edit { op_id, household: busy, field, seen, value });
                    }
                } else if roll < 0.79 {
                    if let Ok(household) = store.household(h) {
                        if roll < 0.75 {
                            store
                                .record_meter_reading(&MeterReading {
                                    household_id: h,
                                    taken_at: start + Duration::seconds(i64::from(round)),
                                    value: Volume::from_litres(i64::from(round) * 1000),
                                    source: ReadingSource::Technician,
                                })
                                .unwrap();
                        } else {
                            // An inspection with a photo, sealed.
                            drop(store);
                            let photo = take_photo(&phone.device, &household, round);
                            let bytes = phone.device.store().photo_jpeg(&photo).unwrap();
                            let form = inspect(&phone.device, &household, std::slice::from_ref(&photo));
                            photos.push((photo, bytes));
                            sealed.insert(form, phone.device.store().form(form).unwrap());
                        }
                    }
                } else if who == 0 && roll < 0.86 {
                    let pick = rng.random_range(0..orders.len());
                    let (id, next) = &mut orders[pick];
                    if *next < steps.len() && store.work_order(*id).is_ok() {
                        store.move_work_order(*id, steps[*next], Utc::now(), None).unwrap();
                        *next += 1;
                    }
                }
            }
            // One phone syncs, not always the one that worked: work waits on a phone for a few
            // rounds while the office and the others change the same households.
            if rng.random_bool(0.4) {
                continue;
            }
            let who = rng.random_range(0..phones.len());
            let phone = &mut phones[who];
            {
                let store = phone.device.store();
                for op in store.push_batch(100_000).unwrap() {
                    if op.operation.is_draft_step() {
                        form_steps_pushed += 1;
                    }
                    pushed.insert((who, op.op_id));
                }
            }
            match phone.device.sync() {
                Ok(_) => ok += 1,
                Err(doorstep_core::Error::Network { .. }) => failed += 1,
                Err(e) => panic!("round {round}: only network failures are expected, got {e:?}"),
            }
            // The edits of this phone the server applied in this round, in the order it applied
            // them: each is concurrent exactly when the value it replaced on the phone was no
            // longer the server's, and then, and only then, the conflict list has it.
            let device_id = phone.device.store().device_id().to_owned();
            let rows = conflicts(&server);
            let new_rows = &rows[rows_seen..];
            rows_seen = rows.len();
            let mut explained = 0;
            let pending = std::mem::take(&mut phone.pending);
            for edit in pending {
                let applied = storage::read(&*server.storage, |tx| Ok(tx.op_exists(&device_id, edit.op_id)?)).unwrap();
                if !applied {
                    phone.pending.push(edit);
                    continue;
                }
                let here: Vec<&ConflictRow> = new_rows.iter().filter(|r| r.op_id == Some(edit.op_id)).collect();
                let now = current[&(edit.household, edit.field)].clone();
                if edit.seen == now {
                    assert!(here.is_empty(), "round {round}: an edit made on the server's own value is listed as a conflict: {here:?}");
                    current.insert((edit.household, edit.field), edit.value);
                } else {
                    assert_eq!(here.len(), 1, "round {round}: an edit made on a value the server no longer held is not listed once");
                    let row = here[0];
                    assert_eq!(row.field, edit.field);
                    let (kept, lost): (Value, Value) = (serde_json::from_str(&row.kept).unwrap(), serde_json::from_str(&row.lost).unwrap());
                    if row.lost_by == phone.author {
                        assert_eq!((&kept, &lost), (&now, &edit.value), "round {round}: the phone's edit lost to the server's value");
                    } else {
                        assert_eq!(row.kept_by, phone.author);
                        assert_eq!((&kept, &lost), (&edit.value, &now), "round {round}: the phone's edit replaced the server's value");
                        current.insert((edit.household, edit.field), edit.value);
                    }
                    concurrent += 1;
                    explained += 1;
                }
            }
            // And no other row: every conflict of a household this round is one of those edits.
            let household_rows: Vec<&ConflictRow> = new_rows.iter().filter(|r| r.entity == Entity::Household).collect();
            assert_eq!(household_rows.len(), explained, "round {round}: conflict rows no concurrent edit explains: {household_rows:?}");
        }
        eprintln!(
            "chaos: {ok} syncs completed and {failed} cut short in {ROUNDS} rounds; {office_edits} office edits, {moves} district moves, {} sealed forms, {concurrent} concurrent edits; proxy: {:?}",
            sealed.len(),
            proxy.counts
        );
        let c = &proxy.counts;
        use std::sync::atomic::Ordering::Relaxed;
        for (fault, n) in [("cut requests", &c.cut_requests), ("cut answers", &c.cut_responses), ("duplicates", &c.duplicates), ("delays", &c.delays), ("replays", &c.replays)] {
            assert!(n.load(Relaxed) >= 20, "the network did too few {fault} to prove anything");
        }
        assert!(moves >= 10 && office_edits >= 50, "too few moves ({moves}) or office edits ({office_edits}) to prove anything");
        assert!(concurrent >= 10, "too few concurrent edits to prove anything: {concurrent}");
        assert!(sealed.len() >= 10, "too few sealed forms to prove anything: {}", sealed.len());

        proxy.set_faults(Faults::none());
        for _ in 0..2 {
            for (i, phone) in phones.iter().enumerate() {
                for op in phone.device.store().push_batch(100_000).unwrap() {
                    pushed.insert((i, op.op_id));
                }
                phone.device.sync().unwrap();
            }
        }
        let mut stored_ops = 0;
        for (i, phone) in phones.iter().enumerate() {
            let store = phone.device.store();
            assert_eq!(store.outbox_len().unwrap(), 0, "phone {i}: the outbox is empty");
            assert!(store.photos_to_upload().unwrap().is_empty(), "phone {i}: every photo uploaded");
            assert!(store.rejected_operations().unwrap().is_empty(), "phone {i}: nothing refused");
            assert!(phone.pending.is_empty(), "phone {i}: every edit applied");
            let device_id = store.device_id().to_owned();
            let missing: Vec<OperationId> = storage::read(&*server.storage, |tx| {
                let mut missing = Vec::new();
                for (_, op) in pushed.iter().filter(|(p, _)| *p == i) {
                    if !tx.op_exists(&device_id, *op)? {
                        missing.push(*op);
                    }
                }
                Ok(missing)
            })
            .unwrap();
            assert!(missing.is_empty(), "phone {i}: operations lost: {missing:?}");
            stored_ops += pushed.iter().filter(|(p, _)| *p == i).count();
        }
        assert_eq!(server.count(Counted::Ops), stored_ops as u64, "every operation exactly once");
        let parked = storage::read(&*server.storage, |tx| Ok(tx.parked(&ParkedQuery { limit: 10, ..ParkedQuery::default() })?)).unwrap();
        assert!(parked.is_empty(), "nothing parked: every visit was made before its phone heard of a move");
        // A form travels whole: only its seal left the phones, never a start or an answer alone.
        assert_eq!(form_steps_pushed, 0, "a form's start or draft steps were pushed apart from its seal");
        assert_eq!(server.count(Counted::CompletePhotos), photos.len() as u64);
        for (sha, bytes) in &photos {
            assert_eq!(&server.photo_bytes(sha), bytes, "photo {sha} byte-identical");
        }
        // Every sealed form is in its household's file, whole, as the phone sealed it.
        for (id, form) in &sealed {
            let record = storage::read(&*server.storage, |tx| Ok(tx.record(Entity::Form, &id.to_string())?))
                .unwrap()
                .unwrap_or_else(|| panic!("sealed form {id} lost"));
            let on_server: Form = serde_json::from_str(&record.body).unwrap();
            assert_eq!(&on_server, form, "sealed form {id} as it was sealed");
            let household = server.household(form.household_id);
            let district = household.district_id.unwrap();
            assert!(record.buckets.contains(&doorstep_server::bucket::Bucket::District(district)), "form {id} follows its household");
        }
        // The phones and the server agree on every household each phone holds.
        for phone in &phones {
            for h in &ids {
                if let Ok(mine) = phone.device.store().household(*h) {
                    assert_eq!(mine, server.household(*h));
                }
            }
        }
        for (id, _) in &orders {
            if let Ok(mine) = phones[0].device.store().work_order(*id) {
                assert_eq!(mine, server.work_order(&id.to_string()));
            }
        }
    }
}
