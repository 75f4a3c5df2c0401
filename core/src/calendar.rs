//! The utility's calendar: its time zone (China Standard Time, UTC+8 all year, no daylight
//! saving) and the day a moment falls on there. Due dates, deadlines and a photo's watermark
//! are calendar days and clock times there, because that is what the technician and the
//! customer see.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time: UTC+8 all year (China has no daylight saving time).
const CHINA_STANDARD_TIME: FixedOffset =
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");

/// The utility's time zone (China Standard Time, UTC+8, no DST): due dates are calendar days
/// there.
pub fn service_timezone() -> FixedOffset {
    CHINA_STANDARD_TIME
}

/// The calendar day `at` falls on in the utility's time zone: an inspection signed at
/// 00:30 Beijing time is on that day, though it is still the day before in UTC.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&CHINA_STANDARD_TIME).date_naive()
}
