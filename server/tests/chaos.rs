//! A technician's phone syncing through a network that cuts connections in the middle of
//! requests and of answers, sends requests twice, delays them and replays old ones out of
//! order, for a thousand sync rounds: in the end the server holds every operation exactly
//! once, every photo byte-identical, and the phone's outbox is empty.

use crate::common;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use common::proxy::{Faults, Proxy};
use common::{Backend, TestDevice, TestServer, households, team};
use doorstep_core::device_sync::SyncOptions;
use doorstep_core::household::{MeterReading, Phone, ReadingSource, Volume};
use doorstep_core::media::{PhotoPolicy, WatermarkContext};
use doorstep_core::sync::protocol::Record;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};
use doorstep_server::storage::{self, Counted};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ROUNDS: u32 = 1000;

fn small_camera_file(dir: &std::path::Path, n: u32) -> std::path::PathBuf {
    let (width, height) = (480u32, 360u32);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    let mut state = 0x2545_F491u32.wrapping_mul(n + 7);
    for _ in 0..width * height {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        pixels.extend([(state >> 8) as u8, (state >> 16) as u8, (n * 37) as u8]);
    }
    let jpeg = doorstep_core::media::decode::encode_jpeg(
        &doorstep_core::media::decode::RgbImage {
            width,
            height,
            pixels,
        },
        92,
    )
    .unwrap();
    let path = dir.join(format!("chaos-{n}.jpg"));
    std::fs::write(&path, jpeg).unwrap();
    path
}

on_both_backends! {
    fn a_thousand_syncs_through_a_hostile_network_lose_nothing_and_double_nothing(backend: Backend) {
        let seed: u64 = std::env::var("DOORSTEP_CHAOS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261128);
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 12);
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
            order.assignee = Some(team.inspector.id);
            server.office_put(Record::WorkOrder(Box::new(order.clone())));
            orders.push((order.id, 0usize));
        }
        let proxy = Proxy::start(&server.url, Faults::none(), seed);
        let phone = TestDevice::with_options(SyncOptions {
            attempts: 3,
            backoff: std::time::Duration::from_millis(2),
            max_backoff: std::time::Duration::from_millis(20),
            timeout: std::time::Duration::from_secs(10),
            push_batch: 7,
            pull_page: 5,
            photo_chunk: 16 * 1024,
        });
        phone.enroll(&proxy.url, &server.enrollment_code(team.inspector.id));
        phone.sync().unwrap();
        proxy.set_faults(Faults::harsh());

        let steps = [WorkOrderStatus::Accepted, WorkOrderStatus::EnRoute, WorkOrderStatus::OnSite, WorkOrderStatus::Resolved];
        let mut rng = StdRng::seed_from_u64(seed);
        let mut ops = BTreeSet::new();
        let mut photos = Vec::new();
        let (mut ok, mut failed) = (0u32, 0u32);
        let start = Utc::now() - Duration::days(1);
        for round in 0..ROUNDS {
            let roll: f64 = rng.random();
            let h = &hs[rng.random_range(0..hs.len())];
            {
                let mut store = phone.store();
                if roll < 0.4 {
                    let mut edited = store.household(h.id).unwrap();
                    edited.phones = vec![Phone::parse(&format!("137{:08}", round)).unwrap()];
                    store.save_household(&edited, Utc::now()).unwrap();
                } else if roll < 0.65 {
                    store
                        .record_meter_reading(&MeterReading {
                            household_id: h.id,
                            taken_at: start + Duration::seconds(i64::from(round)),
                            value: Volume::from_litres(i64::from(round) * 1000),
                            source: ReadingSource::Technician,
                        })
                        .unwrap();
                } else if roll < 0.72 {
                    let pick = rng.random_range(0..orders.len());
                    let (id, next) = &mut orders[pick];
                    if *next < steps.len() {
                        store.move_work_order(*id, steps[*next], Utc::now(), None).unwrap();
                        *next += 1;
                    }
                } else if roll < 0.745 {
                    let path = small_camera_file(phone.dir.path(), round);
                    let context = WatermarkContext {
                        captured_at: Utc::now(),
                        lang: doorstep_core::text::Lang::Zh,
                        customer_number: Some(h.customer_number.clone()),
                        device_position: h.location,
                        technician: "HZ1001".into(),
                    };
                    let photo = store.ingest_photo(&path, Some(h.id), &context, &PhotoPolicy::default()).unwrap();
                    photos.push(photo.sha256);
                }
                ops.extend(store.push_batch(100_000).unwrap().into_iter().map(|op| op.op_id));
            }
            match phone.sync() {
                Ok(_) => ok += 1,
                Err(doorstep_core::Error::Network { .. }) => failed += 1,
                Err(e) => panic!("round {round}: only network failures are expected, got {e:?}"),
            }
        }
        eprintln!(
            "chaos: {ok} syncs completed and {failed} cut short in {ROUNDS} rounds; proxy: {:?}",
            proxy.counts
        );
        let c = &proxy.counts;
        use std::sync::atomic::Ordering::Relaxed;
        for (fault, n) in [("cut requests", &c.cut_requests), ("cut answers", &c.cut_responses), ("duplicates", &c.duplicates), ("delays", &c.delays), ("replays", &c.replays)] {
            assert!(n.load(Relaxed) >= 20, "the network did too few {fault} to prove anything");
        }

        proxy.set_faults(Faults::none());
        phone.sync().unwrap();
        let device_id = phone.store().device_id().to_owned();
        assert_eq!(phone.store().outbox_len().unwrap(), 0, "the outbox is empty");
        assert!(phone.store().photos_to_upload().unwrap().is_empty());
        assert!(phone.store().rejected_operations().unwrap().is_empty());
        assert_eq!(server.count(Counted::Ops), ops.len() as u64, "every operation exactly once");
        let missing: Vec<_> = storage::read(&*server.storage, |tx| {
            let mut missing = Vec::new();
            for op in &ops {
                if !tx.op_exists(&device_id, *op)? {
                    missing.push(*op);
                }
            }
            Ok(missing)
        })
        .unwrap();
        assert!(missing.is_empty(), "operations lost: {missing:?}");
        assert!(photos.len() >= 10, "too few photos to prove anything: {}", photos.len());
        assert_eq!(server.count(Counted::CompletePhotos), photos.len() as u64);
        for sha in &photos {
            assert_eq!(server.photo_bytes(sha), phone.store().photo_jpeg(sha).unwrap(), "photo {sha} byte-identical");
        }
        // The phone and the server agree on every household and order.
        for h in &hs {
            assert_eq!(phone.store().household(h.id).unwrap(), server.household(h.id));
        }
        for (id, _) in &orders {
            assert_eq!(phone.store().work_order(*id).unwrap(), server.work_order(&id.to_string()));
        }
    }
}
