//! The hazards a sealed inspection found and the day each must be put right by, as the
//! rectification notice (隐患整改通知书) prints them.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::calendar::local_date;
use crate::forms::Template;
use crate::forms::form::{Answer, Form};
use crate::forms::template::HazardGrade;

/// How long a general hazard is given to be put right, in days from the inspection. The
/// regulation sets no figure: this is the utility's practice, printed on the notice so the
/// customer knows the date. A major hazard is put right at once, the gas unused until then.
pub const GENERAL_HAZARD_DAYS: i64 = 30;

/// One hazard on the notice.
#[derive(Debug, Clone, PartialEq)]
pub struct Hazard {
    /// The failed check's item id (its photos are the evidence).
    pub item: String,
    /// The failed check, in Chinese (the notice's language).
    pub what: String,
    pub major: bool,
    pub shut_off: bool,
    /// The rectification advice written for the customer.
    pub advice: Option<String>,
    /// The last day to put it right (the inspection's day itself for a major hazard).
    pub by: NaiveDate,
}

/// The last day (Asia/Shanghai) a hazard of `grade` found at `inspected` is put right by.
pub fn put_right_by(grade: HazardGrade, inspected: DateTime<Utc>) -> NaiveDate {
    let day = local_date(inspected);
    match grade {
        HazardGrade::Major => day,
        HazardGrade::General => day + Duration::days(GENERAL_HAZARD_DAYS),
    }
}

/// The hazards the form found, in the template's order, each with its day.
pub fn hazards(form: &Form, template: &Template) -> Vec<Hazard> {
    let inspected = form.seal.as_ref().map_or(form.started_at, |s| s.sealed_at);
    form.hazards(template)
        .into_iter()
        .map(|(item, grade, shut_off)| Hazard {
            item: item.id.clone(),
            what: item.label.zh.clone(),
            major: grade == HazardGrade::Major,
            shut_off,
            advice: match form.answers.get(&item.id) {
                Some(Answer::Check(c)) => c.advice.clone().filter(|a| !a.trim().is_empty()),
                _ => None,
            },
            by: put_right_by(grade, inspected),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Timelike};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_general_hazard_has_thirty_beijing_days_and_a_major_one_none(
            secs in 1_700_000_000i64..2_100_000_000
        ) {
            let at = Utc.timestamp_opt(secs, 0).unwrap();
            let beijing_day = (at + Duration::hours(8)).date_naive();
            prop_assert_eq!(put_right_by(HazardGrade::Major, at), beijing_day);
            prop_assert_eq!(
                put_right_by(HazardGrade::General, at) - beijing_day,
                Duration::days(GENERAL_HAZARD_DAYS)
            );
        }
    }

    #[test]
    fn a_hazard_found_after_four_in_the_afternoon_utc_counts_from_the_next_beijing_day() {
        // 16:30 UTC on 6 December is 00:30 on 7 December in Beijing.
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 16, 30, 0).unwrap();
        assert_eq!(at.hour(), 16);
        assert_eq!(
            put_right_by(HazardGrade::General, at),
            NaiveDate::from_ymd_opt(2027, 1, 6).unwrap()
        );
    }
}
