//! What a report is asked for (issue 27), read from the page's query or the admin tool's
//! options: the report, the level, the unit, the period and a day it holds. Each value a
//! person typed is refused by its field's name with the reason in both languages, never by
//! repeating what was typed. Which units a member of staff may ask for is decided here too.

use chrono::{Datelike, NaiveDate};
use doorstep_core::InvalidInput;
use doorstep_core::ids::DistrictId;
use doorstep_core::satisfaction::UnitLevel;
use doorstep_core::sync::protocol::Entity;
use doorstep_core::team::{Crew, District, Technician};
use doorstep_core::text::said;

use crate::console::words::reports::{EN, Reports, ZH};
use crate::console::{ConsoleError, Role, Staff};
use crate::reports::{Params, Period, PeriodLength, ReportKind};
use crate::storage::Tx;

use super::super::inspections::each;

fn refused(field: &str, reason: fn(&Reports) -> &'static str) -> InvalidInput {
    InvalidInput::new(field, said(reason(&ZH), reason(&EN)))
}

fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// The report (`kind`), which must be named.
pub fn kind(text: Option<&str>) -> Result<ReportKind, InvalidInput> {
    given(text)
        .and_then(ReportKind::parse)
        .ok_or_else(|| refused("kind", |w| w.bad_kind))
}

/// The level (`level`): districts unless another is named.
pub fn level(text: Option<&str>) -> Result<UnitLevel, InvalidInput> {
    match given(text) {
        None => Ok(UnitLevel::District),
        Some(text) => UnitLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == text)
            .ok_or_else(|| refused("level", |w| w.bad_level)),
    }
}

/// How long the period is (`period`): a month unless another is named.
pub fn period_length(text: Option<&str>) -> Result<PeriodLength, InvalidInput> {
    match given(text) {
        None => Ok(PeriodLength::Month),
        Some(text) => PeriodLength::parse(text).ok_or_else(|| refused("period", |w| w.bad_period)),
    }
}

/// A day of the period (`day`, `YYYY-MM-DD`): `today` unless one is named; between 2000 and
/// 2099, the years a report of this utility can be about (and a workbook can hold).
pub fn day(text: Option<&str>, today: NaiveDate) -> Result<NaiveDate, InvalidInput> {
    match given(text) {
        None => Ok(today),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2099).contains(&d.year()))
            .ok_or_else(|| refused("day", |w| w.bad_day)),
    }
}

/// The refusal of a unit that is not on file at the level asked.
pub fn unknown_unit() -> InvalidInput {
    refused("unit", |w| w.bad_unit)
}

/// A unit one may ask a report about: a district, a crew or a technician, by its id and name,
/// with the district it belongs to now (what a dispatcher's reach is judged by).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitChoice {
    pub level: UnitLevel,
    pub id: String,
    pub name: String,
    pub district: Option<DistrictId>,
}

/// Every district, crew and technician on file, by level, then by name.
pub fn units(tx: &mut dyn Tx) -> crate::error::Result<Vec<UnitChoice>> {
    let mut all = Vec::new();
    each(tx, Entity::District, |d: District| {
        all.push(UnitChoice {
            level: UnitLevel::District,
            id: d.id.to_string(),
            name: d.name,
            district: Some(d.id),
        })
    })?;
    each(tx, Entity::Crew, |c: Crew| {
        all.push(UnitChoice {
            level: UnitLevel::Crew,
            id: c.id.to_string(),
            name: c.name,
            district: c.district_id,
        })
    })?;
    each(tx, Entity::Technician, |t: Technician| {
        all.push(UnitChoice {
            level: UnitLevel::Technician,
            id: t.id.to_string(),
            name: format!("{} {}", t.name, t.badge),
            district: t.district_id,
        })
    })?;
    all.sort_by(|a, b| (a.level as u8, &a.name).cmp(&(b.level as u8, &b.name)));
    Ok(all)
}

/// What a report is asked for, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Asked {
    pub kind: Option<String>,
    pub level: Option<String>,
    pub unit: Option<String>,
    pub period: Option<String>,
    pub day: Option<String>,
}

impl Asked {
    /// The report's parameters for `staff` at `now`: each field read (refused by its name), the
    /// evaluation kept to supervisors and administrators, a unit of another district refused,
    /// and a dispatcher's report kept to their districts.
    pub fn params(
        &self,
        staff: &Staff,
        units: &[UnitChoice],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Params, ConsoleError> {
        let invalid = |e: InvalidInput| ConsoleError::from(crate::error::Error::from(e));
        let kind = kind(self.kind.as_deref()).map_err(invalid)?;
        if kind == ReportKind::Evaluation && staff.role < Role::Supervisor {
            return Err(ConsoleError::Forbidden);
        }
        let level = level(self.level.as_deref()).map_err(invalid)?;
        let length = period_length(self.period.as_deref()).map_err(invalid)?;
        let today = doorstep_core::calendar::local_date(now);
        let day = day(self.day.as_deref(), today).map_err(invalid)?;
        let unit = match given(self.unit.as_deref()) {
            None => None,
            Some(id) => {
                let unit = units
                    .iter()
                    .find(|u| u.level == level && u.id == id)
                    .ok_or_else(|| invalid(unknown_unit()))?;
                if !staff.covers(unit.district) {
                    return Err(ConsoleError::Forbidden);
                }
                Some(unit.id.clone())
            }
        };
        if !staff.whole_city() && staff.districts.is_empty() {
            // A dispatcher of no district: an empty list would mean the whole city.
            return Err(ConsoleError::Forbidden);
        }
        let within_districts = if staff.whole_city() {
            Vec::new()
        } else {
            staff.districts.iter().map(|d| d.to_string()).collect()
        };
        Ok(Params {
            kind,
            level,
            unit,
            within_districts,
            period: Period::holding(length, day),
            now,
        })
    }
}

/// The query that asks for `params` again (the downloads' links, the form's values).
pub fn query_of(params: &Params) -> String {
    format!(
        "kind={}&level={}&unit={}&period={}&day={}",
        params.kind.as_str(),
        params.level.as_str(),
        params.unit.as_deref().unwrap_or(""),
        params.period.length.as_str(),
        params.period.start.format("%Y-%m-%d"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role, districts: Vec<DistrictId>) -> Staff {
        Staff {
            id: "s".into(),
            login: "s".into(),
            name: "s".into(),
            role,
            districts,
        }
    }

    fn asked(kind: &str, level: &str, unit: &str, period: &str, day: &str) -> Asked {
        Asked {
            kind: Some(kind.into()),
            level: Some(level.into()),
            unit: Some(unit.into()),
            period: Some(period.into()),
            day: Some(day.into()),
        }
    }

    fn field_of(e: ConsoleError) -> String {
        match e {
            ConsoleError::Invalid { field, zh, en } => {
                assert!(!zh.is_empty() && !en.is_empty());
                field
            }
            other => panic!("not a refusal of a field: {other:?}"),
        }
    }

    #[test]
    fn each_bad_value_is_refused_by_its_fields_name() {
        let s = staff(Role::Supervisor, Vec::new());
        let now = chrono::Utc::now();
        let bad = [
            (
                asked("sales", "district", "", "month", "2026-12-07"),
                "kind",
            ),
            (asked("work", "street", "", "month", "2026-12-07"), "level"),
            (
                asked("work", "district", "", "fortnight", "2026-12-07"),
                "period",
            ),
            (asked("work", "district", "", "month", "2026-13-01"), "day"),
            (asked("work", "district", "", "month", "1899-12-01"), "day"),
            (
                asked("work", "district", "nobody", "month", "2026-12-07"),
                "unit",
            ),
        ];
        for (a, field) in bad {
            assert_eq!(field_of(a.params(&s, &[], now).unwrap_err()), field);
        }
    }

    #[test]
    fn a_dispatcher_asks_only_about_their_districts_and_never_the_evaluation() {
        let (mine, other) = (DistrictId::new(), DistrictId::new());
        let units = vec![
            UnitChoice {
                level: UnitLevel::District,
                id: mine.to_string(),
                name: "东".into(),
                district: Some(mine),
            },
            UnitChoice {
                level: UnitLevel::District,
                id: other.to_string(),
                name: "西".into(),
                district: Some(other),
            },
            UnitChoice {
                level: UnitLevel::Crew,
                id: "c".into(),
                name: "班".into(),
                district: Some(other),
            },
        ];
        let d = staff(Role::Dispatcher, vec![mine]);
        let now = chrono::Utc::now();
        let p = asked("work", "district", &mine.to_string(), "week", "2026-12-10")
            .params(&d, &units, now)
            .unwrap();
        assert_eq!(p.within_districts, vec![mine.to_string()]);
        assert_eq!(
            p.period.start,
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        );
        assert_eq!(p.unit.as_deref(), Some(mine.to_string().as_str()));
        for a in [
            asked("work", "district", &other.to_string(), "month", ""),
            asked("work", "crew", "c", "month", ""),
            asked("evaluation", "district", "", "year", ""),
        ] {
            assert!(matches!(
                a.params(&d, &units, now),
                Err(ConsoleError::Forbidden)
            ));
        }
        let nowhere = staff(Role::Dispatcher, Vec::new());
        assert!(matches!(
            asked("work", "district", "", "month", "").params(&nowhere, &units, now),
            Err(ConsoleError::Forbidden)
        ));
        let s = staff(Role::Supervisor, Vec::new());
        let p = asked("evaluation", "crew", "c", "year", "")
            .params(&s, &units, now)
            .unwrap();
        assert!(p.within_districts.is_empty(), "the whole city");
        assert_eq!(
            query_of(&p),
            format!(
                "kind=evaluation&level=crew&unit=c&period=year&day={}-01-01",
                doorstep_core::calendar::local_date(now).year()
            )
        );
    }
}
