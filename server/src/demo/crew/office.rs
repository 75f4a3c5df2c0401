//! The service center's part in the crew's day, done on the server's storage as `doorstep
//! admin` does it (the same functions): the pipeline fault a caller reported at 09:00 and an
//! operator forgot, dispatched at 16:30; and, once the crew member has handed the takings in,
//! the day's settlement (日清日结, Art.14).

use std::collections::BTreeMap;

use doorstep_core::fees::{PaymentMethod, day_bounds};
use doorstep_core::household::{Category, SupplyStatus};
use doorstep_core::ids::HouseholdId;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::workorder::{WorkOrderKind, WorkOrderSource};

use super::{FORGOTTEN_REPORTED, collected_fen};
use crate::admin::{Act, OrderCreate, SettleDay, create_order, settle_day};
use crate::demo::world::World;
use crate::demo::{Day, DemoResult};
use crate::storage::{self, Actor};

/// The operator the demo's office works as, in the audit log.
const OPERATOR: &str = "demo-office";

/// The forgotten fault's number: the world's, made the same on every run of a day.
pub fn forgotten_number(world: &World) -> String {
    format!("GD-{}-0100", world.date.format("%Y%m%d"))
}

/// The household that called about the forgotten fault: in the next building of the compound
/// of the morning's fault, residential, on gas, with no other order of the day and no part in
/// another scene.
pub fn forgotten_household(world: &World) -> HouseholdId {
    let cast = &world.cast;
    let morning = world.household(
        world
            .order(cast.pipeline_fault)
            .household_id
            .expect("the morning's fault is at a household"),
    );
    let busy = |id: HouseholdId| {
        world.orders.iter().any(|o| o.household_id == Some(id))
            || cast.inspections.contains(&id)
            || [
                cast.nobody_home,
                cast.major_hazard,
                cast.phone_edit,
                cast.special_group,
                cast.complainant,
            ]
            .contains(&id)
    };
    let fits = |h: &&doorstep_core::household::Household| {
        h.category == Category::Residential
            && matches!(h.supply, SupplyStatus::Active)
            && h.location.is_some()
            && !busy(h.id)
    };
    world
        .households
        .iter()
        .filter(fits)
        .find(|h| {
            h.address.street == morning.address.street
                && h.address.building != morning.address.building
        })
        .or_else(|| world.households.iter().find(fits))
        .expect("a district of households has one that fits")
        .id
}

/// 16:30: the office finds the fault a caller reported at 09:00 that nobody dispatched, and
/// dispatches it to the crew member: its 6-hour clock ran out at 15:00.
pub fn dispatch_the_forgotten_fault(day: &mut Day<'_>) -> DemoResult<()> {
    let world = day.world;
    let number = forgotten_number(world);
    let exists = storage::read(day.storage, |tx| {
        Ok(tx.record_id_by_key(Entity::WorkOrder, &number)?)
    })?;
    if exists.is_some() {
        // A run stopped after the office opened it: the order is there once.
        return Ok(());
    }
    let household = world.household(forgotten_household(world));
    let args = OrderCreate {
        number: number.clone(),
        kind: WorkOrderKind::PipelineFault,
        source: WorkOrderSource::Phone,
        household: Some(household.customer_number.clone()),
        lat: None,
        lon: None,
        assignee: Some(world.repairer.id),
        crew: Some(world.crew.id),
        description: "楼道燃气表后阀门处有轻微燃气味（上午来电，漏派）".to_owned(),
        reported_at: Some(day.at(FORGOTTEN_REPORTED)),
        class: None,
        appointment_from: None,
        appointment_to: None,
        complaint: None,
    };
    create_order(day.storage, args, &act(day.now))
        .map_err(|e| day.script(format!("the office could not open {number}: {e}")))?;
    Ok(())
}

/// 17:45: the crew member hands in what the phone's Fees screen said to; the office settles
/// the day on the server's receipts and it balances. The core settles a day only once it is
/// over (`fees::settle`), so the settlement is recorded at the day's end, midnight.
pub fn settle_the_crews_day(day: &mut Day<'_>) -> DemoResult<()> {
    let technician = day.world.repairer.id;
    let key = format!("{technician}/{}", day.date);
    let settled = storage::read(day.storage, |tx| {
        Ok(tx.record_id_by_key(Entity::Settlement, &key)?)
    })?;
    if settled.is_some() {
        return Ok(());
    }
    let (from, to) = day_bounds(day.date);
    let receipts = storage::read(day.storage, |tx| {
        Ok(tx.receipts_between(&technician.to_string(), from, to)?)
    })?;
    let mut collected: BTreeMap<&str, i64> = BTreeMap::new();
    for r in &receipts {
        *collected.entry(r.method.as_str()).or_default() += r.total_fen;
    }
    let total: i64 = collected.values().sum();
    if total != collected_fen() {
        return Err(day.script(format!(
            "the server holds {total} fen collected by the crew, the day collected {}",
            collected_fen()
        )));
    }
    let handed_in = |m: PaymentMethod| collected.get(m.as_str()).copied().unwrap_or(0);
    let args = SettleDay {
        technician: Some(technician),
        day: Some(day.date),
        cash: handed_in(PaymentMethod::Cash),
        wechat: handed_in(PaymentMethod::WechatPay),
        alipay: handed_in(PaymentMethod::Alipay),
        bank_card: handed_in(PaymentMethod::BankCard),
    };
    let report = settle_day(day.storage, args, &act(day.now.max(to)))
        .map_err(|e| day.script(format!("the office could not settle the day: {e}")))?;
    if !report.lines().any(|l| l == "balance\tbalanced") {
        return Err(day.script(format!("the day does not balance:\n{report}")));
    }
    Ok(())
}

fn act(at: chrono::DateTime<chrono::Utc>) -> Act {
    Act {
        at,
        actor: Actor::Admin(Some(OPERATOR.to_owned())),
    }
}
