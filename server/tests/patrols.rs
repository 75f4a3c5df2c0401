//! Abnormal consumption → patrol (Art.5(2), Art.15): readings imported from the billing system
//! and readings pushed by phones are analysed on the server; an abnormal household gets one
//! patrol order on its district's list, with the reason, and never a second while it is open.

use crate::common;

use chrono::{Duration, SecondsFormat, Utc};
use common::{Backend, TestServer, households, team};
use doorstep_core::household::{Household, MeterReading, ReadingSource, Volume};
use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::{WorkOrder, WorkOrderKind};
use doorstep_server::admin::{Act, import_readings};
use doorstep_server::bucket::Bucket;
use doorstep_server::records::decode;
use doorstep_server::storage::{self, Actor, Counted};

fn act() -> Act {
    Act {
        at: Utc::now(),
        actor: Actor::Admin(Some("wangli".into())),
    }
}

/// A readings file: one line per (household, days ago, cubic metres).
fn readings_file(dir: &tempfile::TempDir, rows: &[(&Household, i64, &str)]) -> std::path::PathBuf {
    let mut text = String::from("customer_number,taken_at,value\n");
    for (household, days_ago, value) in rows {
        let at =
            (Utc::now() - Duration::days(*days_ago)).to_rfc3339_opts(SecondsFormat::Secs, true);
        text.push_str(&format!("{},{at},{value}\n", household.customer_number));
    }
    let path = dir.path().join("readings.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// The patrol orders on the server, with their buckets.
fn patrols(server: &TestServer) -> Vec<(WorkOrder, Vec<Bucket>)> {
    storage::read(&*server.storage, |tx| {
        let mut found = Vec::new();
        for record in tx.records(Entity::WorkOrder, "", 1000)? {
            let order: WorkOrder = decode(&record)?;
            if order.kind == WorkOrderKind::AbnormalUsePatrol {
                found.push((order, record.buckets.clone()));
            }
        }
        Ok(found)
    })
    .unwrap()
}

on_both_backends! {
    fn billing_readings_of_a_meter_that_went_back_open_one_patrol_on_its_districts_list(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let hs = households(&server, &team, 2);
        let dir = tempfile::tempdir().unwrap();
        // The first household's meter reads less than a month ago; the second uses gas as usual.
        let file = readings_file(&dir, &[
            (&hs[0], 40, "1523.400"),
            (&hs[0], 10, "1490.000"),
            (&hs[1], 40, "800"),
            (&hs[1], 10, "830.5"),
        ]);
        let summary = import_readings(&*server.storage, &file, &act()).unwrap();
        assert!(summary.to_string().starts_with("已导入 4 条读数（新增 4，更新 0，未变 0）；开异常用气巡查工单 1 张"), "{summary}");

        let found = patrols(&server);
        assert_eq!(found.len(), 1, "{found:?}");
        let (order, buckets) = &found[0];
        assert_eq!(order.household_id, Some(hs[0].id));
        assert!(order.assignee.is_none() && order.crew.is_none(), "unassigned");
        assert!(buckets.contains(&Bucket::District(team.district.id)), "on the district's list: {buckets:?}");
        assert!(order.description.contains("表读数比上次少33400升"), "{}", order.description);
        assert!(order.description.contains("the meter reading went back by 33400 L"));
        assert!(!order.description.contains(&hs[0].name) && !order.description.contains(&hs[0].customer_number));

        // The district's phone has it on its list.
        let phone = common::enrolled_phone(&server, &team);
        assert_eq!(phone.store().work_order(order.id).unwrap().kind, WorkOrderKind::AbnormalUsePatrol);
        // And the household's timeline says so, as the server keeps it.
        let history = phone.store().household_file(hs[0].id).unwrap().history;
        let order_id = order.id.to_string();
        assert!(
            history.iter().any(|l| l.subject_id.as_deref() == Some(order_id.as_str()) && l.summary.en.starts_with("work order opened")),
            "{history:#?}"
        );

        // The same file again, and the next reading, open no second patrol while it is open.
        let again = import_readings(&*server.storage, &file, &act()).unwrap();
        assert!(again.to_string().starts_with("已导入 4 条读数（新增 0，更新 0，未变 4）；开异常用气巡查工单 0 张"), "{again}");
        let next = readings_file(&dir, &[(&hs[0], 1, "1480")]);
        import_readings(&*server.storage, &next, &act()).unwrap();
        assert_eq!(patrols(&server).len(), 1);
    }
}

on_both_backends! {
    fn a_field_reading_pushed_by_a_phone_is_analysed_and_opens_the_patrol(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let h = households(&server, &team, 1).remove(0);
        let phone = common::enrolled_phone(&server, &team);
        for (days_ago, litres) in [(30, 2_000_000), (1, 1_999_000)] {
            phone.store().record_meter_reading(&MeterReading {
                household_id: h.id,
                taken_at: Utc::now() - Duration::days(days_ago),
                value: Volume::from_litres(litres),
                source: ReadingSource::Technician,
            }).unwrap();
        }
        phone.sync().unwrap();
        let found = patrols(&server);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.household_id, Some(h.id));
        // It reaches the phone with its next pull.
        phone.sync().unwrap();
        assert_eq!(phone.store().work_order(found[0].0.id).unwrap().description, found[0].0.description);
    }
}

on_both_backends! {
    fn a_readings_file_with_an_unknown_customer_imports_nothing_and_names_the_line(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "西湖一片", "HZ1001");
        let h = households(&server, &team, 1).remove(0);
        let stranger = Household { customer_number: "XX-404".into(), ..h.clone() };
        let dir = tempfile::tempdir().unwrap();
        let file = readings_file(&dir, &[(&h, 40, "10"), (&stranger, 10, "5")]);
        let error = import_readings(&*server.storage, &file, &act()).unwrap_err();
        assert!(error.contains("line 3: customer_number: no such household"), "{error}");
        assert!(error.contains("第3行 customer_number：没有这个用户"), "{error}");
        assert!(!error.contains("XX-404"), "no value repeated");
        assert_eq!(server.count(Counted::Records(Entity::Reading)), 0, "nothing imported");
    }
}
