//! Complaints (Art.7(6), Art.16): a complaint is its own record, not only a kind of work order.
//! It is investigated at once, answered as soon as possible and closed with the answer given
//! and whether the user accepted it; each step forward only, each with who did it and when.
//!
//! Its two clocks are stamped from the [`DeadlinePolicy`] in force when it was received (so
//! that a later change of policy does not rejudge it) and read as [`Deadline`]s with
//! [`Milestone::ComplaintInvestigation`] and [`Milestone::ComplaintAnswer`], like an order's.
//!
//! The complainant's name and phone are personal data: no error names them, and nothing here
//! logs them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::household::validate_text;
use crate::ids::{ComplaintId, HouseholdId, TechnicianId, WorkOrderId};
use crate::text::{Text, said};
use crate::workorder::deadline::{Deadline, DeadlinePolicy, Milestone};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Complaint {
    pub id: ComplaintId,
    /// The service center's complaint number, as read out on the phone (unique).
    pub number: String,
    pub complainant: Complainant,
    pub channel: ComplaintChannel,
    /// What the user complains of.
    pub summary: String,
    /// The household, when known.
    pub household_id: Option<HouseholdId>,
    /// The work order complained of, if any (checked to exist by whoever records it).
    pub against_order: Option<WorkOrderId>,
    /// The technician complained of, if any: such a complaint never reaches a phone.
    pub against_technician: Option<TechnicianId>,
    pub received_at: DateTime<Utc>,
    /// The investigation must start by then (`complaint_investigate` when it was received).
    pub investigate_by: DateTime<Utc>,
    /// The first answer must reach the user by then (`complaint_answer` when it was received).
    pub answer_by: DateTime<Utc>,
    pub investigation: Option<ComplaintStep>,
    pub answer: Option<ComplaintAnswer>,
    pub closure: Option<ComplaintClosure>,
}

/// Who complained. Personal data: shown to the service center only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complainant {
    pub name: String,
    pub phone: Option<String>,
}

/// How the complaint reached the utility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintChannel {
    /// The utility's own complaint line (Art.7(6)).
    Phone,
    /// Transferred from the city's 12345 hotline.
    #[serde(rename = "hotline_12345")]
    Hotline12345,
    /// In person at the service center.
    Visit,
    Letter,
    Online,
    Other,
}

impl ComplaintChannel {
    pub const ALL: [ComplaintChannel; 6] = [
        ComplaintChannel::Phone,
        ComplaintChannel::Hotline12345,
        ComplaintChannel::Visit,
        ComplaintChannel::Letter,
        ComplaintChannel::Online,
        ComplaintChannel::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintChannel::Phone => "phone",
            ComplaintChannel::Hotline12345 => "hotline_12345",
            ComplaintChannel::Visit => "visit",
            ComplaintChannel::Letter => "letter",
            ComplaintChannel::Online => "online",
            ComplaintChannel::Other => "other",
        }
    }
}

/// A step someone at the service center took, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintStep {
    pub at: DateTime<Utc>,
    /// The operator's login name (the audit log's actor).
    pub by: String,
}

/// The first answer given to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintAnswer {
    pub at: DateTime<Utc>,
    pub by: String,
    /// What the user was told.
    pub said: String,
}

/// The complaint closed: the answer given, and whether the user accepted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintClosure {
    pub at: DateTime<Utc>,
    pub by: String,
    pub answer: String,
    pub acceptance: Acceptance,
}

/// Whether the user accepted the answer the complaint was closed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    Accepted,
    NotAccepted,
}

impl Acceptance {
    pub const ALL: [Acceptance; 2] = [Acceptance::Accepted, Acceptance::NotAccepted];

    pub fn as_str(self) -> &'static str {
        match self {
            Acceptance::Accepted => "accepted",
            Acceptance::NotAccepted => "not_accepted",
        }
    }
}

/// Where a complaint stands: its steps in the only order they may come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    Received,
    Investigating,
    Answered,
    Closed,
}

impl ComplaintStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::Received => "received",
            ComplaintStatus::Investigating => "investigating",
            ComplaintStatus::Answered => "answered",
            ComplaintStatus::Closed => "closed",
        }
    }

    fn label(self) -> Text {
        match self {
            ComplaintStatus::Received => said("已受理", "received"),
            ComplaintStatus::Investigating => said("调查中", "being investigated"),
            ComplaintStatus::Answered => said("已答复", "answered"),
            ComplaintStatus::Closed => said("已办结", "closed"),
        }
    }
}

impl Complaint {
    /// A complaint as the service center receives it, its clocks stamped from `policy`.
    pub fn receive(
        number: impl Into<String>,
        complainant: Complainant,
        channel: ComplaintChannel,
        summary: impl Into<String>,
        received_at: DateTime<Utc>,
        policy: &DeadlinePolicy,
    ) -> Self {
        let mut complaint = Self {
            id: ComplaintId::new(),
            number: number.into(),
            complainant,
            channel,
            summary: summary.into(),
            household_id: None,
            against_order: None,
            against_technician: None,
            received_at,
            investigate_by: received_at,
            answer_by: received_at,
            investigation: None,
            answer: None,
            closure: None,
        };
        complaint.stamp(policy);
        complaint
    }

    /// Stamps its clocks from `policy` (a district's), counted from its receipt.
    pub fn stamp(&mut self, policy: &DeadlinePolicy) {
        let after = |d| {
            self.received_at
                .checked_add_signed(d)
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        };
        self.investigate_by = after(policy.complaint_investigate);
        self.answer_by = after(policy.complaint_answer);
    }

    pub fn status(&self) -> ComplaintStatus {
        if self.closure.is_some() {
            ComplaintStatus::Closed
        } else if self.answer.is_some() {
            ComplaintStatus::Answered
        } else if self.investigation.is_some() {
            ComplaintStatus::Investigating
        } else {
            ComplaintStatus::Received
        }
    }

    pub fn is_open(&self) -> bool {
        self.closure.is_none()
    }

    /// The investigation starts (Art.7(6): at once).
    pub fn start_investigation(&mut self, at: DateTime<Utc>, by: &str) -> Result<(), InvalidInput> {
        self.step_to(ComplaintStatus::Investigating, at)?;
        check_operator(by)?;
        self.investigation = Some(ComplaintStep {
            at,
            by: by.to_owned(),
        });
        Ok(())
    }

    /// The first answer reaches the user (Art.7(6): as soon as possible).
    pub fn answer(&mut self, at: DateTime<Utc>, by: &str, told: &str) -> Result<(), InvalidInput> {
        self.step_to(ComplaintStatus::Answered, at)?;
        check_operator(by)?;
        validate_text("complaint.answer.said", told, 1, 2000)?;
        self.answer = Some(ComplaintAnswer {
            at,
            by: by.to_owned(),
            said: told.trim().to_owned(),
        });
        Ok(())
    }

    /// Closed with the answer given and the user's acceptance (Art.16: 作好相关记录).
    pub fn close(
        &mut self,
        at: DateTime<Utc>,
        by: &str,
        answer: &str,
        acceptance: Acceptance,
    ) -> Result<(), InvalidInput> {
        self.step_to(ComplaintStatus::Closed, at)?;
        check_operator(by)?;
        validate_text("complaint.closure.answer", answer, 1, 2000)?;
        self.closure = Some(ComplaintClosure {
            at,
            by: by.to_owned(),
            answer: answer.trim().to_owned(),
            acceptance,
        });
        Ok(())
    }

    /// The one rule of a complaint's steps: the next one only, never before the last.
    fn step_to(&self, next: ComplaintStatus, at: DateTime<Utc>) -> Result<(), InvalidInput> {
        let now = self.status();
        let field = "complaint.status";
        if now == ComplaintStatus::Closed {
            return Err(InvalidInput::new(
                field,
                said("投诉已办结", "the complaint is already closed"),
            ));
        }
        if next <= now {
            return Err(InvalidInput::new(
                field,
                said(
                    format!("投诉状态为“{}”，这一步已记录", now.label().zh),
                    format!(
                        "the complaint is already {}: this step was recorded",
                        now.label().en
                    ),
                ),
            ));
        }
        if next as u8 != now as u8 + 1 {
            let first = match now {
                ComplaintStatus::Received => said(
                    "请先记录开始调查",
                    "record the start of the investigation first",
                ),
                _ => said("请先记录首次答复", "record the first answer first"),
            };
            return Err(InvalidInput::new(field, first));
        }
        if at < self.last_step_at() {
            return Err(InvalidInput::new(
                field,
                said(
                    "这一步不能早于上一步",
                    "a step cannot happen before the previous one",
                ),
            ));
        }
        Ok(())
    }

    fn last_step_at(&self) -> DateTime<Utc> {
        [
            Some(self.received_at),
            self.investigation.as_ref().map(|s| s.at),
            self.answer.as_ref().map(|a| a.at),
            self.closure.as_ref().map(|c| c.at),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.received_at)
    }

    /// Its two clocks (Art.7(6)), in the order the clause says them.
    pub fn deadlines(&self) -> Vec<Deadline> {
        vec![
            Deadline {
                milestone: Milestone::ComplaintInvestigation,
                due_at: self.investigate_by,
                met_at: self.investigation.as_ref().map(|s| s.at),
            },
            Deadline {
                milestone: Milestone::ComplaintAnswer,
                due_at: self.answer_by,
                met_at: self.answer.as_ref().map(|a| a.at),
            },
        ]
    }

    /// Checks a complaint as it is stored: what a user or a file supplied, and that its steps
    /// came in order.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        check_number("complaint.number", &self.number)?;
        validate_text("complaint.complainant.name", &self.complainant.name, 1, 64)?;
        if let Some(phone) = &self.complainant.phone {
            check_phone(phone)?;
        }
        validate_text("complaint.summary", &self.summary, 1, 2000)?;
        if self.investigate_by < self.received_at || self.answer_by < self.received_at {
            return Err(InvalidInput::new(
                "complaint.received_at",
                said(
                    "时限不能早于受理时间",
                    "a target cannot come before the complaint",
                ),
            ));
        }
        let mut replay = Complaint {
            investigation: None,
            answer: None,
            closure: None,
            ..self.clone()
        };
        if let Some(s) = &self.investigation {
            replay.start_investigation(s.at, &s.by)?;
        }
        if let Some(a) = &self.answer {
            replay.answer(a.at, &a.by, &a.said)?;
        }
        if let Some(c) = &self.closure {
            replay.close(c.at, &c.by, &c.answer, c.acceptance)?;
        }
        Ok(())
    }
}

/// A complaint or call number: 1 to 32 letters, digits or '-' (as an order's).
pub(crate) fn check_number(field: &str, number: &str) -> Result<(), InvalidInput> {
    if number.is_empty()
        || number.len() > 32
        || !number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(InvalidInput::new(
            field,
            said(
                "须为1到32个字母、数字或“-”",
                "must be 1 to 32 letters, digits or '-'",
            ),
        ));
    }
    Ok(())
}

/// Who recorded a step: a login name, as the audit log names operators.
pub(crate) fn check_operator(by: &str) -> Result<(), InvalidInput> {
    if by.is_empty()
        || by.chars().count() > 64
        || by.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(InvalidInput::new(
            "complaint.by",
            said(
                "须为不含空格的登录名，至多64个字符",
                "must be a login name of at most 64 characters, without spaces",
            ),
        ));
    }
    Ok(())
}

fn check_phone(phone: &str) -> Result<(), InvalidInput> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(5..=20).contains(&digits)
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '))
    {
        return Err(InvalidInput::new(
            "complaint.complainant.phone",
            said("电话号码格式不正确", "is not a phone number"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workorder::deadline::DeadlineState;
    use chrono::{Duration, TimeZone};

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, hour, minute, 0).unwrap()
    }

    pub(crate) fn complaint_at(received_at: DateTime<Utc>) -> Complaint {
        Complaint::receive(
            "TS-20261102-001",
            Complainant {
                name: "李女士".into(),
                phone: Some("13800000000".into()),
            },
            ComplaintChannel::Hotline12345,
            "维修人员未按约定时间上门",
            received_at,
            &DeadlinePolicy::default(),
        )
    }

    #[test]
    fn a_complaint_investigated_in_an_hour_and_answered_the_same_day_met_both_clocks() {
        let mut c = complaint_at(at(1, 0));
        c.start_investigation(at(2, 0), "wangli").unwrap();
        c.answer(at(9, 0), "wangli", "已联系维修班组核实，明天上午上门")
            .unwrap();
        c.close(at(20, 0), "wangli", "已上门处理完毕", Acceptance::Accepted)
            .unwrap();
        c.validate().unwrap();
        assert_eq!(c.status(), ComplaintStatus::Closed);
        let ds = c.deadlines();
        assert_eq!(ds[0].milestone, Milestone::ComplaintInvestigation);
        assert_eq!(ds[0].due_at, at(3, 0));
        assert_eq!(
            ds[0].state(at(23, 0)),
            DeadlineState::Met {
                margin: Duration::hours(1)
            }
        );
        assert_eq!(ds[1].due_at, at(1, 0) + Duration::hours(24));
        assert_eq!(
            ds[1].state(at(23, 0)),
            DeadlineState::Met {
                margin: Duration::hours(16)
            }
        );
    }

    #[test]
    fn a_complaint_nobody_looked_at_for_three_hours_breached_its_investigation_clock() {
        let c = complaint_at(at(1, 0));
        assert_eq!(
            c.deadlines()[0].state(at(4, 0)),
            DeadlineState::Breached {
                overdue_by: Duration::hours(1)
            }
        );
        assert!(matches!(
            c.deadlines()[1].state(at(4, 0)),
            DeadlineState::Pending { .. }
        ));
    }

    #[test]
    fn a_complaint_moves_forward_only_and_one_step_at_a_time() {
        let mut c = complaint_at(at(1, 0));
        let before = c.clone();
        let err = c.answer(at(2, 0), "wangli", "答复").unwrap_err();
        assert_eq!(err.field, "complaint.status");
        let err = c
            .close(at(2, 0), "wangli", "答复", Acceptance::Accepted)
            .unwrap_err();
        assert_eq!(err.field, "complaint.status");
        assert_eq!(c, before);

        c.start_investigation(at(2, 0), "wangli").unwrap();
        let err = c.start_investigation(at(3, 0), "wangli").unwrap_err();
        assert_eq!(err.field, "complaint.status");
        let err = c.answer(at(1, 30), "wangli", "答复").unwrap_err();
        assert_eq!(err.field, "complaint.status");

        c.answer(at(3, 0), "wangli", "答复").unwrap();
        c.close(at(4, 0), "wangli", "办结", Acceptance::NotAccepted)
            .unwrap();
        let err = c
            .close(at(5, 0), "wangli", "办结", Acceptance::Accepted)
            .unwrap_err();
        assert_eq!(err.field, "complaint.status");
    }

    #[test]
    fn a_complaint_with_bad_input_names_the_field_and_never_the_complainant() {
        let mut c = complaint_at(at(1, 0));
        c.complainant.name = " ".into();
        assert_eq!(
            c.validate().unwrap_err().field,
            "complaint.complainant.name"
        );

        let mut c = complaint_at(at(1, 0));
        c.complainant.phone = Some("call me maybe".into());
        let err = c.validate().unwrap_err();
        assert_eq!(err.field, "complaint.complainant.phone");
        assert!(!err.to_string().contains("call me"));

        let mut c = complaint_at(at(1, 0));
        c.number = "TS 1".into();
        assert_eq!(c.validate().unwrap_err().field, "complaint.number");

        let mut c = complaint_at(at(1, 0));
        assert_eq!(
            c.answer(at(2, 0), "wangli", "").unwrap_err().field,
            "complaint.status"
        );
        c.start_investigation(at(2, 0), "wangli").unwrap();
        assert_eq!(
            c.answer(at(2, 0), "wangli", " ").unwrap_err().field,
            "complaint.answer.said"
        );
        assert_eq!(
            c.answer(at(2, 0), "wang li", "答复").unwrap_err().field,
            "complaint.by"
        );
    }

    proptest::proptest! {
        /// Whatever steps are attempted, at whatever times, the ones taken come in order, never
        /// earlier than the one before, and the complaint still validates.
        #[test]
        fn a_complaints_steps_only_move_forward(
            attempts in proptest::collection::vec((0u8..3, -120i64..600), 0..12),
        ) {
            let mut c = complaint_at(at(1, 0));
            for (step, minutes) in attempts {
                let when = c.received_at + Duration::minutes(minutes);
                let before = c.clone();
                let taken = match step {
                    0 => c.start_investigation(when, "wangli"),
                    1 => c.answer(when, "wangli", "答复"),
                    _ => c.close(when, "wangli", "办结", Acceptance::Accepted),
                };
                if taken.is_err() {
                    proptest::prop_assert_eq!(&c, &before);
                }
            }
            proptest::prop_assert!(c.validate().is_ok());
            let times: Vec<_> = [
                Some(c.received_at),
                c.investigation.as_ref().map(|s| s.at),
                c.answer.as_ref().map(|a| a.at),
                c.closure.as_ref().map(|x| x.at),
            ]
            .into_iter()
            .map_while(|t| t)
            .collect();
            proptest::prop_assert!(times.windows(2).all(|w| w[0] <= w[1]));
            proptest::prop_assert_eq!(times.len() - 1, c.status() as usize);
        }
    }

    #[test]
    fn a_complaint_travels_as_json_with_its_channel_and_acceptance_by_name() {
        let mut c = complaint_at(at(1, 0));
        c.start_investigation(at(2, 0), "wangli").unwrap();
        c.answer(at(3, 0), "wangli", "答复").unwrap();
        c.close(at(4, 0), "wangli", "办结", Acceptance::NotAccepted)
            .unwrap();
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["channel"], "hotline_12345");
        assert_eq!(json["closure"]["acceptance"], "not_accepted");
        assert_eq!(serde_json::from_value::<Complaint>(json).unwrap(), c);
        for ch in ComplaintChannel::ALL {
            assert_eq!(serde_json::to_value(ch).unwrap(), ch.as_str());
        }
        for a in Acceptance::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
    }
}
