//! The repair crew member's day (`world.repairer`, the phone `day.crew`), in scenes played only
//! through the app's events, as a crew member taps: the morning sync brings the urgent
//! pipeline fault with its notification; the fault is repaired in a basement with no network
//! (its closing form, photos and the user's signature all offline) and reaches the server at
//! 12:30; the user of the water heater moves the appointment by phone; the return visit is
//! answered at the door; the water heater is repaired in the new window with a charge
//! collected and the receipt shared; a fault the office forgot to dispatch is reached past its
//! six hours; the evening sync; and the office settles the day's takings (`office`).

mod form;
mod handwriting;
mod office;
mod screens;

use chrono::{Duration, NaiveTime};
use doorstep_core::app::screens::actions::{ActionEvent, ActionField};
use doorstep_core::app::screens::copy::{CopyEvent, Paper};
use doorstep_core::app::screens::form::{FormChargeLine, FormCheckMark, FormEvent};
use doorstep_core::app::screens::order::{OrderEvent, WorkOrderScreen};
use doorstep_core::app::screens::today::TodayEvent;
use doorstep_core::app::{Effect, Event, Level, NoticeKind, Screen};
use doorstep_core::fees::PaymentMethod;
use doorstep_core::ids::WorkOrderId;

use super::phone::DemoPhone;
use super::world::hm;
use super::{Day, DemoResult, Role, Scene};
use form::Given;
use screens::{begin, check_in, countdown, home, met_in_time, on_order, open_order, press, status};

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
            morning_sync,
        ),
        crew(
            hm(8, 20),
            "crew_pipeline_on_the_way",
            "出发：管网故障 / On the way to the pipeline fault",
            pipeline_on_the_way,
        ),
        crew(
            hm(8, 45),
            "crew_pipeline_basement",
            "地下室修复管网故障（无信号） / The pipeline fault repaired in a basement, offline",
            pipeline_in_the_basement,
        ),
        crew(
            hm(11, 0),
            "crew_equipment_rebooked",
            "用户来电改约 15:00–17:00 / The user moves the appointment to 15:00–17:00",
            equipment_rebooked,
        ),
        crew(
            hm(12, 30),
            "crew_out_of_the_basement",
            "回到地面，上午的工作同步 / Back above ground: the morning's work syncs",
            out_of_the_basement,
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
            equipment_on_the_way,
        ),
        crew(
            hm(15, 20),
            "crew_equipment_repair",
            "热水器维修，微信收费 / The water heater repaired, paid by WeChat",
            equipment_repair,
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
            forgotten_fault,
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

/// 08:10: the first sync of the day brings the pipeline fault reported at 08:05, with its
/// notification; tapped, the order opens with both its clocks running; accepted, with the
/// water heater's order notified beside it, and synced at once so that the office sees both
/// taken.
fn morning_sync(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let id = day.world.cast.pipeline_fault;
    screens::sync(phone)?;
    let order = screens::tap_notification(phone, id)?;
    for clock in ["到场处置", "修复"] {
        if countdown(phone, &order, clock)?.met {
            return Err(day.script(format!("{clock} is met before anyone went")));
        }
    }
    press(phone, OrderEvent::Accept)?;
    // The water heater's order came with it (its visit is this afternoon): taken too.
    screens::tap_notification(phone, day.world.cast.equipment_fault)?;
    press(phone, OrderEvent::Accept)?;
    screens::sync(phone)?;
    Ok(())
}

fn pipeline_on_the_way(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    open_order(phone, day.world.cast.pipeline_fault)?;
    press(phone, OrderEvent::OnTheWay)?;
    Ok(())
}

/// 08:45 to 09:35, in the basement: checked in at the door, the repair closing form filled,
/// photographed before and after, signed by the user and sealed, all without a network. The
/// order is resolved on the phone, both its deadlines met; the work waits to be synced.
fn pipeline_in_the_basement(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let id = day.world.cast.pipeline_fault;
    open_order(phone, id)?;
    let order = check_in(phone, day.world, day.world.order(id).household_id)?;
    met_in_time(phone, &order, "到场处置")?;
    open_closing_form(phone, "维修工单完工单")?;
    form::answer(
        phone,
        vec![
            ("arrived_at", Given::At(day.now)),
            ("fault_category", Given::Choose("pipeline")),
            (
                "fault_found",
                Given::Type("地下室立管与水平管连接处丝扣接头渗漏，检测仪读数 8 %LEL".into()),
            ),
            ("photos_before", Given::Photos(1)),
        ],
    )?;
    phone.move_clock_to(day.now + Duration::minutes(40));
    form::answer(
        phone,
        vec![
            ("repair_result", Given::Choose("repaired")),
            ("cause", Given::Type("接头密封老化".into())),
            (
                "work_done",
                Given::Type("关闭立管阀门，拆开接头，重新缠生料带并紧固，恢复供气".into()),
            ),
            ("parts_used", Given::Type("生料带 1卷".into())),
            ("test_after_repair", Given::Check(FormCheckMark::Pass)),
            ("leak_detector_lel", Given::Type("0".into())),
            ("photos_after", Given::Photos(1)),
            ("completed_at", Given::At(phone.now())),
            ("charge_note", Given::Type("管网维修，不收费".into())),
        ],
    )?;
    form::answer_the_rest(phone, day.world.seed ^ 0x0845)?;
    phone.move_clock_to(day.now + Duration::minutes(50));
    form::seal(phone)?;
    let order = resolved(phone)?;
    met_in_time(phone, &order, "到场处置")?;
    met_in_time(phone, &order, "修复")?;
    let today = home(phone)?;
    if today.sync.waiting_count == 0 || today.sync.photos.is_none() {
        return Err(day.script("Today shows nothing waiting to be synced after the offline repair"));
    }
    Ok(())
}

/// 11:00, still offline: the user of the water heater calls to move the 14:00–16:00 visit to
/// 15:00–17:00; the crew member records the change the user agreed to.
fn equipment_rebooked(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let id = day.world.cast.equipment_fault;
    let order = open_order(phone, id)?;
    if !appointment(&order).contains("14:00") {
        return Err(day.script("the order does not show its 14:00 appointment"));
    }
    let opened = press(phone, OrderEvent::ChangeAppointment)?;
    if !matches!(opened.screen.body, Screen::Action(_)) {
        return Err(phone.unexpected("the appointment's change", &opened.screen));
    }
    let act = |event| phone.send(Event::Action(event));
    act(ActionEvent::SetTime {
        field: ActionField::WindowFrom,
        at: day.at(hm(15, 0)),
    })?;
    act(ActionEvent::SetTime {
        field: ActionField::WindowTo,
        at: day.at(hm(17, 0)),
    })?;
    act(ActionEvent::Choose {
        field: ActionField::AgreedBy,
        choice: "user".into(),
    })?;
    let done = act(ActionEvent::Submit)?;
    if done.screen.notice.as_ref().map(|n| n.kind) != Some(NoticeKind::Done) {
        return Err(day.script("the new appointment was not recorded"));
    }
    let order = on_order(phone)?;
    let window = appointment(&order);
    if !(window.contains("15:00") && window.contains("17:00") && window.contains("用户本人")) {
        return Err(day.script("the order does not show the new window agreed by the user"));
    }
    Ok(())
}

/// 12:30, back above ground: Today shows the morning's work waiting; one sync takes it all to
/// the server, and every step of the repair then shows the server took it in.
fn out_of_the_basement(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let before = home(phone)?;
    if before.sync.waiting_count == 0 {
        return Err(day.script("nothing waits to be synced after a morning offline"));
    }
    let after = screens::sync(phone)?;
    if after.sync.waiting_count > 0 || after.sync.photos.is_some() {
        return Err(day.script(format!(
            "after the sync, work still waits: {} / {}",
            after.sync.waiting,
            after.sync.photos.unwrap_or_default()
        )));
    }
    let order = open_order_anywhere(phone, day.world.cast.pipeline_fault)?;
    if order.steps.iter().any(|s| s.by == "本机") {
        return Err(day.script("a step of the repair was not taken in by the server"));
    }
    Ok(())
}

/// 13:30: the return visit at the door; the user's satisfaction answered and signed; sealing
/// it resolves the order; synced on the spot.
fn return_visit(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let id = day.world.cast.return_visit;
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

fn equipment_on_the_way(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    open_order(phone, day.world.cast.equipment_fault)?;
    press(phone, OrderEvent::OnTheWay)?;
    Ok(())
}

/// 15:20, inside the new window: the water heater repaired, a part and the labour collected by
/// WeChat Pay with a receipt, the receipt shared with the user; the Fees screen then lists the
/// collection and what to hand in.
fn equipment_repair(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let id = day.world.cast.equipment_fault;
    open_order(phone, id)?;
    let order = check_in(phone, day.world, day.world.order(id).household_id)?;
    met_in_time(phone, &order, "到场")?;
    open_closing_form(phone, "维修工单完工单")?;
    form::answer(
        phone,
        vec![
            ("arrived_at", Given::At(day.now)),
            ("fault_category", Given::Choose("water_heater")),
            (
                "fault_found",
                Given::Type("热水器点火针积碳、位置偏移，打火无火花".into()),
            ),
            ("photos_before", Given::Photos(1)),
        ],
    )?;
    phone.move_clock_to(day.now + Duration::minutes(25));
    let receipt = format!("R-{}-001", day.date.format("%Y%m%d"));
    form::answer(
        phone,
        vec![
            ("repair_result", Given::Choose("repaired")),
            ("cause", Given::Type("点火针老化积碳".into())),
            (
                "work_done",
                Given::Type("更换点火针，调整点火间隙，试火十次均正常点燃".into()),
            ),
            ("parts_used", Given::Type("热水器点火针 1个".into())),
            ("test_after_repair", Given::Check(FormCheckMark::Pass)),
            ("leak_detector_lel", Given::Type("0".into())),
            ("photos_after", Given::Photos(1)),
            ("completed_at", Given::At(phone.now())),
            (
                "charge_note",
                Given::Type("更换点火针及上门人工，按公示价格收费".into()),
            ),
            (
                "charges",
                Given::Charges {
                    lines: EQUIPMENT_CHARGES
                        .iter()
                        .map(|(item, quantity, unit_price_fen)| FormChargeLine {
                            item: (*item).to_owned(),
                            quantity: *quantity,
                            unit_price_fen: *unit_price_fen,
                        })
                        .collect(),
                    method: PaymentMethod::WechatPay,
                    receipt: receipt.clone(),
                },
            ),
        ],
    )?;
    form::answer_the_rest(phone, day.world.seed ^ 0x1520)?;
    phone.move_clock_to(day.now + Duration::minutes(30));
    let sealed = form::seal(phone)?;
    let copies = sealed.sealed.map(|s| s.copies).unwrap_or_default();
    if !copies.iter().any(|c| c.paper == Paper::Receipt) {
        return Err(day.script("the sealed form offers no receipt"));
    }
    share_the_receipt(day, phone)?;

    let order = resolved(phone)?;
    let total = yuan(collected_fen());
    if order.charges_total.as_deref() != Some(format!("合计 {total}").as_str()) {
        return Err(day.script("the order does not show what was charged"));
    }
    home(phone)?;
    let fees = phone.send(Event::Today(TodayEvent::OpenFees))?;
    let Screen::Fees(fees) = fees.screen.body else {
        return Err(phone.unexpected("the Fees screen", &fees.screen));
    };
    let listed = fees
        .collections
        .iter()
        .any(|c| c.receipt.contains(&receipt));
    let hand_in: Vec<(&str, &str)> = fees
        .hand_in
        .iter()
        .map(|t| (t.method.as_str(), t.amount.as_str()))
        .collect();
    if !listed || hand_in != [("微信支付", total.as_str())] {
        return Err(day.script(format!(
            "the Fees screen lists {} collections and {hand_in:?} to hand in",
            fees.collections.len()
        )));
    }
    Ok(())
}

/// The receipt opened from the sealed form and shared with the user's phone.
fn share_the_receipt(day: &Day<'_>, phone: &DemoPhone) -> DemoResult<()> {
    let opened = phone.send(Event::Form(FormEvent::OpenCopy {
        paper: Paper::Receipt,
    }))?;
    let Screen::Copy(copy) = opened.screen.body else {
        return Err(phone.unexpected("the receipt", &opened.screen));
    };
    if let Some(problem) = copy.problem {
        return Err(day.script(format!("no receipt: {problem}")));
    }
    let shared = phone.send(Event::Copy(CopyEvent::Share))?;
    let path = shared.effects.iter().find_map(|e| match e {
        Effect::Share { path, .. } => Some(path.clone()),
        _ => None,
    });
    let written = path
        .as_ref()
        .and_then(|p| std::fs::metadata(p).ok())
        .is_some_and(|m| m.len() > 0);
    if !written {
        return Err(day.script("Share wrote no receipt for the share sheet"));
    }
    phone.send(Event::Back)?;
    Ok(())
}

/// 16:40: the fault the office dispatched at 16:30 arrives with its notification, its 6 hours
/// already gone; the crew member goes at once, is on site at 17:00 (handling late) and repairs
/// it by 17:25 (well within its 24 hours).
fn forgotten_fault(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let number = office::forgotten_number(day.world);
    let today = screens::sync(phone)?;
    let id: WorkOrderId = today
        .lines
        .iter()
        .find(|l| l.title.contains(&number))
        .and_then(|l| l.order_id.as_deref())
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| day.script("the forgotten fault is not on Today after the sync"))?;
    let order = screens::tap_notification(phone, id)?;
    let handle = countdown(phone, &order, "到场处置")?;
    if handle.met || handle.level != Level::Late {
        return Err(day.script("the forgotten fault's 6 hours do not show as gone"));
    }
    press(phone, OrderEvent::Accept)?;
    screens::sync(phone)?;
    phone.move_clock_to(day.now + Duration::minutes(2));
    open_order(phone, id)?;
    press(phone, OrderEvent::OnTheWay)?;
    phone.move_clock_to(day.now + Duration::minutes(20));
    let household = office::forgotten_household(day.world);
    let order = check_in(phone, day.world, Some(household))?;
    let handle = countdown(phone, &order, "到场处置")?;
    if !handle.met || handle.level != Level::Late {
        return Err(day.script("the late arrival does not show as late"));
    }
    open_closing_form(phone, "维修工单完工单")?;
    form::answer(
        phone,
        vec![
            ("arrived_at", Given::At(phone.now())),
            ("fault_category", Given::Choose("valve")),
            (
                "fault_found",
                Given::Type("表后阀门阀杆处微漏，肥皂水检测起泡".into()),
            ),
            ("repair_result", Given::Choose("repaired")),
            ("cause", Given::Type("阀杆密封圈老化".into())),
            ("work_done", Given::Type("更换表后球阀，检测无泄漏".into())),
            ("test_after_repair", Given::Check(FormCheckMark::Pass)),
            ("charge_note", Given::Type("公司管网设施，不收费".into())),
        ],
    )?;
    phone.move_clock_to(day.now + Duration::minutes(40));
    form::answer_the_rest(phone, day.world.seed ^ 0x1640)?;
    phone.move_clock_to(day.now + Duration::minutes(45));
    form::seal(phone)?;
    let order = resolved(phone)?;
    met_in_time(phone, &order, "修复")?;
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
