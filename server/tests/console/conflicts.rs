//! Conflicts, parked work, contact edits with their version and the day's settlement on the
//! console (issue 26), over real HTTP on both backends.

use chrono::{Duration, Utc};
use doorstep_core::calendar::local_date;
use doorstep_core::fees::{PaymentMethod, Settlement};
use doorstep_core::household::{Household, Phone};
use doorstep_core::ids::HouseholdId;
use doorstep_core::store::sync::Standing;
use doorstep_core::sync::protocol::{Entity, Record};
use doorstep_server::console::Role;
use doorstep_server::records::decode;
use doorstep_server::storage::{self, AuditRow, ParkedQuery, ParkedRow};

use crate::common::console::{self, Console, Page, hidden};
use crate::common::forms::inspect;
use crate::common::{self, Backend, TestDevice, TestServer, enrolled_phone, households, team};
use crate::fees::{charged, close_repair};

fn audit(server: &TestServer) -> Vec<AuditRow> {
    storage::read(&*server.storage, |tx| Ok(tx.audit_log(1000)?)).unwrap()
}

fn parked(server: &TestServer) -> Vec<ParkedRow> {
    storage::read(&*server.storage, |tx| {
        Ok(tx.parked(&ParkedQuery {
            limit: 100,
            ..ParkedQuery::default()
        })?)
    })
    .unwrap()
}

/// The technician's phone changes the household's first number and syncs.
fn phone_changes_number(phone: &TestDevice, id: HouseholdId, number: &str) {
    {
        let mut store = phone.store();
        let mut h: Household = store.household(id).unwrap();
        h.phones = vec![Phone::parse(number).unwrap()];
        store.save_household(&h, Utc::now()).unwrap();
    }
    phone.sync().unwrap();
}

/// The numbers of the conflicts a page offers to resolve (`/console/conflicts/<n>`).
fn conflict_forms(page: &Page) -> Vec<String> {
    page.body
        .match_indices("action=\"/console/conflicts/")
        .map(|(at, m)| {
            let rest = &page.body[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

on_both_backends! {
    fn the_office_page_drawn_before_the_phone_synced_keeps_a_conflict_that_a_supervisor_resolves_by_taking_the_phones_number(backend: Backend) {
        let server = TestServer::start(backend);
        let west = team(&server, "西湖一片", "HZ1001");
        let h = households(&server, &west, 1).remove(0);
        let phone = enrolled_phone(&server, &west);
        let password = console::staff(&server, "zhaomin", Role::Supervisor, &[]);
        let mut c = Console::sign_in(&server, "zhaomin", &password);

        // 10:55 at the office: the contact form is drawn while the user is on the phone.
        let form = c.get(&format!("/console/households/{}/contact", h.id)).ok();
        let drawn_seq = hidden(&form.body, "seq").expect("the form carries its version");
        let was = hidden(&form.body, "was_phone0").expect("the number it shows");
        assert_eq!(was, h.phones[0].as_str());
        // Meanwhile the technician at the door types the number the user gives there, and the
        // phone syncs before the office saves.
        phone_changes_number(&phone, h.id, "13911112222");
        assert_eq!(server.household(h.id).phones[0].as_str(), "13911112222");

        // A number the core's rule refuses is shown beside its field, nothing written.
        let refused = c.post(
            &format!("/console/households/{}/contact", h.id),
            &[("seq", &drawn_seq), ("was_phone0", &was), ("phone0", "12345")],
        );
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.shows("不是手机号"), "{}", refused.body);
        assert!(refused.shows("value=\"12345\""), "the value typed is kept");
        assert_eq!(server.household(h.id).phones[0].as_str(), "13911112222");

        // The office saves the number from the call, on the page drawn before: the later
        // clock (the office's) stands and the phone's number is kept as a conflict.
        let saved = c.post(
            &format!("/console/households/{}/contact", h.id),
            &[("seq", &drawn_seq), ("was_phone0", &was), ("phone0", "186 3333 4444")],
        );
        assert_eq!(saved.status, 303, "{}", saved.body);
        let shown = c.follow(&saved).ok();
        assert!(shown.shows("/console/conflicts"), "the office is told a conflict was kept");
        assert_eq!(server.household(h.id).phones[0].as_str(), "18633334444");

        // Side by side on the conflicts page: both numbers, who wrote each, the rule.
        let list = c.get("/console/conflicts").ok();
        assert!(list.shows("18633334444") && list.shows("13911112222"), "{}", list.body);
        assert!(list.shows("王师傅（工号 HZ1001）"), "{}", list.body);
        assert!(list.shows("服务中心") && list.shows("以较晚的修改为准"));
        assert!(list.shows(&h.customer_number) && list.shows("联系电话"));
        let forms = conflict_forms(&list);
        assert_eq!(forms.len(), 1, "{}", list.body);
        let n = forms[0].clone();
        let conflict_seq = hidden(&list.body, "seq").unwrap();

        // Someone corrects the number again from a fresh form before the choice is sent: the
        // choice made on the older page is refused, with the value it holds now.
        let fresh = c.get(&format!("/console/households/{}/contact", h.id)).ok();
        let corrected = c.post(
            &format!("/console/households/{}/contact", h.id),
            &[
                ("seq", &hidden(&fresh.body, "seq").unwrap()),
                ("was_phone0", "18633334444"),
                ("phone0", "18633335555"),
            ],
        );
        assert_eq!(corrected.status, 303, "{}", corrected.body);
        let stale = c.post(&format!("/console/conflicts/{n}"), &[("choice", "other"), ("seq", &conflict_seq)]);
        assert_eq!(stale.status, 409, "{}", stale.body);
        assert!(stale.shows("现值：18633335555"), "{}", stale.body);
        assert_eq!(server.household(h.id).phones[0].as_str(), "18633335555");

        // Drawn again, the choice goes through: the phone's number is taken.
        let list = c.get("/console/conflicts").ok();
        let seq = hidden(&list.body, "seq").unwrap();
        let done = c.post(&format!("/console/conflicts/{n}"), &[("choice", "other"), ("seq", &seq)]);
        assert_eq!(done.status, 303, "{}", done.body);
        assert!(c.follow(&done).ok().shows("冲突已处理"));
        assert_eq!(server.household(h.id).phones[0].as_str(), "13911112222");
        // Out of the open list, in the resolved one, with who chose.
        let open = c.get("/console/conflicts").ok();
        assert!(conflict_forms(&open).is_empty(), "{}", open.body);
        let resolved = c.get("/console/conflicts?resolved=1").ok();
        assert!(resolved.shows("zhaomin") && resolved.shows("改用了被覆盖的值"), "{}", resolved.body);
        // Resolving it again is refused.
        let again = c.post(&format!("/console/conflicts/{n}"), &[("choice", "kept"), ("seq", &seq)]);
        assert_eq!(again.status, 409);

        // The choice is an office edit like any other: the phone pulls it.
        phone.sync().unwrap();
        assert_eq!(phone.store().household(h.id).unwrap().phones[0].as_str(), "13911112222");
        // Audited, naming the member of staff.
        let lines = audit(&server);
        assert!(lines.iter().any(|a| a.action == "conflict_resolved"
            && a.actor.to_string() == "staff:zhaomin"
            && a.entity_id.as_deref() == Some(n.as_str())), "{lines:?}");
        assert!(lines.iter().any(|a| a.action == "household_updated"
            && a.actor.to_string() == "staff:zhaomin"));
        assert!(lines.iter().any(|a| a.action == "household_viewed"
            && a.entity_id.as_deref() == Some(h.id.to_string().as_str())));
    }
}

on_both_backends! {
    fn a_contact_edit_from_the_current_version_is_saved_with_no_conflict_and_a_dispatcher_edits_only_their_districts(backend: Backend) {
        let server = TestServer::start(backend);
        let west = team(&server, "西湖一片", "HZ1001");
        let east = team(&server, "滨江二片", "BJ2001");
        let h = households(&server, &west, 1).remove(0);
        let password = console::staff(&server, "lihua", Role::Dispatcher, &[west.district.id]);
        let mut c = Console::sign_in(&server, "lihua", &password);
        let form = c.get(&format!("/console/households/{}/contact", h.id)).ok();
        let saved = c.post(
            &format!("/console/households/{}/contact", h.id),
            &[
                ("seq", &hidden(&form.body, "seq").unwrap()),
                ("was_phone0", &hidden(&form.body, "was_phone0").unwrap()),
                ("phone0", h.phones[0].as_str()),
                ("phone1", "0571-8765 4321"),
            ],
        );
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert!(c.follow(&saved).ok().shows("联系方式已保存"));
        let after = server.household(h.id);
        assert_eq!(after.phones.len(), 2);
        assert_eq!(after.phones[1].as_str(), "057187654321");
        assert_eq!(server.count(storage::Counted::Conflicts), 0);

        // A household of another district: refused, read or written.
        let theirs = common::household("BJ000001", east.district.id, 7);
        server.office_put(Record::Household(Box::new(theirs.clone())));
        assert_eq!(c.get(&format!("/console/households/{}/contact", theirs.id)).status, 403);
        let post = c.post(
            &format!("/console/households/{}/contact", theirs.id),
            &[("seq", "1"), ("phone0", "13900001111")],
        );
        assert_eq!(post.status, 403, "{}", post.body);
        assert_eq!(server.household(theirs.id).phones, theirs.phones);
        // And the conflicts page is a supervisor's.
        assert_eq!(c.get("/console/conflicts").status, 403);
        assert_eq!(c.post("/console/conflicts/1", &[("choice", "kept"), ("seq", "1")]).status, 403);
        assert_eq!(c.get("/console/settlement").status, 403);
    }
}

on_both_backends! {
    fn a_supervisor_accepts_one_parked_visit_and_rejects_another_with_the_reason_the_technician_reads(backend: Backend) {
        let server = TestServer::start(backend);
        let west = team(&server, "西湖一片", "HZ1001");
        let east = team(&server, "滨江二片", "BJ2001");
        let hs = households(&server, &west, 2);
        let phone = enrolled_phone(&server, &west);
        let accepted = inspect(&phone, &hs[0], &[]);
        let rejected = inspect(&phone, &hs[1], &[]);
        // The office moves the technician to the east before the phone syncs: its visits of
        // the west are parked for the office.
        let mut moved = west.inspector.clone();
        moved.district_id = Some(east.district.id);
        moved.crew_id = Some(east.crew);
        server.office_put(Record::Technician(moved));
        phone.sync().unwrap();
        let waiting = parked(&server);
        assert!(waiting.iter().any(|p| p.entity_id == accepted.to_string()));
        assert!(waiting.iter().any(|p| p.entity_id == rejected.to_string()));

        let password = console::staff(&server, "zhaomin", Role::Supervisor, &[]);
        let mut c = Console::sign_in(&server, "zhaomin", &password);
        let page = c.get("/console/conflicts").ok();
        assert!(page.shows("待定作业") && page.shows("已签署的表单"), "{}", page.body);
        assert!(page.shows(&hs[0].customer_number) && page.shows("王师傅（工号 HZ1001）"));
        assert!(page.shows("作业时用户已不在该技术员的片区"));

        // A rejection without a reason is refused beside its field; nothing decided.
        let first = &waiting[0];
        let no_reason = c.post(&format!("/console/parked/{}", first.op_id), &[("decision", "reject"), ("reason", "  ")]);
        assert_eq!(no_reason.status, 422, "{}", no_reason.body);
        assert!(no_reason.shows("退回须写明原因"));
        assert!(parked(&server).iter().all(|p| p.decision.is_none()));

        for p in &waiting {
            let done = if p.household_id.as_deref() == Some(hs[0].id.to_string().as_str()) {
                c.post(&format!("/console/parked/{}", p.op_id), &[("decision", "accept")])
            } else {
                c.post(
                    &format!("/console/parked/{}", p.op_id),
                    &[("decision", "reject"), ("reason", "该户本月已由滨江二片检查")],
                )
            };
            assert_eq!(done.status, 303, "{}", done.body);
        }
        let after = c.get("/console/conflicts?done=rejected").ok();
        assert!(after.shows("已退回"));
        assert!(parked(&server).iter().all(|p| p.decision.is_some()));
        storage::read(&*server.storage, |tx| {
            assert!(tx.record(Entity::Form, &accepted.to_string())?.is_some(), "accepted into the file");
            assert!(tx.record(Entity::Form, &rejected.to_string())?.is_none());
            Ok(())
        })
        .unwrap();
        // A decision is made once.
        let again = c.post(&format!("/console/parked/{}", first.op_id), &[("decision", "accept")]);
        assert_eq!(again.status, 409);

        // The technician reads the office's reason on the phone.
        phone.sync().unwrap();
        let listed = phone.store().rejected_operations().unwrap();
        assert!(!listed.is_empty());
        assert!(listed.iter().all(|r| r.standing == Standing::Rejected
            && r.decision_reason.as_deref() == Some("该户本月已由滨江二片检查")));
        let lines = audit(&server);
        assert!(lines.iter().any(|a| a.action == "parked_accepted" && a.actor.to_string() == "staff:zhaomin"));
        assert!(lines.iter().any(|a| a.action == "parked_rejected" && a.actor.to_string() == "staff:zhaomin"));
    }
}

on_both_backends! {
    fn a_supervisor_settles_a_technicians_day_in_yuan_and_the_shortfall_is_kept_as_a_discrepancy(backend: Backend) {
        let server = TestServer::start(backend);
        let west = team(&server, "文新", "T1002");
        let hs = households(&server, &west, 3);
        let phone = enrolled_phone(&server, &west);
        let me = west.inspector.id;
        let today = local_date(Utc::now());
        let yesterday = today.pred_opt().unwrap();
        let noon = |day: chrono::NaiveDate| day.and_hms_opt(4, 0, 0).unwrap().and_utc();
        close_repair(&phone, &hs[0], charged(12000, PaymentMethod::Cash, "R-1", me), noon(yesterday));
        close_repair(&phone, &hs[1], charged(3000, PaymentMethod::WechatPay, "R-2", me), noon(yesterday) + Duration::hours(2));
        phone.sync().unwrap();

        let password = console::staff(&server, "zhaomin", Role::Supervisor, &[]);
        let mut c = Console::sign_in(&server, "zhaomin", &password);
        let list = c.get("/console/settlement").ok();
        assert!(list.shows("未日结") && list.shows("150.00 元") && list.shows("王师傅 (T1002)"), "{}", list.body);
        let settle_url = format!("/console/settlement/settle?technician={me}&day={yesterday}");
        assert!(list.shows(&settle_url.replace('&', "&amp;")), "{}", list.body);
        let form = c.get(&settle_url).ok();
        assert!(form.shows("120.00 元") && form.shows("30.00 元") && form.shows("R-1"), "{}", form.body);

        // An amount that is not yuan is refused beside its field, the values typed kept.
        let fields = |cash: &'static str| {
            vec![
                ("technician", me.to_string()),
                ("day", yesterday.to_string()),
                ("cash", cash.to_owned()),
                ("wechat_pay", "30".to_owned()),
                ("alipay", "0".to_owned()),
                ("bank_card", String::new()),
            ]
        };
        let bad = fields("110.005");
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = c.post("/console/settlement/settle", &bad);
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.shows("金额须为元") && refused.shows("value=\"110.005\""), "{}", refused.body);

        // 10.00 yuan of cash short.
        let good = fields("110.00");
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let settled = c.post("/console/settlement/settle", &good);
        assert_eq!(settled.status, 303, "{}", settled.body);
        let result = c.follow(&settled).ok();
        assert!(result.shows("已日结，差额 -10.00 元"), "{}", result.body);
        assert!(result.shows("110.00 元") && result.shows("R-1, R-2"), "{}", result.body);
        let list = c.get("/console/settlement").ok();
        assert!(list.shows("已日结，差额 -10.00 元"), "{}", list.body);
        // Settled once.
        let twice = c.post("/console/settlement/settle", &good);
        assert_eq!(twice.status, 409, "{}", twice.body);
        assert!(twice.shows("这一天已日结"));
        let settlements: Vec<Settlement> = storage::read(&*server.storage, |tx| {
            let page = tx.records(Entity::Settlement, "", 10)?;
            page.iter().map(decode::<Settlement>).collect()
        })
        .unwrap();
        assert_eq!(settlements.len(), 1);
        assert_eq!(settlements[0].discrepancies.len(), 1);
        assert_eq!(settlements[0].discrepancies[0].difference_fen, -1000);
        assert_eq!(settlements[0].settled_by, "staff:zhaomin");
        assert!(audit(&server).iter().any(|a| a.action == "day_settled" && a.actor.to_string() == "staff:zhaomin"));

        // Today is not over: refused, with the core's reason.
        let mut today_fields = fields("0");
        today_fields[1].1 = today.to_string();
        let today_fields: Vec<(&str, &str)> = today_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let not_over = c.post("/console/settlement/settle", &today_fields);
        assert_eq!(not_over.status, 422, "{}", not_over.body);
        assert!(not_over.shows("这一天还没有结束"), "{}", not_over.body);
    }
}
