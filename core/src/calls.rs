//! The call log (Art.5(1), Art.13): every call the service center takes, with the household
//! when known, what was said, and what it became: a work order, a complaint, or an answer on
//! the spot. An alarm (a smell of gas) always becomes an emergency order, opened with the call.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::complaint::check_operator;
use crate::geo::GeoPoint;
use crate::household::validate_text;
use crate::ids::{CallId, ComplaintId, HouseholdId, WorkOrderId};
use crate::text::said;
use crate::workorder::{FaultClass, WorkOrder, WorkOrderKind, WorkOrderSource};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub id: CallId,
    pub kind: CallKind,
    /// When the call was taken.
    pub at: DateTime<Utc>,
    /// The operator who took it (a login name).
    pub taken_by: String,
    pub household_id: Option<HouseholdId>,
    /// What the caller said, in the operator's words.
    pub summary: String,
    pub outcome: CallOutcome,
}

/// What the caller wanted (Art.5(1): 咨询、报修、报警及投诉).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    Inquiry,
    Repair,
    /// A smell of gas, a leak, a fire: always an emergency order.
    Alarm,
    Complaint,
    Other,
}

impl CallKind {
    pub const ALL: [CallKind; 5] = [
        CallKind::Inquiry,
        CallKind::Repair,
        CallKind::Alarm,
        CallKind::Complaint,
        CallKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::Inquiry => "inquiry",
            CallKind::Repair => "repair",
            CallKind::Alarm => "alarm",
            CallKind::Complaint => "complaint",
            CallKind::Other => "other",
        }
    }
}

/// What a call became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "became", content = "value", rename_all = "snake_case")]
pub enum CallOutcome {
    Order(WorkOrderId),
    Complaint(ComplaintId),
    /// Answered on the spot: what the caller was told.
    Answered(String),
}

impl Call {
    pub fn validate(&self) -> Result<(), InvalidInput> {
        check_operator(&self.taken_by).map_err(|e| InvalidInput {
            field: "call.taken_by".into(),
            ..e
        })?;
        validate_text("call.summary", &self.summary, 1, 2000)?;
        if let CallOutcome::Answered(text) = &self.outcome {
            validate_text("call.outcome.answer", text, 1, 2000)?;
        }
        match (self.kind, &self.outcome) {
            (CallKind::Alarm, CallOutcome::Order(_)) => Ok(()),
            (CallKind::Alarm, _) => Err(InvalidInput::new(
                "call.outcome",
                said(
                    "报警电话必须立即生成抢险工单",
                    "an alarm call always opens an emergency order",
                ),
            )),
            (CallKind::Complaint, CallOutcome::Complaint(_)) => Ok(()),
            (CallKind::Complaint, _) => Err(InvalidInput::new(
                "call.outcome",
                said(
                    "投诉电话须登记为投诉",
                    "a complaint call is recorded as a complaint",
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// The emergency order an alarm opens at once (Art.5(1), Art.7(3)): a major pipeline fault
/// (抢险: crew on site and the leadership told at once), reported when the call was taken, for
/// the service center to dispatch. A gas smell is treated as a major fault of the network until
/// a crew on site says otherwise. The caller stamps it with its district's targets.
pub fn alarm_order(
    number: impl Into<String>,
    household_id: Option<HouseholdId>,
    location: Option<GeoPoint>,
    summary: impl Into<String>,
    at: DateTime<Utc>,
) -> WorkOrder {
    let mut order = WorkOrder::open(
        number,
        WorkOrderKind::PipelineFault,
        WorkOrderSource::Phone,
        household_id,
        summary,
        at,
    );
    order.location = location;
    order.class = Some(FaultClass::Major);
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn call(kind: CallKind, outcome: CallOutcome) -> Call {
        Call {
            id: CallId::new(),
            kind,
            at: Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap(),
            taken_by: "wangli".into(),
            household_id: Some(HouseholdId::new()),
            summary: "楼道内有燃气味".into(),
            outcome,
        }
    }

    #[test]
    fn an_alarm_call_that_opened_no_order_is_refused() {
        let answered = call(CallKind::Alarm, CallOutcome::Answered("请开窗通风".into()));
        assert_eq!(answered.validate().unwrap_err().field, "call.outcome");
        let complaint = call(CallKind::Alarm, CallOutcome::Complaint(ComplaintId::new()));
        assert_eq!(complaint.validate().unwrap_err().field, "call.outcome");
        call(CallKind::Alarm, CallOutcome::Order(WorkOrderId::new()))
            .validate()
            .unwrap();
    }

    #[test]
    fn an_alarm_opens_a_pipeline_fault_reported_when_the_call_was_taken() {
        let c = call(CallKind::Alarm, CallOutcome::Order(WorkOrderId::new()));
        let order = alarm_order("BJ-1", c.household_id, None, &c.summary, c.at);
        order.validate().unwrap();
        assert_eq!(order.kind, WorkOrderKind::PipelineFault);
        assert!(order.kind.is_emergency());
        assert_eq!(order.class, Some(FaultClass::Major));
        assert_eq!(order.reported_at, c.at);
    }

    #[test]
    fn a_complaint_call_is_recorded_as_a_complaint_and_an_inquiry_may_be_answered_on_the_spot() {
        let answered = call(CallKind::Complaint, CallOutcome::Answered("已解释".into()));
        assert_eq!(answered.validate().unwrap_err().field, "call.outcome");
        call(
            CallKind::Complaint,
            CallOutcome::Complaint(ComplaintId::new()),
        )
        .validate()
        .unwrap();
        call(
            CallKind::Inquiry,
            CallOutcome::Answered("每月25日前缴费".into()),
        )
        .validate()
        .unwrap();
        let blank = call(CallKind::Inquiry, CallOutcome::Answered(" ".into()));
        assert_eq!(blank.validate().unwrap_err().field, "call.outcome.answer");
        let mut nothing_said = call(CallKind::Other, CallOutcome::Answered("好".into()));
        nothing_said.summary = String::new();
        assert_eq!(nothing_said.validate().unwrap_err().field, "call.summary");
    }

    #[test]
    fn a_call_travels_as_json_with_what_it_became() {
        let c = call(CallKind::Repair, CallOutcome::Order(WorkOrderId::new()));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["kind"], "repair");
        assert_eq!(json["outcome"]["became"], "order");
        assert_eq!(serde_json::from_value::<Call>(json).unwrap(), c);
        for k in CallKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
