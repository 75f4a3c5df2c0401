//! Planned outages (Art.7(2)), on both backends: the office announces one (refused inside the
//! lead time unless an emergency with a reason), a technician records a notice posted at a
//! building from the phone while the office records calls, and none of them is lost; the office
//! sees who was told, who is pending and who is late.

use chrono::{Duration, Utc};
use doorstep_core::ids::OutageId;
use doorstep_core::outage::{NotifiedHow, Notifier, OutageArea, OutageNotice, OutageReason};
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_server::records::decode;
use doorstep_server::storage;

use crate::common;
use crate::fees::admin;
use common::*;

/// Around every household of `households` (30.26…30.27 N, 120.16 E).
const AREA: &str = "120.15 30.25, 120.17 30.25, 120.17 30.28, 120.15 30.28";

fn at_hours(h: i64) -> String {
    (Utc::now() + Duration::hours(h)).to_rfc3339()
}

on_both_backends! {
    fn the_office_announces_an_outage_and_sees_who_was_told_pending_or_late(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "文新", "T2001");
        households(&server, &team, 3);
        let create = |starts: i64, extra: &[&str]| {
            let (starts, ends) = (at_hours(starts), at_hours(starts + 8));
            let mut args = vec![
                "outage", "create", "--title", "文三路管网检修", "--reason", "repair",
                "--starts", &starts, "--ends", &ends,
            ];
            args.extend_from_slice(extra);
            admin(&server, &args)
        };

        // Less than 24 h ahead: refused unless an emergency with its reason.
        let (ok, _, err) = create(2, &["--area", AREA]);
        assert!(!ok && err.contains("--starts"), "{err}");
        let (ok, _, err) = create(48, &["--area", "120.15 30.25, 120.17 30.28, 120.17 30.25, 120.15 30.28"]);
        assert!(!ok && err.contains("--area"), "a bow tie: {err}");
        let (ok, _, err) = create(48, &[]);
        assert!(!ok && err.contains("--district"), "{err}");

        let (ok, planned, err) = create(48, &["--area", AREA]);
        assert!(ok, "{err}");
        let planned = planned.trim().to_owned();
        let (ok, out, err) = admin(&server, &["outage", "households", &planned]);
        assert!(ok, "{err}");
        assert_eq!(out, "HZ000001\tPENDING\nHZ000002\tPENDING\nHZ000003\tPENDING\n");

        let (ok, _, err) = admin(&server, &["outage", "notify", &planned, "--household", "HZ000002", "--household", "HZ000003", "--how", "sms"]);
        assert!(ok, "{err}");
        let (ok, _, err) = admin(&server, &["outage", "notify", &planned, "--household", "NOPE", "--how", "sms"]);
        assert!(!ok && err.contains("--household"), "{err}");
        let (_, out, _) = admin(&server, &["outage", "households", &planned]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "HZ000001\tPENDING");
        assert!(lines[1].starts_with("HZ000002\tsms 20"), "{out}");

        // An emergency two hours ahead, by district: whoever is not told yet is late already.
        let district = team.district.id.to_string();
        let (ok, urgent, err) = create(2, &["--district", &district, "--emergency", "--emergency-reason", "主干管破损抢修"]);
        assert!(ok, "{err}");
        let (_, out, _) = admin(&server, &["outage", "households", urgent.trim()]);
        assert_eq!(out.lines().filter(|l| l.ends_with("\tLATE")).count(), 3, "{out}");

        let (_, list, _) = admin(&server, &["outage", "list"]);
        assert_eq!(list.lines().count(), 2, "{list}");
        assert!(list.lines().any(|l| l.starts_with(&planned) && l.contains("\trepair\t2\t-\t")), "{list}");
        assert!(list.contains("emergency: 主干管破损抢修"), "{list}");
    }
}

on_both_backends! {
    fn a_technician_posting_a_notice_at_a_building_and_the_office_calling_at_once_lose_no_notification(backend: Backend) {
        let server = TestServer::start(backend);
        let team = team(&server, "文新", "T2002");
        let hs = households(&server, &team, 3);
        let notice = OutageNotice::create(
            "文三路管网检修",
            OutageReason::PipelineInspection,
            OutageArea::Districts(vec![team.district.id]),
            Utc::now() + Duration::hours(30),
            Utc::now() + Duration::hours(38),
            Duration::hours(24),
            None,
            "wangli",
            Utc::now(),
        )
        .unwrap();
        server.office_put(Record::Outage(Box::new(notice.clone())));
        let phone = enrolled_phone(&server, &team);
        let second_phone = enrolled_phone(&server, &team);
        assert_eq!(phone.store().outage_households(notice.id).unwrap().len(), 3);

        // The first phone posts a notice at the building of the first two households, the
        // second phone visits the third, and the office calls the third too: all offline of
        // each other.
        phone
            .store()
            .record_outage_notices(notice.id, &[hs[0].id, hs[1].id], NotifiedHow::NoticePosted, Utc::now())
            .unwrap();
        second_phone
            .store()
            .record_outage_notices(notice.id, &[hs[2].id], NotifiedHow::Visit, Utc::now())
            .unwrap();
        let id = notice.id.to_string();
        let (ok, _, err) = admin(&server, &["outage", "notify", &id, "--household", "HZ000003", "--how", "phone"]);
        assert!(ok, "{err}");
        phone.sync().unwrap();
        second_phone.sync().unwrap();
        phone.sync().unwrap();

        let on_server: OutageNotice = storage::read(&*server.storage, |tx| {
            decode(&tx.record(Entity::Outage, &id)?.unwrap())
        })
        .unwrap();
        assert_eq!(on_server.notifications.len(), 4, "{:?}", on_server.notifications);
        assert!(on_server.notifications.iter().any(|n| n.by == Notifier::Technician { id: team.inspector.id }));
        assert!(on_server.notifications.iter().any(|n| matches!(&n.by, Notifier::Office { operator } if operator == "wangli")));
        // Both phones hold all of them after their next pull.
        assert_eq!(phone.store().outage(notice.id).unwrap().notifications, on_server.notifications);
        let (_, out, _) = admin(&server, &["outage", "households", &id]);
        assert!(!out.contains("PENDING"), "{out}");

        // Nor for an outage it does not hold: refused, nothing kept.
        let unknown = OutageId::new();
        assert!(phone
            .store()
            .record_outage_notices(unknown, &[hs[0].id], NotifiedHow::Sms, Utc::now())
            .is_err());
    }
}
