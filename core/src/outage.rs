//! Planned outages (管网检测、维修): the affected users must be told in advance (Art.7(2)).
//!
//! A notice names its area (a polygon the office drew, or whole districts), when gas stops and
//! is expected back, why, and the lead time it is announced with (the policy's `outage_lead`,
//! 24 h by default, or the district's: the caller passes it). One created with less than its
//! lead time is refused unless it is marked an emergency, with the reason.
//!
//! Every household told is a [`Notification`] (how, when, by whom). The notifications are a
//! set that only grows, kept on the notice and merged by union wherever two copies meet (the
//! server applying a phone's notices, the office recording one, a phone pulling the notice):
//! two phones and the office recording at once never lose one, and none is ever taken back.

use std::collections::BTreeSet;

use crate::text::said;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::geo::Area;
use crate::household::{Household, SupplyStatus, validate_text};
use crate::ids::{DistrictId, HouseholdId, OutageId, TechnicianId};

/// The most notifications one notice keeps: far more than the households of any outage are
/// told, each a few times.
pub const MAX_NOTIFICATIONS: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutageNotice {
    pub id: OutageId,
    pub title: String,
    pub reason: OutageReason,
    pub area: OutageArea,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Who created it: the office operator's login name.
    pub created_by: String,
    /// How long before `starts_at` every household must have been told, in seconds.
    pub lead_seconds: i64,
    /// Why it was announced with less than its lead time: present only for an emergency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<String>,
    /// Every household told, sorted; a set that only grows (see the module's doc).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<Notification>,
}

/// Where gas stops: a polygon drawn on the map, or whole districts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum OutageArea {
    Polygon(Area),
    Districts(Vec<DistrictId>),
}

impl OutageArea {
    /// The lead time a notice over this area must give: the longest of the lead times of the
    /// districts it touches (a district that asks for 48 h is not told in 24), else `default`
    /// (the utility's policy). `districts` are every district with its boundary and its own
    /// lead time.
    pub fn lead_time<'a>(
        &self,
        districts: impl IntoIterator<Item = (DistrictId, &'a Area, Duration)>,
        default: Duration,
    ) -> Duration {
        districts
            .into_iter()
            .filter(|(id, boundary, _)| match self {
                OutageArea::Polygon(area) => area.overlaps(boundary),
                OutageArea::Districts(ids) => ids.contains(id),
            })
            .map(|(_, _, lead)| lead)
            .max()
            .unwrap_or(default)
    }
}

/// The one rule of who is told of an outage in `area`: a located household that receives gas
/// and lies inside it.
pub fn is_affected(household: &Household, area: &Area) -> bool {
    matches!(household.supply, SupplyStatus::Active)
        && household.location.is_some_and(|p| area.contains(&p))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutageReason {
    PipelineInspection,
    Repair,
    Construction,
    Upgrade,
}

impl OutageReason {
    pub const ALL: [OutageReason; 4] = [
        OutageReason::PipelineInspection,
        OutageReason::Repair,
        OutageReason::Construction,
        OutageReason::Upgrade,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutageReason::PipelineInspection => "pipeline_inspection",
            OutageReason::Repair => "repair",
            OutageReason::Construction => "construction",
            OutageReason::Upgrade => "upgrade",
        }
    }

    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| {
                InvalidInput::new(
                    "outage.reason",
                    said(
                        "停气原因须为 pipeline_inspection、repair、construction 或 upgrade",
                        "the reason must be pipeline_inspection, repair, construction or upgrade",
                    ),
                )
            })
    }
}

/// How a household was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifiedHow {
    Phone,
    Sms,
    /// A notice posted at the building (张贴公告).
    NoticePosted,
    Visit,
}

impl NotifiedHow {
    pub const ALL: [NotifiedHow; 4] = [
        NotifiedHow::Phone,
        NotifiedHow::Sms,
        NotifiedHow::NoticePosted,
        NotifiedHow::Visit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotifiedHow::Phone => "phone",
            NotifiedHow::Sms => "sms",
            NotifiedHow::NoticePosted => "notice_posted",
            NotifiedHow::Visit => "visit",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|h| h.as_str() == text)
            .ok_or_else(|| {
                InvalidInput::new(
                    field,
                    said(
                        "通知方式须为 phone、sms、notice_posted 或 visit",
                        "how must be phone, sms, notice_posted or visit",
                    ),
                )
            })
    }
}

/// Who told the household.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notifier {
    /// An office operator (their login name).
    Office {
        operator: String,
    },
    Technician {
        id: TechnicianId,
    },
}

/// One household told of the outage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Notification {
    pub at: DateTime<Utc>,
    pub household_id: HouseholdId,
    pub how: NotifiedHow,
    pub by: Notifier,
}

/// Where one household stands on a notice at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeState {
    /// Told (first at `first`); `late` when that was after the notice deadline.
    Notified { first: Notification, late: bool },
    /// Not yet told, and the deadline has not passed.
    Pending,
    /// Not told, and the deadline passed: flagged.
    Overdue,
}

/// The households of a notice at `now`, each with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeProgress {
    pub notified: Vec<(HouseholdId, Notification, bool)>,
    pub pending: Vec<HouseholdId>,
    pub overdue: Vec<HouseholdId>,
}

impl OutageNotice {
    /// A new notice, created at `now` by `created_by` with lead time `lead`: refused if it
    /// breaks a rule of [`OutageNotice::validate`], or if it starts within its lead time and is
    /// not an emergency with a reason.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        title: &str,
        reason: OutageReason,
        area: OutageArea,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        lead: Duration,
        emergency: Option<&str>,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, InvalidInput> {
        let notice = OutageNotice {
            id: OutageId::new(),
            title: title.trim().to_owned(),
            reason,
            area,
            starts_at,
            ends_at,
            created_at: now,
            created_by: created_by.to_owned(),
            lead_seconds: lead.num_seconds(),
            emergency: emergency.map(|r| r.trim().to_owned()),
            notifications: Vec::new(),
        };
        notice.validate()?;
        if starts_at - now < lead && notice.emergency.is_none() {
            return Err(InvalidInput::new(
                "outage.starts_at",
                said(
                    format!(
                        "计划停气须至少提前{}小时通知；紧急情况请标明紧急并写明原因",
                        lead.num_hours()
                    ),
                    format!(
                        "a planned outage is announced at least {} h before it starts; an emergency must be marked as one, with its reason",
                        lead.num_hours()
                    ),
                ),
            ));
        }
        Ok(notice)
    }

    pub fn validate(&self) -> Result<(), InvalidInput> {
        validate_text("outage.title", &self.title, 1, 100)?;
        if self.ends_at <= self.starts_at {
            return Err(InvalidInput::new(
                "outage.ends_at",
                said(
                    "停气结束时间必须晚于开始时间",
                    "the outage must end after it starts",
                ),
            ));
        }
        match &self.area {
            OutageArea::Polygon(area) if !area.is_drawn_well() => {
                return Err(InvalidInput::new(
                    "outage.area",
                    said(
                        "停气区域必须围出一块地方，且边界不能自相交叉",
                        "the area must enclose some ground and its boundary must not cross itself",
                    ),
                ));
            }
            OutageArea::Districts(ids) if ids.is_empty() => {
                return Err(InvalidInput::new(
                    "outage.districts",
                    said("至少指定一个片区", "name at least one district"),
                ));
            }
            _ => {}
        }
        validate_text("outage.created_by", &self.created_by, 1, 64)?;
        if self.lead_seconds < 0 {
            return Err(InvalidInput::new(
                "outage.lead",
                said("提前量不能为负", "the lead time cannot be negative"),
            ));
        }
        if let Some(reason) = &self.emergency {
            validate_text("outage.emergency_reason", reason, 1, 500)?;
        }
        if self.notifications.len() > MAX_NOTIFICATIONS {
            return Err(InvalidInput::new(
                "outage.notifications",
                said(
                    format!("通知记录最多{MAX_NOTIFICATIONS}条"),
                    format!("at most {MAX_NOTIFICATIONS} notifications"),
                ),
            ));
        }
        for n in &self.notifications {
            if let Notifier::Office { operator } = &n.by {
                validate_text("notification.by", operator, 1, 64)?;
            }
        }
        Ok(())
    }

    pub fn lead(&self) -> Duration {
        Duration::seconds(self.lead_seconds)
    }

    /// When every household must have been told: the lead time before the start, or, for an
    /// emergency announced late, the start itself.
    pub fn notice_deadline(&self) -> DateTime<Utc> {
        let by_lead = self.starts_at - self.lead();
        if self.emergency.is_some() {
            by_lead.max(self.created_at).min(self.starts_at)
        } else {
            by_lead
        }
    }

    /// Whether this household must be told: it receives gas, and it lies in the area (a
    /// polygon: it is located inside; districts: it is in one of them). A household without a
    /// location cannot be placed in a polygon and is left to the back office.
    pub fn affects(&self, household: &Household) -> bool {
        match &self.area {
            OutageArea::Polygon(area) => is_affected(household, area),
            OutageArea::Districts(ids) => {
                matches!(household.supply, SupplyStatus::Active)
                    && household.district_id.is_some_and(|d| ids.contains(&d))
            }
        }
    }

    /// The households among `households` that must be told, for the advance notice.
    pub fn affected<'a>(
        &self,
        households: impl IntoIterator<Item = &'a Household>,
    ) -> Vec<&'a Household> {
        households.into_iter().filter(|h| self.affects(h)).collect()
    }

    /// Records that `household` was told: refused for a household the outage does not affect.
    /// Recording the same notification twice keeps it once.
    pub fn record_notification(
        &mut self,
        household: &Household,
        how: NotifiedHow,
        at: DateTime<Utc>,
        by: Notifier,
    ) -> Result<Notification, InvalidInput> {
        if !self.affects(household) {
            return Err(InvalidInput::new(
                "household",
                said(
                    "这一户不在停气范围内，或未在用气",
                    "this household is not in the outage's area, or does not receive gas",
                ),
            ));
        }
        if let Notifier::Office { operator } = &by {
            validate_text("notification.by", operator, 1, 64)?;
        }
        let n = Notification {
            at,
            household_id: household.id,
            how,
            by,
        };
        self.merge_notifications(std::iter::once(n.clone()));
        Ok(n)
    }

    /// Adds `others` to the notifications: a union, so that nothing recorded anywhere is lost
    /// and a notification seen twice is kept once.
    pub fn merge_notifications(&mut self, others: impl IntoIterator<Item = Notification>) {
        let mut all: BTreeSet<Notification> = std::mem::take(&mut self.notifications)
            .into_iter()
            .collect();
        all.extend(others);
        self.notifications = all.into_iter().collect();
    }

    /// Where `household` stands at `now`.
    pub fn state_of(&self, household: HouseholdId, now: DateTime<Utc>) -> NoticeState {
        let deadline = self.notice_deadline();
        // Sorted by time first: the first one found is the earliest.
        match self
            .notifications
            .iter()
            .find(|n| n.household_id == household)
        {
            Some(first) => NoticeState::Notified {
                first: first.clone(),
                late: first.at > deadline,
            },
            None if now >= deadline => NoticeState::Overdue,
            None => NoticeState::Pending,
        }
    }

    /// The affected households among `households` at `now`: told (and whether late), not yet
    /// told, and not told when the deadline passed.
    pub fn progress<'a>(
        &self,
        households: impl IntoIterator<Item = &'a Household>,
        now: DateTime<Utc>,
    ) -> NoticeProgress {
        let mut progress = NoticeProgress::default();
        for h in self.affected(households) {
            match self.state_of(h.id, now) {
                NoticeState::Notified { first, late } => {
                    progress.notified.push((h.id, first, late))
                }
                NoticeState::Pending => progress.pending.push(h.id),
                NoticeState::Overdue => progress.overdue.push(h.id),
            }
        }
        progress
    }
}

#[cfg(test)]
mod tests;
