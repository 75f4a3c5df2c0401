//! Compliance per clause: for any set of work orders and complaints, which regulated deadlines
//! were met, met late, breached (still unmet and past due) or are still open, one tally per
//! clause ([`Milestone`]), with the late ones listed. The demo and the reports read it; the
//! office's `doorstep admin compliance` prints it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::complaint::Complaint;
use crate::ids::{ComplaintId, WorkOrderId};
use crate::workorder::WorkOrder;
use crate::workorder::deadline::{self, Deadline, DeadlineState, Milestone};

/// Where one deadline stands, as compliance counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    MetLate,
    /// Not met and past due.
    Breached,
    /// Not met and not yet due.
    Open,
}

impl Verdict {
    pub fn of(deadline: &Deadline, now: DateTime<Utc>) -> Self {
        match deadline.state(now) {
            DeadlineState::Met { .. } => Verdict::Met,
            DeadlineState::MetLate { .. } => Verdict::MetLate,
            DeadlineState::Breached { .. } => Verdict::Breached,
            DeadlineState::Pending { .. } => Verdict::Open,
        }
    }
}

/// What a deadline belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "of", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Order(WorkOrderId),
    Complaint(ComplaintId),
}

/// A deadline met late or breached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Late {
    pub subject: Subject,
    pub due_at: DateTime<Utc>,
    /// None while it is still unmet (breached).
    pub met_at: Option<DateTime<Utc>>,
}

/// One clause's tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseCompliance {
    pub milestone: Milestone,
    pub met: u32,
    pub met_late: u32,
    pub breached: u32,
    pub open: u32,
    /// The late ones (met late, then breached), earliest due first.
    pub late: Vec<Late>,
}

impl ClauseCompliance {
    fn new(milestone: Milestone) -> Self {
        Self {
            milestone,
            met: 0,
            met_late: 0,
            breached: 0,
            open: 0,
            late: Vec::new(),
        }
    }

    pub fn total(&self) -> u32 {
        self.met + self.met_late + self.breached + self.open
    }

    fn count(&mut self, subject: Subject, d: &Deadline, now: DateTime<Utc>) {
        match Verdict::of(d, now) {
            Verdict::Met => self.met += 1,
            Verdict::Open => self.open += 1,
            late => {
                if late == Verdict::MetLate {
                    self.met_late += 1;
                } else {
                    self.breached += 1;
                }
                self.late.push(Late {
                    subject,
                    due_at: d.due_at,
                    met_at: d.met_at,
                });
            }
        }
    }
}

/// The deadlines of one order, as compliance reads them (on the targets stamped on the order):
/// the one place that asks the work order's clocks, so that a change of their signature is
/// adapted here alone.
pub fn order_deadlines(order: &WorkOrder) -> Vec<Deadline> {
    deadline::deadlines(order)
}

/// Compliance per clause at `now`, for these orders and complaints. Only the clauses with at
/// least one deadline appear, in the order of [`Milestone`].
pub fn compliance<'a>(
    orders: impl IntoIterator<Item = &'a WorkOrder>,
    complaints: impl IntoIterator<Item = &'a Complaint>,
    now: DateTime<Utc>,
) -> Vec<ClauseCompliance> {
    let mut clauses: std::collections::BTreeMap<Milestone, ClauseCompliance> = Default::default();
    let mut count = |subject: Subject, d: Deadline| {
        clauses
            .entry(d.milestone)
            .or_insert_with(|| ClauseCompliance::new(d.milestone))
            .count(subject, &d, now);
    };
    for order in orders {
        for d in order_deadlines(order) {
            count(Subject::Order(order.id), d);
        }
    }
    for complaint in complaints {
        for d in complaint.deadlines() {
            count(Subject::Complaint(complaint.id), d);
        }
    }
    clauses
        .into_values()
        .map(|mut c| {
            c.late
                .sort_by_key(|l| (l.met_at.is_none(), l.due_at, subject_key(l.subject)));
            c
        })
        .collect()
}

fn subject_key(s: Subject) -> (u8, uuid::Uuid) {
    match s {
        Subject::Order(id) => (0, id.0),
        Subject::Complaint(id) => (1, id.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::complaint::{Complainant, ComplaintChannel};
    use crate::ids::HouseholdId;
    use crate::workorder::deadline::DeadlinePolicy;
    use crate::workorder::{WorkOrderKind, WorkOrderSource, WorkOrderStatus};
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
    }

    fn fault(kind: WorkOrderKind) -> WorkOrder {
        WorkOrder::open(
            "WO-1",
            kind,
            WorkOrderSource::Phone,
            Some(HouseholdId::new()),
            "",
            t0(),
        )
    }

    fn complaint() -> Complaint {
        Complaint::receive(
            "TS-1",
            Complainant {
                name: "张先生".into(),
                phone: None,
            },
            ComplaintChannel::Phone,
            "答复不及时",
            t0(),
            &DeadlinePolicy::default(),
        )
    }

    fn clause(report: &[ClauseCompliance], m: Milestone) -> &ClauseCompliance {
        report
            .iter()
            .find(|c| c.milestone == m)
            .expect("the clause is in the report")
    }

    #[test]
    fn a_day_of_faults_and_complaints_is_counted_per_clause_with_the_late_ones_named() {
        // On time: on site in 2 h, repaired in 10 h.
        let mut on_time = fault(WorkOrderKind::PipelineFault);
        on_time
            .advance(WorkOrderStatus::OnSite, t0() + Duration::hours(2), None)
            .unwrap();
        on_time
            .advance(WorkOrderStatus::Resolved, t0() + Duration::hours(10), None)
            .unwrap();
        // Late on site (7 h), repair still open at 20 h.
        let mut late = fault(WorkOrderKind::PipelineFault);
        late.advance(WorkOrderStatus::OnSite, t0() + Duration::hours(7), None)
            .unwrap();
        // Nobody came: both breached at 30 h.
        let forgotten = fault(WorkOrderKind::PipelineFault);
        // A complaint investigated late and answered in time; another untouched.
        let mut answered = complaint();
        answered
            .start_investigation(t0() + Duration::hours(3), "wangli")
            .unwrap();
        answered
            .answer(t0() + Duration::hours(5), "wangli", "已答复")
            .unwrap();
        let untouched = complaint();

        let now = t0() + Duration::hours(20);
        let report = compliance([&on_time, &late, &forgotten], [&answered, &untouched], now);
        let handle = clause(&report, Milestone::Handle);
        assert_eq!(
            (handle.met, handle.met_late, handle.breached, handle.open),
            (1, 1, 1, 0)
        );
        assert_eq!(
            handle.late,
            vec![
                Late {
                    subject: Subject::Order(late.id),
                    due_at: t0() + Duration::hours(6),
                    met_at: Some(t0() + Duration::hours(7)),
                },
                Late {
                    subject: Subject::Order(forgotten.id),
                    due_at: t0() + Duration::hours(6),
                    met_at: None,
                },
            ]
        );
        let repair = clause(&report, Milestone::Repair);
        assert_eq!(
            (repair.met, repair.met_late, repair.breached, repair.open),
            (1, 0, 0, 2)
        );
        let investigation = clause(&report, Milestone::ComplaintInvestigation);
        assert_eq!(
            (
                investigation.met,
                investigation.met_late,
                investigation.breached,
                investigation.open
            ),
            (0, 1, 1, 0)
        );
        let answer = clause(&report, Milestone::ComplaintAnswer);
        assert_eq!(
            (answer.met, answer.met_late, answer.breached, answer.open),
            (1, 0, 0, 1)
        );
        assert!(answer.late.is_empty());
        // Clauses without a deadline in the set are left out.
        assert!(report.iter().all(|c| c.total() > 0));
    }

    #[test]
    fn nothing_to_judge_gives_an_empty_report() {
        let inspection = fault(WorkOrderKind::Inspection);
        assert!(compliance([&inspection], [], t0()).is_empty());
    }

    proptest! {
        /// Every deadline of every order and complaint is counted exactly once, in exactly one
        /// state, and listed as late exactly when it was met late or breached.
        #[test]
        fn every_deadline_is_counted_exactly_once_in_exactly_one_state(
            orders in proptest::collection::vec((0usize..2, 0i64..3000, 0i64..3000, 0u8..3), 0..12),
            complaints in proptest::collection::vec((0i64..3000, 0i64..3000, 0u8..3), 0..12),
            now_min in 0i64..4000,
        ) {
            let kinds = [WorkOrderKind::PipelineFault, WorkOrderKind::UserEquipmentFault];
            let orders: Vec<WorkOrder> = orders
                .into_iter()
                .map(|(k, a, b, steps)| {
                    let mut o = fault(kinds[k]);
                    let first = t0() + Duration::minutes(a.min(b));
                    let second = t0() + Duration::minutes(a.max(b));
                    if steps >= 1 {
                        o.advance(WorkOrderStatus::OnSite, first, None).unwrap();
                    }
                    if steps >= 2 {
                        o.advance(WorkOrderStatus::Resolved, second, None).unwrap();
                    }
                    o
                })
                .collect();
            let complaints: Vec<Complaint> = complaints
                .into_iter()
                .map(|(a, b, steps)| {
                    let mut c = complaint();
                    if steps >= 1 {
                        c.start_investigation(t0() + Duration::minutes(a.min(b)), "wangli").unwrap();
                    }
                    if steps >= 2 {
                        c.answer(t0() + Duration::minutes(a.max(b)), "wangli", "答复").unwrap();
                    }
                    c
                })
                .collect();
            let now = t0() + Duration::minutes(now_min);
            let report = compliance(&orders, &complaints, now);

            let mut expected: std::collections::BTreeMap<Milestone, [u32; 4]> = Default::default();
            let all = orders
                .iter()
                .flat_map(order_deadlines)
                .chain(complaints.iter().flat_map(Complaint::deadlines));
            for d in all {
                let slot = match Verdict::of(&d, now) {
                    Verdict::Met => 0,
                    Verdict::MetLate => 1,
                    Verdict::Breached => 2,
                    Verdict::Open => 3,
                };
                expected.entry(d.milestone).or_default()[slot] += 1;
            }
            let total: u32 = report.iter().map(ClauseCompliance::total).sum();
            let deadlines = orders.iter().map(|o| order_deadlines(o).len()).sum::<usize>()
                + complaints.len() * 2;
            prop_assert_eq!(total as usize, deadlines);
            prop_assert_eq!(report.len(), expected.len());
            for c in &report {
                prop_assert_eq!([c.met, c.met_late, c.breached, c.open], expected[&c.milestone]);
                prop_assert_eq!(c.late.len() as u32, c.met_late + c.breached);
                prop_assert_eq!(
                    c.late.iter().filter(|l| l.met_at.is_none()).count() as u32,
                    c.breached
                );
            }
        }
    }
}
