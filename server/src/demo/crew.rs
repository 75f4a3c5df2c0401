//! The repair crew member's day (`world.repairer`, the phone `day.crew`), in scenes played only
//! through the app's events, as a crew member taps: the morning sync brings the urgent
//! pipeline fault with its notification; the fault is repaired in a basement with no network
//! (its closing form, photos and the user's signature all offline) and reaches the server at
//! 12:30; the user of the water heater moves the appointment by phone; the return visit is
//! answered at the door; the water heater is repaired in the new window with a charge
//! collected and the receipt shared; a fault the office forgot to dispatch is reached past its
//! six hours; the evening sync; and the office settles the day's takings (`office`).

mod equipment;
mod form;
mod handwriting;
mod office;
mod pipeline;
mod screens;

use chrono::{Duration, NaiveTime};
use doorstep_core::app::screens::order::{OrderEvent, WorkOrderScreen};
use doorstep_core::app::{Event, Screen};
use doorstep_core::ids::WorkOrderId;

use super::phone::DemoPhone;
use super::world::hm;
use super::{Day, DemoResult, Role, Scene};
use form::Given;
use screens::{begin, check_in, home, met_in_time, on_order, open_order, press, status};

/// When the forgotten fault was reported (Beijing time): its 6 hours end at 15:00.
const FORGOTTEN_REPORTED: NaiveTime = NaiveTime::from_hms_opt(9, 0, 0).expect("a time");

/// The water heater's repair: a part and the labour at the published prices, in fen.
const EQUIPMENT_CHARGES: [(&str, i64, i64); 2] =
    [("热水器点火针", 1, 3_800), ("上门维修人工费", 1, 5_000)];

/// What the crew member collected in the day, in fen.
fn collected_fen() -> i64 {
    EQUIPMENT_CHARGES.iter().map(|(_, q, p)| q * p).sum()
}

pub fn scenes() -> Vec<Scene> {
    let crew = |at, name, title, play| Scene {
        at,
        role: Role::Crew,
        name,
        title,
        play,
    };
    let office = |at, name, title, play| Scene {
        at,
        role: Role::Office,
        name,
        title,
        play,
    };
    vec![
        crew(
            hm(8, 10),
            "crew_morning_sync",
            "晨间同步：紧急管网故障到达 / Morning sync: an urgent pipeline fault arrives",
            pipeline::morning_sync,
        ),
        crew(
            hm(8, 20),
            "crew_pipeline_on_the_way",
            "出发：管网故障 / On the way to the pipeline fault",
            pipeline::pipeline_on_the_way,
        ),
        crew(
            hm(8, 45),
            "crew_pipeline_basement",
            "地下室修复管网故障（无信号） / The pipeline fault repaired in a basement, offline",
            pipeline::pipeline_in_the_basement,
        ),
        crew(
            hm(11, 0),
            "crew_equipment_rebooked",
            "用户来电改约 15:00–17:00 / The user moves the appointment to 15:00–17:00",
            equipment::equipment_rebooked,
        ),
        crew(
            hm(12, 30),
            "crew_out_of_the_basement",
            "回到地面，上午的工作同步 / Back above ground: the morning's work syncs",
            pipeline::out_of_the_basement,
        ),
        crew(
            hm(13, 30),
            "crew_return_visit",
            "上门回访：满意度 / A return visit: the user's satisfaction",
            return_visit,
        ),
        crew(
            hm(15, 0),
            "crew_equipment_on_the_way",
            "出发：热水器故障 / On the way to the water heater",
            equipment::equipment_on_the_way,
        ),
        crew(
            hm(15, 20),
            "crew_equipment_repair",
            "热水器维修，微信收费 / The water heater repaired, paid by WeChat",
            equipment::equipment_repair,
        ),
        office(
            hm(16, 30),
            "crew_office_forgotten_fault",
            "服务中心补派漏派的管网故障 / The office dispatches a fault it forgot",
            office::dispatch_the_forgotten_fault,
        ),
        crew(
            hm(16, 40),
            "crew_forgotten_fault",
            "漏派的管网故障：到场已超 6 小时 / The forgotten fault: on site past its 6 hours",
            pipeline::forgotten_fault,
        ),
        crew(
            hm(17, 30),
            "crew_evening_sync",
            "收工同步 / The evening sync",
            evening_sync,
        ),
        office(
            hm(17, 45),
            "crew_office_settles_the_day",
            "抢修员交款，日清日结 / The crew's takings handed in and settled",
            office::settle_the_crews_day,
        ),
    ]
}

/// 13:30: the return visit at the door; the user's satisfaction answered and signed; sealing
/// it resolves the order; synced on the spot.
fn return_visit(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let id = day.world.cast.return_visit;
    if screens::resolved_already(phone, id)? {
        return Ok(());
    }
    open_order(phone, id)?;
    press(phone, OrderEvent::Accept)?;
    press(phone, OrderEvent::OnTheWay)?;
    phone.move_clock_to(day.now + Duration::minutes(12));
    check_in(phone, day.world, day.world.order(id).household_id)?;
    open_closing_form(phone, "用户回访及满意度调查表")?;
    let number = day.world.order(id).number.clone();
    form::answer(
        phone,
        vec![
            ("linked_reference", Given::Type(number)),
            ("visit_method", Given::Choose("at_door")),
            ("respondent", Given::Choose("customer")),
            ("problem_solved", Given::Choose("solved")),
            ("score_timeliness", Given::Type("5".into())),
            ("score_attitude", Given::Type("5".into())),
            ("score_quality", Given::Type("4".into())),
            ("score_safety_explanation", Given::Type("5".into())),
            ("overall_satisfaction", Given::Choose("satisfied")),
            (
                "comments",
                Given::Type("换表后计量正常，希望以后换表前提前一天电话通知".into()),
            ),
            ("follow_up_needed", Given::Choose("no")),
        ],
    )?;
    form::answer_the_rest(phone, day.world.seed ^ 0x1330)?;
    form::seal(phone)?;
    let order = resolved(phone)?;
    met_in_time(phone, &order, "回访")?;
    screens::sync(phone)?;
    Ok(())
}

/// 17:30: the last sync of the day; nothing is left waiting and no order of the crew's is open.
fn evening_sync(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let today = screens::sync(phone)?;
    if today.sync.waiting_count > 0 {
        return Err(day.script("work still waits after the evening sync"));
    }
    let cast = &day.world.cast;
    for id in [cast.pipeline_fault, cast.equipment_fault, cast.return_visit] {
        let order = open_order_anywhere(phone, id)?;
        if status(&order) != "已处理完毕" {
            return Err(day.script(format!("an order of the day is {}", status(&order))));
        }
    }
    home(phone)?;
    Ok(())
}

/// Close pressed on the order shown: its closing form opens, titled `title`.
fn open_closing_form(phone: &DemoPhone, title: &str) -> DemoResult<()> {
    let opened = press(phone, OrderEvent::Close)?;
    match &opened.screen.body {
        Screen::Form(form) if form.title == title => Ok(()),
        Screen::Form(form) => Err(phone.script(format!("Close opened the form {}", form.title))),
        _ => Err(phone.unexpected("the closing form", &opened.screen)),
    }
}

/// Back from the sealed form to its order, which the seal resolved.
fn resolved(phone: &DemoPhone) -> DemoResult<WorkOrderScreen> {
    let back = phone.send(Event::Back)?;
    let Screen::WorkOrder(order) = back.screen.body else {
        return Err(phone.unexpected("the order under its form", &back.screen));
    };
    if status(&order) != "已处理完毕" {
        return Err(phone.script(format!(
            "sealing the closing form left the order {}",
            status(&order)
        )));
    }
    Ok(order)
}

/// The order opened by its link, whether or not Today lists it (a resolved order may not be).
fn open_order_anywhere(phone: &DemoPhone, id: WorkOrderId) -> DemoResult<WorkOrderScreen> {
    home(phone)?;
    tap_order(phone, id)
}

fn tap_order(phone: &DemoPhone, id: WorkOrderId) -> DemoResult<WorkOrderScreen> {
    phone.send(Event::OpenLink {
        link: format!("doorstep://order/{id}"),
    })?;
    on_order(phone)
}

fn appointment(order: &WorkOrderScreen) -> String {
    order
        .appointment
        .as_ref()
        .map(|f| f.value.clone())
        .unwrap_or_default()
}

/// Fen as the app shows yuan: "¥88.00".
fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::demo::world;

    #[test]
    fn the_crews_day_is_scenes_of_unique_names_in_time_order_ending_with_the_settlement() {
        let scenes = scenes();
        let mut names: Vec<_> = scenes.iter().map(|s| s.name).collect();
        assert!(names.iter().all(|n| n.starts_with("crew_")));
        assert!(scenes.windows(2).all(|w| w[0].at < w[1].at));
        assert_eq!(scenes.last().map(|s| s.role), Some(Role::Office));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), scenes.len());
        assert_eq!(collected_fen(), 8_800);
        assert_eq!(yuan(collected_fen()), "¥88.00");
    }

    #[test]
    fn the_forgotten_fault_is_the_same_every_run_and_at_a_door_no_other_scene_knocks_on() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 6).expect("a day");
        let world = world::generate(7, 600, date);
        let household = office::forgotten_household(&world);
        assert_eq!(
            household,
            office::forgotten_household(&world::generate(7, 600, date))
        );
        assert_eq!(office::forgotten_number(&world), "GD-20261206-0100");
        assert!(
            world
                .orders
                .iter()
                .all(|o| o.household_id != Some(household))
        );
        assert!(world.household(household).location.is_some());
        assert!(!world.cast.inspections.contains(&household));
    }
}
