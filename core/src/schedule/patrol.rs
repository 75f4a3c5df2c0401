//! The patrol of abnormal users (异常用户上门巡查, Art.5(2)): when a household's readings call
//! for a visit (`household::consumption`), the order that puts it on its district's list.

use chrono::{DateTime, Utc};

use crate::household::consumption::{ConsumptionPolicy, abnormal_use};
use crate::household::{Household, MeterReading};
use crate::workorder::{WorkOrder, WorkOrderKind, WorkOrderSource};

/// The patrol order (异常用户上门巡查, Art.5(2)) a household's readings call for at `now`: one
/// when they show abnormal use and no patrol of the household is still open (a repeat import
/// or the next reading opens no second one). Unassigned: it lands on the district's list. Its
/// description gives the reason in both languages, without personal data.
pub fn patrol_for(
    household: &Household,
    readings: &[MeterReading],
    orders: &[WorkOrder],
    policy: &ConsumptionPolicy,
    now: DateTime<Utc>,
) -> Option<WorkOrder> {
    let open = orders.iter().any(|o| {
        o.household_id == Some(household.id)
            && o.kind == WorkOrderKind::AbnormalUsePatrol
            && !o.status().is_final()
    });
    if open {
        return None;
    }
    let finding = abnormal_use(&household.supply, readings, policy)?;
    let reason = finding.reason();
    let mut order = WorkOrder::open(
        String::new(),
        WorkOrderKind::AbnormalUsePatrol,
        WorkOrderSource::System,
        Some(household.id),
        format!(
            "异常用气巡查：{} / Abnormal use patrol: {}",
            reason.zh, reason.en
        ),
        now,
    );
    // The id's random end: its start is the time (UUIDv7), the same for two patrols opened
    // in one millisecond.
    let id = order.id.0.simple().to_string();
    order.number = format!("XC-{}", &id[id.len() - 12..]);
    Some(order)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::household::{ReadingSource, Volume};

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).unwrap()
    }

    fn reading_after(day: i64, litres: i64) -> MeterReading {
        MeterReading {
            household_id: Default::default(),
            taken_at: start() + Duration::days(day),
            value: Volume::from_litres(litres),
            source: ReadingSource::Technician,
        }
    }

    #[test]
    fn a_household_whose_meter_went_back_gets_one_patrol_on_its_districts_list_with_the_reason() {
        let household = crate::testkit::household(
            "HZ000009",
            "王芳",
            "13800001234",
            crate::household::Address::default(),
        );
        let readings: Vec<MeterReading> = [(0, 5_000), (30, 4_000)]
            .into_iter()
            .map(|(day, litres)| MeterReading {
                household_id: household.id,
                ..reading_after(day, litres)
            })
            .collect();
        let policy = ConsumptionPolicy::default();
        let now = start() + Duration::days(31);
        let order = patrol_for(&household, &readings, &[], &policy, now).expect("a patrol");
        assert_eq!(order.kind, WorkOrderKind::AbnormalUsePatrol);
        assert_eq!(order.household_id, Some(household.id));
        assert!(
            order.assignee.is_none() && order.crew.is_none(),
            "on the district's list"
        );
        assert!(order.description.contains("表读数比上次少1000升"));
        assert!(order.description.contains("went back by 1000 L"));
        assert!(!order.description.contains("王芳") && !order.description.contains("HZ000009"));
        // While it is open, the next reading opens no second one.
        assert_eq!(
            patrol_for(
                &household,
                &readings,
                std::slice::from_ref(&order),
                &policy,
                now
            ),
            None
        );
        // Use as usual: nothing.
        assert_eq!(
            patrol_for(&household, &readings[..1], &[], &policy, now),
            None
        );
    }
}
