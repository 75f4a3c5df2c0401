//! Return visits (Art.5(5), Art.16): resolving a repair or closing a complaint schedules one, a
//! [`WorkOrderKind::ReturnVisit`] order that names what it follows up (`follows`) and is due
//! within the policy's `return_visit` (default 7 days) of the resolution or the closing.
//!
//! It lands on the service center's list (no assignee, no crew): return visits and
//! satisfaction surveys are the service center's duty (Art.5(5)), mostly done by phone; the
//! office may still assign one to a technician for a visit at the door.
//!
//! Its id and number are derived from what it follows, so that scheduling it again (a repeated
//! push, a second device resolving the same order) finds the one already made instead of
//! making a second.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::complaint::Complaint;
use crate::ids::{HouseholdId, WorkOrderId};
use crate::workorder::deadline::{self, Milestone};
use crate::workorder::{FollowUp, WorkOrder, WorkOrderKind, WorkOrderSource, WorkOrderStatus};

/// The return visit a repair's resolution schedules: a pipeline fault or a fault of the user's
/// equipment that reached `Resolved` (not one referred elsewhere or cancelled: there was no
/// repair of ours to ask about). `None` for any other order.
pub fn after_resolution(order: &WorkOrder) -> Option<WorkOrder> {
    let repair = matches!(
        order.kind,
        WorkOrderKind::PipelineFault | WorkOrderKind::UserEquipmentFault
    );
    if !repair || order.status() != WorkOrderStatus::Resolved {
        return None;
    }
    let resolved_at = order.reached(WorkOrderStatus::Resolved)?;
    let mut visit = scheduled(
        FollowUp::Order(order.id),
        order.household_id,
        format!(
            "回访：工单 {} / return visit: order {}",
            order.number, order.number
        ),
        resolved_at,
    );
    visit.location = order.location;
    visit.targets = order.targets.clone();
    visit.validate().ok()?;
    Some(visit)
}

/// The return visit a closed complaint schedules, for the complaint's household (or, when the
/// complaint named none, the household of the order it was against, given as `order_household`).
/// `None` while the complaint is open, and for a complaint tied to no household: the user is
/// then reached through the complaint itself, which has their phone.
pub fn after_complaint_closed(
    complaint: &Complaint,
    order_household: Option<HouseholdId>,
) -> Option<WorkOrder> {
    let closed_at = complaint.closure.as_ref()?.at;
    let household = complaint.household_id.or(order_household)?;
    let visit = scheduled(
        FollowUp::Complaint(complaint.id),
        Some(household),
        format!(
            "回访：投诉 {} / return visit: complaint {}",
            complaint.number, complaint.number
        ),
        closed_at,
    );
    visit.validate().ok()?;
    Some(visit)
}

/// When a return visit is due: its stamped `return_visit` target after the resolution or
/// closing it follows (its `reported_at`), as its deadline says. `None` for an order that is
/// not a return visit.
pub fn due(visit: &WorkOrder) -> Option<DateTime<Utc>> {
    deadline::deadlines(visit)
        .into_iter()
        .find(|d| d.milestone == Milestone::ReturnVisit)
        .map(|d| d.due_at)
}

fn scheduled(
    follows: FollowUp,
    household_id: Option<HouseholdId>,
    description: String,
    at: DateTime<Utc>,
) -> WorkOrder {
    let (id, number) = derived(follows);
    let mut visit = WorkOrder::open(
        number,
        WorkOrderKind::ReturnVisit,
        WorkOrderSource::System,
        household_id,
        description,
        at,
    );
    visit.id = id;
    visit.follows = Some(follows);
    visit
}

/// The id and number of the return visit of `follows`: the same every time.
fn derived(follows: FollowUp) -> (WorkOrderId, String) {
    let (tag, id) = match follows {
        FollowUp::Order(o) => ("order", o.0),
        FollowUp::Complaint(c) => ("complaint", c.0),
    };
    let digest = Sha256::digest(format!("doorstep return visit of {tag} {id}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // A UUID of version 8 (custom), RFC 9562 variant.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let number: String = digest[..8].iter().map(|b| format!("{b:02X}")).collect();
    (
        WorkOrderId(uuid::Uuid::from_bytes(bytes)),
        format!("HF-{number}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::complaint::{Acceptance, Complainant, ComplaintChannel};
    use crate::workorder::deadline::DeadlinePolicy;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
    }

    fn repair(kind: WorkOrderKind) -> WorkOrder {
        WorkOrder::open(
            "WO-20261102-7",
            kind,
            WorkOrderSource::Phone,
            Some(HouseholdId::new()),
            "灶具打不着火",
            t0(),
        )
    }

    #[test]
    fn a_resolved_repair_schedules_a_return_visit_within_7_days_on_the_service_centers_list() {
        let mut order = repair(WorkOrderKind::UserEquipmentFault);
        assert_eq!(after_resolution(&order), None);
        order
            .advance(WorkOrderStatus::OnSite, t0() + Duration::minutes(40), None)
            .unwrap();
        order
            .advance(WorkOrderStatus::Resolved, t0() + Duration::hours(2), None)
            .unwrap();
        let visit = after_resolution(&order).expect("a return visit");
        assert_eq!(visit.kind, WorkOrderKind::ReturnVisit);
        assert_eq!(visit.follows, Some(FollowUp::Order(order.id)));
        assert_eq!(visit.household_id, order.household_id);
        assert_eq!(visit.reported_at, t0() + Duration::hours(2));
        assert_eq!((visit.assignee, visit.crew), (None, None));
        assert_eq!(
            due(&visit),
            Some(t0() + Duration::hours(2) + Duration::days(7))
        );
        // Scheduled again, it is the same order: the caller finds it stored and stops.
        let again = after_resolution(&order).unwrap();
        assert_eq!((again.id, &again.number), (visit.id, &visit.number));
    }

    #[test]
    fn a_return_visit_made_on_the_eighth_day_counts_late_under_its_own_clause() {
        let mut order = repair(WorkOrderKind::PipelineFault);
        order
            .advance(WorkOrderStatus::Resolved, t0() + Duration::hours(3), None)
            .unwrap();
        let mut visit = after_resolution(&order).unwrap();
        let clocks = deadline::deadlines(&visit);
        assert_eq!(clocks.len(), 1);
        assert_eq!(clocks[0].milestone, Milestone::ReturnVisit);
        assert_eq!(clocks[0].met_at, None);
        visit
            .advance(
                WorkOrderStatus::Resolved,
                t0() + Duration::hours(3) + Duration::days(8),
                None,
            )
            .unwrap();
        let late = &deadline::deadlines(&visit)[0];
        assert!(late.is_breached(t0() + Duration::days(30)));
        assert_eq!(
            late.met_at,
            Some(t0() + Duration::hours(3) + Duration::days(8))
        );
    }

    #[test]
    fn only_a_repair_resolved_by_us_is_followed_up() {
        let mut referred = repair(WorkOrderKind::PipelineFault);
        referred
            .advance(WorkOrderStatus::ReferredElsewhere, t0(), None)
            .unwrap();
        assert_eq!(after_resolution(&referred), None);
        let mut inspection = repair(WorkOrderKind::Inspection);
        inspection
            .advance(WorkOrderStatus::Resolved, t0(), None)
            .unwrap();
        assert_eq!(after_resolution(&inspection), None);
        // Two repairs get two different return visits.
        let mut a = repair(WorkOrderKind::PipelineFault);
        let mut b = repair(WorkOrderKind::PipelineFault);
        a.advance(WorkOrderStatus::Resolved, t0(), None).unwrap();
        b.advance(WorkOrderStatus::Resolved, t0(), None).unwrap();
        let (a, b) = (after_resolution(&a).unwrap(), after_resolution(&b).unwrap());
        assert_ne!(a.id, b.id);
        assert_ne!(a.number, b.number);
    }

    #[test]
    fn a_closed_complaint_schedules_a_return_visit_to_its_household() {
        let mut c = Complaint::receive(
            "TS-1",
            Complainant {
                name: "王女士".into(),
                phone: None,
            },
            ComplaintChannel::Phone,
            "维修后仍有异味",
            t0(),
            &DeadlinePolicy::default(),
        );
        let household = HouseholdId::new();
        assert_eq!(after_complaint_closed(&c, Some(household)), None);
        c.start_investigation(t0(), "wangli").unwrap();
        c.answer(t0(), "wangli", "已安排复查").unwrap();
        c.close(
            t0() + Duration::hours(5),
            "wangli",
            "复查无泄漏",
            Acceptance::Accepted,
        )
        .unwrap();
        assert_eq!(after_complaint_closed(&c, None), None);
        let visit = after_complaint_closed(&c, Some(household)).unwrap();
        assert_eq!(visit.follows, Some(FollowUp::Complaint(c.id)));
        assert_eq!(visit.household_id, Some(household));
        assert_eq!(visit.reported_at, t0() + Duration::hours(5));
        c.household_id = Some(HouseholdId::new());
        assert_eq!(
            after_complaint_closed(&c, Some(household))
                .unwrap()
                .household_id,
            c.household_id
        );
    }
}
