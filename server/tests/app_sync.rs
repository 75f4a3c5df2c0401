//! The technician's app (`doorstep_core::app`) against a real server, driven only through
//! events: enrolling with a real code, syncing, Today showing the pulled orders, a new urgent
//! order notified once, a revoked device wiped.

use chrono::{Duration, Utc};
use doorstep_core::app::format::moment;
use doorstep_core::app::screens::enroll::EnrollEvent;
use doorstep_core::app::{App, AppConfig, Effect, Event, Screen, Update};
use doorstep_core::store::StoreKey;
use doorstep_core::sync::protocol::Record;
use doorstep_core::text::Lang;
use doorstep_core::workorder::{FaultClass, WorkOrder, WorkOrderKind, WorkOrderSource};
use doorstep_server::storage::{self, Actor};

use crate::common::{self, Backend, Team, TestServer};

struct AppPhone {
    dir: tempfile::TempDir,
    app: App,
}

impl AppPhone {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = AppConfig::new(dir.path().join("app"));
        config.device_model = "Test phone".into();
        let app = App::open(config, &StoreKey::generate()).unwrap();
        Self { dir, app }
    }

    fn send(&self, event: Event) -> Update {
        self.app.handle(event).unwrap()
    }

    /// Types the server and the code on the Enroll screen, submits, and runs the enrollment
    /// the effect asks for, as a shell's worker would.
    fn enroll(&self, server: &str, code: &str) -> Update {
        self.send(Event::Enroll(EnrollEvent::SetServer {
            text: server.into(),
        }));
        self.send(Event::Enroll(EnrollEvent::SetCode { text: code.into() }));
        let submitted = self.send(Event::Enroll(EnrollEvent::Submit));
        assert_eq!(submitted.effects, [Effect::RunEnrollment]);
        self.app.run_enrollment().unwrap()
    }

    fn sync(&self) -> Update {
        self.app.run_sync(&|_| {}).unwrap()
    }

    fn today_titles(&self) -> Vec<String> {
        match self.app.screen().unwrap().body {
            Screen::Today(today) => today.lines.into_iter().map(|l| l.title).collect(),
            other => panic!("not on Today: {other:?}"),
        }
    }
}

fn urgent_order(server: &TestServer, team: &Team, number: &str, major: bool) -> WorkOrder {
    let household = common::household(
        &format!("HZ{}", &number[3..].replace('-', "")),
        team.district.id,
        7,
    );
    server.office_put(Record::Household(Box::new(household.clone())));
    let household = household.id;
    let mut order = WorkOrder::open(
        number,
        WorkOrderKind::PipelineFault,
        WorkOrderSource::Phone,
        Some(household),
        "文三路燃气泄漏",
        Utc::now() - Duration::minutes(2),
    );
    order.assignee = Some(team.inspector.id);
    if major {
        order.class = Some(FaultClass::Major);
    }
    server.office_put(Record::WorkOrder(Box::new(order.clone())));
    order
}

fn notifications(update: &Update) -> Vec<(String, String, String)> {
    update
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify {
                title, body, link, ..
            } => Some((title.clone(), body.clone(), link.clone())),
            _ => None,
        })
        .collect()
}

on_both_backends! {
    fn an_app_enrolls_with_a_real_code_syncs_and_today_shows_the_pulled_orders(backend: Backend) {
        let server = TestServer::start(backend);
        let team = common::team(&server, "西湖片区", "T0427");
        urgent_order(&server, &team, "GD-2026-100", false);
        let phone = AppPhone::new();
        assert!(matches!(phone.app.screen().unwrap().body, Screen::Enroll(_)));

        // A wrong code is said beside the code field; nothing changes.
        let refused = phone.enroll(&server.url, "WRONG-CODE");
        let Screen::Enroll(enroll) = refused.screen.body else { panic!("left Enroll") };
        assert_eq!(
            enroll.code.problem.as_deref(),
            Some("登记码错误、已使用或已过期，请向服务中心重新申请")
        );

        let code = server.enrollment_code(team.inspector.id);
        let enrolled = phone.enroll(&server.url, &code);
        assert!(matches!(enrolled.screen.body, Screen::Today(_)));
        assert_eq!(enrolled.effects, [Effect::SyncNow]);
        assert_eq!(enrolled.screen.notice.unwrap().text, "本机已登记");
        // The Sync screen follows the sync's phases while it runs, and rests after it.
        phone.send(Event::Today(doorstep_core::app::screens::today::TodayEvent::OpenSync));
        let seen = std::sync::Mutex::new(Vec::new());
        let synced = phone.app.run_sync(&|u| seen.lock().unwrap().push(u.screen.body)).unwrap();
        let active: Vec<_> = seen
            .lock()
            .unwrap()
            .iter()
            .filter_map(|body| match body {
                Screen::Sync(sync) => sync.stages.iter().find(|s| s.active).map(|s| s.label.clone()),
                _ => None,
            })
            .collect();
        assert!(active.contains(&"下载更新".to_owned()), "{active:?}");
        let Screen::Sync(after) = synced.screen.body.clone() else { panic!("left Sync") };
        assert!(after.stages.iter().all(|s| !s.active));
        assert!(after.last_result.unwrap().starts_with("上传 0 项，下载 "));
        phone.send(Event::Back);
        let synced = Update { screen: phone.app.screen().unwrap(), effects: synced.effects };
        let Screen::Today(today) = synced.screen.body.clone() else { panic!("not on Today") };
        assert_eq!(today.technician, "王师傅 · 工号 T0427");
        assert!(today.sync.last_sync.starts_with("上次同步：今天"), "{}", today.sync.last_sync);
        assert_eq!(phone.today_titles(), ["管网故障 · GD-2026-100"]);
        // The first sync brings the urgent order the phone had not heard of: one notification.
        let told = notifications(&synced);
        assert_eq!(told.len(), 1, "{told:?}");
        assert_eq!(told[0].0, "紧急工单：管网故障");
        assert!(told[0].2.starts_with("doorstep://order/"));
    }
}

on_both_backends! {
    fn an_urgent_order_created_after_the_first_sync_is_notified_at_the_next_sync_once(backend: Backend) {
        let server = TestServer::start(backend);
        let team = common::team(&server, "西湖片区", "T0427");
        let phone = AppPhone::new();
        phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
        assert!(notifications(&phone.sync()).is_empty());

        let order = urgent_order(&server, &team, "GD-2026-101", true);
        let next = phone.sync();
        let told = notifications(&next);
        assert_eq!(told.len(), 1, "{told:?}");
        let (title, body, link) = &told[0];
        assert_eq!(title, "紧急工单：管网故障（重大）");
        // The day word is the one the phone's clock gives: an order made at 23:50 is due tomorrow.
        let on_site = moment(order.reported_at + Duration::minutes(30), Utc::now(), Lang::Zh);
        assert!(body.starts_with(&format!("GD-2026-101 抢险到场须在 {on_site}")), "{body}");
        assert!(!body.contains("文三路"), "no address or person in a notification: {body}");
        assert_eq!(link, &format!("doorstep://order/{}", order.id));
        // Tapping the notification opens the order over Today.
        let opened = phone.send(Event::OpenLink { link: link.clone() });
        assert!(matches!(opened.screen.body, Screen::WorkOrder(_)));
        assert!(opened.screen.can_go_back);

        assert!(notifications(&phone.sync()).is_empty(), "notified once");

        // In English, the same words the other way round.
        phone.send(Event::SetLanguage { lang: Lang::En });
        let order = urgent_order(&server, &team, "GD-2026-102", false);
        let told = notifications(&phone.sync());
        assert_eq!(told.len(), 1, "{told:?}");
        assert_eq!(told[0].0, "Urgent order: pipeline fault");
        let handled = moment(order.reported_at + Duration::hours(6), Utc::now(), Lang::En);
        let expected = format!("GD-2026-102: handled on site by {handled}");
        assert!(told[0].1.starts_with(&expected), "{}", told[0].1);
    }
}

on_both_backends! {
    fn a_revoked_device_is_wiped_and_shows_enrollment_with_why(backend: Backend) {
        let server = TestServer::start(backend);
        let team = common::team(&server, "西湖片区", "T0427");
        common::households(&server, &team, 3);
        let phone = AppPhone::new();
        phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
        phone.sync();
        let dir = phone.dir.path().join("app");
        let db = dir.join("doorstep.db");
        assert!(db.exists());
        let device_id = phone.app.store().lock().unwrap().device_id().to_owned();
        storage::write(&*server.storage, |tx| {
            doorstep_server::auth::revoke(tx, &device_id, &Actor::Admin(None), Utc::now())
        })
        .unwrap();

        let after = phone.sync();
        assert_eq!(after.effects, [Effect::ForgetStoreKey]);
        let Screen::Enroll(enroll) = after.screen.body else { panic!("not on Enroll") };
        assert!(enroll.message.unwrap().starts_with("本设备已被服务中心停用，本机数据已清除"));
        for gone in [
            db.clone(),
            dir.join("doorstep.db-wal"),
            dir.join("doorstep.db.photos"),
            dir.join("app-state.bin"),
        ] {
            assert!(!gone.exists(), "{} is still there", gone.display());
        }
        // Nothing more is saved or synced by this app object.
        phone.send(Event::Tick);
        assert!(!dir.join("app-state.bin").exists());
        assert!(phone.sync().effects.is_empty());
        // Enrolling again needs a new app object (and key): this one says so.
        let again = phone.enroll(&server.url, &server.enrollment_code(team.inspector.id));
        let Screen::Enroll(enroll) = again.screen.body else { panic!("not on Enroll") };
        assert!(enroll.message.unwrap().contains("请重新打开应用"));
        assert!(!db.exists());
    }
}
