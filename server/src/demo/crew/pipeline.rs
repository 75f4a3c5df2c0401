//! The pipeline faults of the crew's day: the urgent one that arrives with the morning sync
//! and is repaired in a basement with no network, synced at 12:30 once above ground; and the
//! one the office forgot to dispatch, reached past its six hours.

use chrono::Duration;
use doorstep_core::app::Level;
use doorstep_core::app::screens::form::FormCheckMark;
use doorstep_core::app::screens::order::OrderEvent;
use doorstep_core::ids::WorkOrderId;

use super::form::{self, Given};
use super::screens::{
    self, begin, check_in, countdown, home, met_in_time, open_order, press, resolved_already,
};
use super::{office, open_closing_form, open_order_anywhere, resolved};
use crate::demo::{Day, DemoResult};

/// 08:10: the first sync of the day brings the pipeline fault reported at 08:05, with its
/// notification; tapped, the order opens with both its clocks running; accepted, with the
/// water heater's order notified beside it, and synced at once so that the office sees both
/// taken.
pub fn morning_sync(day: &mut Day<'_>) -> DemoResult<()> {
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

pub fn pipeline_on_the_way(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    open_order(phone, day.world.cast.pipeline_fault)?;
    press(phone, OrderEvent::OnTheWay)?;
    Ok(())
}

/// 08:45 to 09:35, in the basement: checked in at the door, the repair closing form filled,
/// photographed before and after, signed by the user and sealed, all without a network. The
/// order is resolved on the phone, both its deadlines met; the work waits to be synced.
pub fn pipeline_in_the_basement(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let id = day.world.cast.pipeline_fault;
    if resolved_already(phone, id)? {
        return Ok(());
    }
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

/// 12:30, back above ground: Today shows the morning's work waiting; one sync takes it all to
/// the server, and every step of the repair then shows the server took it in.
pub fn out_of_the_basement(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let before = home(phone)?;
    let taken_in = |phone| -> DemoResult<bool> {
        let order = open_order_anywhere(phone, day.world.cast.pipeline_fault)?;
        Ok(!order.steps.iter().any(|s| s.by == "本机"))
    };
    if before.sync.waiting_count == 0 && before.sync.photos.is_none() && taken_in(phone)? {
        // Synced in a run that stopped before the journal kept this scene.
        return Ok(());
    }
    if before.sync.waiting_count == 0 && !day.replaying {
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
    if !taken_in(phone)? {
        return Err(day.script("a step of the repair was not taken in by the server"));
    }
    Ok(())
}

/// 16:40: the fault the office dispatched at 16:30 arrives with its notification, its 6 hours
/// already gone; the crew member goes at once, is on site at 17:00 (handling late) and repairs
/// it by 17:25 (well within its 24 hours).
pub fn forgotten_fault(day: &mut Day<'_>) -> DemoResult<()> {
    let phone = begin(day);
    let number = office::forgotten_number(day.world);
    let today = screens::sync(phone)?;
    let known = crate::storage::read(day.storage, |tx| {
        Ok(tx.record_id_by_key(doorstep_core::sync::protocol::Entity::WorkOrder, &number)?)
    })?;
    if let Some(id) = known.and_then(|id| id.parse::<WorkOrderId>().ok())
        && resolved_already(phone, id)?
    {
        // Repaired in a run that stopped before the journal kept this scene.
        return Ok(());
    }
    let id: WorkOrderId = today
        .lines
        .iter()
        .find(|l| l.title.contains(&number))
        .and_then(|l| l.order_id.as_deref())
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| day.script("the forgotten fault is not on Today after the sync"))?;
    let order = screens::tap_notification(phone, id)?;
    let handle = countdown(phone, &order, "到场处置")?;
    if handle.level != Level::Late || (handle.met && !day.replaying) {
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
