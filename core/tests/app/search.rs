//! The Search screen: households by customer number, name, phone or partial address.

use doorstep_core::app::screens::search::SearchEvent;
use doorstep_core::app::{Event, Screen};
use doorstep_core::text::Lang;

use super::Phone;
use crate::common::{at, household};
use crate::on_screen;

fn phone_with_households() -> Phone {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |store| {
        store
            .receive_households(&[
                household(
                    "3300000001",
                    "张桂英",
                    "13800138000",
                    "文三路",
                    30.27,
                    120.15,
                ),
                household(
                    "3300000002",
                    "李文华",
                    "13912345678",
                    "学院路",
                    30.27,
                    120.15,
                ),
            ])
            .unwrap();
    });
    phone.send(Event::Today(
        doorstep_core::app::screens::today::TodayEvent::OpenSearch,
    ));
    phone
}

fn search(phone: &Phone, text: &str) -> doorstep_core::app::screens::search::SearchScreen {
    let update = phone.send(Event::Search(SearchEvent::SetQuery { text: text.into() }));
    on_screen!(update.screen, Search)
}

#[test]
fn households_are_found_by_number_name_phone_or_partial_chinese_address_with_the_field_matched() {
    let phone = phone_with_households();
    let empty = on_screen!(phone.screen(), Search);
    assert_eq!(empty.summary, "输入户号、姓名、电话或地址的一部分");
    assert!(empty.results.is_empty());

    let by_address = search(&phone, "学院");
    assert_eq!(by_address.summary, "找到 1 户");
    assert_eq!(by_address.results[0].name, "李文华");
    assert!(by_address.results[0].matched.starts_with("地址："));

    let by_phone = search(&phone, "139 1234");
    assert_eq!(by_phone.results.len(), 1);
    assert_eq!(by_phone.results[0].matched, "电话：13912345678");

    let by_number = search(&phone, "3300000001");
    assert_eq!(by_number.results[0].name, "张桂英");
    assert_eq!(by_number.results[0].matched, "户号：3300000001");

    let by_name = search(&phone, "桂英");
    assert_eq!(by_name.results[0].matched, "姓名：张桂英");
    assert!(
        by_name.results[0]
            .accessibility
            .starts_with("张桂英，户号 3300000001")
    );

    assert_eq!(search(&phone, "不存在的路").summary, "未找到匹配的用户");
    phone.send(Event::SetLanguage { lang: Lang::En });
    let english = search(&phone, "桂英");
    assert_eq!(english.summary, "1 household found");
    assert_eq!(english.results[0].matched, "name: 张桂英");
}

#[test]
fn the_query_survives_the_process_being_killed_and_a_result_opens_the_household() {
    let mut phone = phone_with_households();
    search(&phone, "文三路");
    phone.reopen();
    let screen = on_screen!(phone.screen(), Search);
    assert_eq!(screen.query, "文三路");
    assert_eq!(screen.results.len(), 1);
    let opened = phone.send(Event::Search(SearchEvent::Open {
        household_id: screen.results[0].household_id.clone(),
    }));
    assert!(matches!(opened.screen.body, Screen::Household(_)));
    phone.send(Event::Back);
    let cleared = phone.send(Event::Search(SearchEvent::Clear));
    assert!(on_screen!(cleared.screen, Search).query.is_empty());
    assert!(
        phone
            .app()
            .handle(Event::Search(SearchEvent::Open {
                household_id: "nope".into()
            }))
            .is_err()
    );
}
