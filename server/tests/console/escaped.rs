//! A household whose name and address hold HTML and script (typed into the customer system by
//! mistake or on purpose) is shown as text on every console page that shows it: the call
//! search, the household's file, the board, the special-groups register, the inspection list,
//! an outage's households. Nothing of it reaches a page as markup (issue 26, "Must show").

use chrono::{NaiveDate, Utc};
use doorstep_core::household::{Household, Phone, SpecialGroup, SpecialGroupRegistration};
use doorstep_core::ids::DistrictId;
use doorstep_core::sync::protocol::Record;
use doorstep_core::team::District;
use doorstep_server::console::Role;

use crate::common::console::{self, Console};
use crate::common::{self, Backend, TestServer};

const NAME: &str = "<script>alert('name')</script><b onmouseover=x>";
const STREET: &str = "<img src=x onerror=alert(1)>文三路88号";

/// The hostile texts as they must appear: escaped.
const NAME_ESCAPED: &str = "&lt;script&gt;alert('name')&lt;/script&gt;&lt;b onmouseover=x&gt;";
const STREET_ESCAPED: &str = "&lt;img src=x onerror=alert(1)&gt;文三路88号";

fn no_markup_from_the_record(page: &str, what: &str) {
    for raw in [
        "<script>alert('name')",
        "<b onmouseover",
        "<img src=x onerror",
    ] {
        assert!(
            !page.contains(raw),
            "{what}: the household's text reached the page as markup ({raw})"
        );
    }
}

on_both_backends! {
    fn a_household_name_holding_html_and_script_is_shown_escaped_on_every_page_that_shows_it(backend: Backend) {
        let server = TestServer::start(backend);
        let district = District {
            id: DistrictId::new(),
            name: "文新".into(),
            policy: Default::default(),
            boundary: common::square(30.25, 120.15, 0.05),
        };
        server.office_put(Record::District(district.clone()));
        let mut h: Household = common::household("HZ-XSS-1", district.id, 1);
        h.name = NAME.into();
        h.address.street = STREET.into();
        h.last_inspection_at = None;
        h.special_group = Some(SpecialGroupRegistration {
            groups: vec![SpecialGroup::Elderly],
            needs: "<i>needs</i>".into(),
            contact: None,
            consent_given: true,
            registered_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        });
        h.phones = vec![Phone::parse("13812345678").unwrap()];
        server.office_put(Record::Household(Box::new(h.clone())));

        let password = console::staff(&server, "zhangmin", Role::Supervisor, &[]);
        let mut c = Console::sign_in(&server, "zhangmin", &password);

        // The call search finds it by its number and shows its name and address as text.
        let found = c.get("/console/calls/search?q=HZ-XSS").ok();
        no_markup_from_the_record(&found.body, "call search");
        assert!(found.shows(NAME_ESCAPED), "call search: {}", found.body);

        // A repair call opens an order for it: the board lists the order.
        let taken = c.post("/console/calls", &[
            ("household", &h.id.to_string()),
            ("kind", "repair"),
            ("summary", "灶具打不着火"),
            ("becomes", "order"),
            ("order_kind", "user_equipment_fault"),
            ("dispatch", ""),
        ]);
        assert_eq!(taken.status, 303, "{}", taken.body);
        let result = c.follow(&taken).ok();
        no_markup_from_the_record(&result.body, "call result");
        let board = c.get("/console/board").ok();
        no_markup_from_the_record(&board.body, "board");
        assert!(board.shows("HZ-XSS-1"), "board: {}", board.body);

        let file = c.get(&format!("/console/households/{}", h.id)).ok();
        no_markup_from_the_record(&file.body, "household file");
        assert!(file.shows(NAME_ESCAPED) && file.shows(STREET_ESCAPED), "file: {}", file.body);
        assert!(!file.body.contains("<i>needs</i>"), "file: the needs reached the page as markup");

        let register = c.get("/console/special").ok();
        no_markup_from_the_record(&register.body, "special register");
        assert!(register.shows(NAME_ESCAPED), "register: {}", register.body);

        let overdue = c.get(&format!("/console/inspections/list?month=overdue&district={}", district.id)).ok();
        no_markup_from_the_record(&overdue.body, "inspection list");
        assert!(overdue.shows(NAME_ESCAPED), "inspection list: {}", overdue.body);

        // An outage over the district lists the household among those to tell.
        let starts = (Utc::now() + chrono::Duration::hours(48))
            .with_timezone(&doorstep_core::calendar::service_timezone())
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let ends = (Utc::now() + chrono::Duration::hours(56))
            .with_timezone(&doorstep_core::calendar::service_timezone())
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let posted = c.post("/console/outages/new", &[
            ("title", "<script>alert('title')</script>检修"),
            ("reason", "repair"),
            ("starts", &starts),
            ("ends", &ends),
            ("districts", &district.id.to_string()),
            ("corners", ""),
        ]);
        assert_eq!(posted.status, 303, "{}", posted.body);
        let outage = c.follow(&posted).ok();
        no_markup_from_the_record(&outage.body, "outage");
        assert!(!outage.body.contains("<script>alert('title')"), "outage: its title reached the page as markup");
        assert!(outage.shows("HZ-XSS-1"), "outage: {}", outage.body);
        let list = c.get("/console/outages").ok();
        assert!(!list.body.contains("<script>alert('title')"), "outages: a title reached the page as markup");
        assert!(list.shows("&lt;script&gt;alert('title')&lt;/script&gt;检修"), "outages: {}", list.body);
    }
}
