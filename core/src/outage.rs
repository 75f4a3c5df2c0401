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
mod tests {
    use super::*;
    use crate::geo::GeoPoint;
    use crate::household::{Address, Category};
    use crate::ids::HouseholdId;
    use chrono::TimeZone;

    fn at(lat: f64, lon: f64, supply: SupplyStatus) -> Household {
        Household {
            id: HouseholdId::new(),
            customer_number: "1".into(),
            name: "x".into(),
            phones: vec![],
            address: Address::default(),
            location: GeoPoint::new(lat, lon).ok(),
            district_id: None,
            category: Category::Residential,
            meter: None,
            appliances: vec![],
            supply,
            gas_on_date: None,
            last_inspection_at: None,
            special_group: None,
        }
    }

    fn notice() -> OutageNotice {
        let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
        OutageNotice {
            id: OutageId::new(),
            title: "文三路管网检修".into(),
            reason: OutageReason::PipelineInspection,
            // An L-shaped block: the notch must not count.
            area: OutageArea::Polygon(
                Area::new(vec![
                    p(30.0, 120.0),
                    p(30.0, 120.2),
                    p(30.1, 120.2),
                    p(30.1, 120.1),
                    p(30.2, 120.1),
                    p(30.2, 120.0),
                ])
                .unwrap(),
            ),
            starts_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
            created_at: Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap(),
            created_by: "office".into(),
            lead_seconds: 24 * 3600,
            emergency: None,
            notifications: vec![],
        }
    }

    #[test]
    fn planned_outage_notifies_only_supplied_households_inside_the_area() {
        let n = notice();
        let inside = at(30.05, 120.05, SupplyStatus::Active);
        let in_the_notch = at(30.15, 120.15, SupplyStatus::Active);
        let outside = at(31.0, 120.05, SupplyStatus::Active);
        let not_connected = at(30.05, 120.06, SupplyStatus::NotConnected);
        let mut unlocated = at(30.05, 120.05, SupplyStatus::Active);
        unlocated.location = None;
        let all = [
            inside.clone(),
            in_the_notch,
            outside,
            not_connected,
            unlocated,
        ];
        let told: Vec<_> = n.affected(&all).into_iter().map(|h| h.id).collect();
        assert_eq!(told, vec![inside.id]);
    }

    #[test]
    fn a_notice_gives_the_longest_lead_time_of_the_districts_it_touches() {
        let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
        let square = |lat: f64, lon: f64| {
            Area::new(vec![
                p(lat, lon),
                p(lat, lon + 0.1),
                p(lat + 0.1, lon + 0.1),
                p(lat + 0.1, lon),
            ])
            .unwrap()
        };
        let (west, east, far) = (DistrictId::new(), DistrictId::new(), DistrictId::new());
        let (west_area, east_area, far_area) = (
            square(30.0, 120.0),
            square(30.0, 120.1),
            square(31.0, 121.0),
        );
        let districts = || {
            [
                (west, &west_area, Duration::hours(24)),
                (east, &east_area, Duration::hours(48)),
                (far, &far_area, Duration::hours(72)),
            ]
        };
        let default = Duration::hours(24);
        // The L-shaped block covers part of both west and east: east's 48 h holds.
        assert_eq!(
            notice().area.lead_time(districts(), default),
            Duration::hours(48)
        );
        let only_west = OutageArea::Districts(vec![west]);
        assert_eq!(
            only_west.lead_time(districts(), default),
            Duration::hours(24)
        );
        let nowhere = OutageArea::Polygon(square(10.0, 10.0));
        assert_eq!(nowhere.lead_time(districts(), default), default);
    }

    #[test]
    fn outage_that_ends_before_it_starts_is_refused() {
        let mut n = notice();
        n.ends_at = n.starts_at;
        assert_eq!(n.validate().unwrap_err().field, "outage.ends_at");
    }

    fn hours_before_start(h: i64) -> DateTime<Utc> {
        notice().starts_at - Duration::hours(h)
    }

    fn create(now: DateTime<Utc>, emergency: Option<&str>) -> Result<OutageNotice, InvalidInput> {
        let n = notice();
        OutageNotice::create(
            &n.title,
            n.reason,
            n.area,
            n.starts_at,
            n.ends_at,
            Duration::hours(24),
            emergency,
            "office",
            now,
        )
    }

    #[test]
    fn an_outage_announced_less_than_its_lead_time_before_is_refused_unless_an_emergency_with_a_reason()
     {
        create(hours_before_start(24), None).unwrap();
        assert_eq!(
            create(hours_before_start(23), None).unwrap_err().field,
            "outage.starts_at"
        );
        assert_eq!(
            create(hours_before_start(2), Some("  ")).unwrap_err().field,
            "outage.emergency_reason"
        );
        let urgent = create(hours_before_start(2), Some("主干管破损抢修")).unwrap();
        // Told before gas stops, at the latest.
        assert_eq!(urgent.notice_deadline(), hours_before_start(2));
        assert_eq!(
            create(hours_before_start(48), None)
                .unwrap()
                .notice_deadline(),
            hours_before_start(24)
        );
    }

    #[test]
    fn an_outage_area_that_crosses_itself_is_refused_naming_the_field() {
        let p = |lat, lon| GeoPoint::new(lat, lon).unwrap();
        let mut n = notice();
        // A bow tie.
        n.area = OutageArea::Polygon(
            Area::new(vec![
                p(30.0, 120.0),
                p(30.1, 120.1),
                p(30.0, 120.1),
                p(30.1, 120.0),
            ])
            .unwrap(),
        );
        assert_eq!(n.validate().unwrap_err().field, "outage.area");
        n.area = OutageArea::Districts(vec![]);
        assert_eq!(n.validate().unwrap_err().field, "outage.districts");
    }

    #[test]
    fn an_outage_by_districts_notifies_the_supplied_households_of_those_districts() {
        let west = DistrictId::new();
        let mut n = notice();
        n.area = OutageArea::Districts(vec![west]);
        let mut in_west = at(31.0, 121.0, SupplyStatus::Active);
        in_west.district_id = Some(west);
        let mut unlocated_in_west = in_west.clone();
        unlocated_in_west.id = HouseholdId::new();
        unlocated_in_west.location = None;
        let mut elsewhere = at(30.05, 120.05, SupplyStatus::Active);
        elsewhere.district_id = Some(DistrictId::new());
        let all = [in_west.clone(), unlocated_in_west.clone(), elsewhere];
        let told: Vec<_> = n.affected(&all).into_iter().map(|h| h.id).collect();
        assert_eq!(told, vec![in_west.id, unlocated_in_west.id]);
    }

    #[test]
    fn households_not_told_when_the_lead_time_runs_out_are_flagged() {
        let mut n = notice();
        let told_early = at(30.05, 120.05, SupplyStatus::Active);
        let told_late = at(30.06, 120.05, SupplyStatus::Active);
        let never = at(30.07, 120.05, SupplyStatus::Active);
        let outside = at(31.0, 120.05, SupplyStatus::Active);
        let office = Notifier::Office {
            operator: "li".into(),
        };
        n.record_notification(
            &told_early,
            NotifiedHow::Sms,
            hours_before_start(30),
            office.clone(),
        )
        .unwrap();
        n.record_notification(
            &told_late,
            NotifiedHow::Phone,
            hours_before_start(20),
            office.clone(),
        )
        .unwrap();
        assert_eq!(
            n.record_notification(&outside, NotifiedHow::Sms, hours_before_start(30), office)
                .unwrap_err()
                .field,
            "household"
        );
        let all = [
            told_early.clone(),
            told_late.clone(),
            never.clone(),
            outside,
        ];
        let before = n.progress(&all, hours_before_start(25));
        assert_eq!(before.pending, vec![never.id]);
        assert!(before.overdue.is_empty());
        let after = n.progress(&all, hours_before_start(23));
        assert_eq!(after.overdue, vec![never.id]);
        assert!(after.pending.is_empty());
        let lateness: Vec<_> = after
            .notified
            .iter()
            .map(|(h, _, late)| (*h, *late))
            .collect();
        assert_eq!(lateness, vec![(told_early.id, false), (told_late.id, true)]);
    }

    #[test]
    fn two_phones_and_the_office_recording_at_once_never_lose_a_notification() {
        let base = notice();
        let households: Vec<_> = (0..3)
            .map(|i| at(30.05 + f64::from(i) * 0.01, 120.05, SupplyStatus::Active))
            .collect();
        let by = |i: usize| match i {
            0 => Notifier::Office {
                operator: "li".into(),
            },
            _ => Notifier::Technician {
                id: TechnicianId::new(),
            },
        };
        // Each of three copies records its own notification.
        let copies: Vec<OutageNotice> = (0..3)
            .map(|i| {
                let mut copy = base.clone();
                copy.record_notification(
                    &households[i],
                    NotifiedHow::NoticePosted,
                    hours_before_start(30),
                    by(i),
                )
                .unwrap();
                copy
            })
            .collect();
        // Merged in any order, any number of times, the union holds all three, once each.
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
            let mut merged = base.clone();
            for i in order {
                merged.merge_notifications(copies[i].notifications.clone());
                merged.merge_notifications(copies[i].notifications.clone());
            }
            assert_eq!(merged.notifications.len(), 3);
            assert_eq!(merged.notifications, {
                let mut first = copies[0].clone();
                first.merge_notifications(copies[1].notifications.clone());
                first.merge_notifications(copies[2].notifications.clone());
                first.notifications
            });
        }
    }
}
