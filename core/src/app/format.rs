//! How the app writes times, spans, money and distances for the technician, in the service
//! area's time (Asia/Shanghai) and the user's language. Every screen formats through here, so
//! no shell ever formats a number.

use chrono::{DateTime, Datelike, Duration, Utc};

use crate::calendar::{local_date, service_timezone};
use crate::text::Lang;

/// A moment as the technician reads it: "今天 14:05", "明天 09:00", "昨天 18:20", "12-09 14:05",
/// and the year in front when it is not this year ("2025-12-09 14:05").
pub fn moment(at: DateTime<Utc>, now: DateTime<Utc>, lang: Lang) -> String {
    let local = at.with_timezone(&service_timezone());
    let clock = local.format("%H:%M");
    let days = (local_date(at) - local_date(now)).num_days();
    let word = match (days, lang) {
        (0, Lang::Zh) => Some("今天"),
        (1, Lang::Zh) => Some("明天"),
        (-1, Lang::Zh) => Some("昨天"),
        (0, Lang::En) => Some("today"),
        (1, Lang::En) => Some("tomorrow"),
        (-1, Lang::En) => Some("yesterday"),
        _ => None,
    };
    match word {
        Some(word) => format!("{word} {clock}"),
        None if local.year() == now.with_timezone(&service_timezone()).year() => {
            format!("{} {clock}", local.format("%m-%d"))
        }
        None => format!("{} {clock}", local.format("%Y-%m-%d")),
    }
}

/// A calendar day: "12月9日 周三" / "Wed 9 Dec".
pub fn day(at: DateTime<Utc>, lang: Lang) -> String {
    let local = at.with_timezone(&service_timezone());
    let weekday = local.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::Zh => {
            const DAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
            format!("{}月{}日 {}", local.month(), local.day(), DAYS[weekday])
        }
        Lang::En => local.format("%a %-d %b").to_string(),
    }
}

/// What is left of a span, or how late it is: "剩 2 小时 14 分" / "2 h 14 min left",
/// "超时 35 分" / "35 min late", "剩 3 天" / "3 days left".
pub fn remaining(left: Duration, lang: Lang) -> String {
    let late = left < Duration::zero();
    let span = span(if late { -left } else { left }, lang);
    match (late, lang) {
        (false, Lang::Zh) => format!("剩 {span}"),
        (true, Lang::Zh) => format!("超时 {span}"),
        (false, Lang::En) => format!("{span} left"),
        (true, Lang::En) => format!("{span} late"),
    }
}

/// A span in days, hours or minutes, the two largest units: "2 小时 14 分" / "2 h 14 min".
pub fn span(d: Duration, lang: Lang) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match lang {
        Lang::Zh if days > 0 && hours > 0 => format!("{days} 天 {hours} 小时"),
        Lang::Zh if days > 0 => format!("{days} 天"),
        Lang::Zh if hours > 0 && mins > 0 => format!("{hours} 小时 {mins} 分"),
        Lang::Zh if hours > 0 => format!("{hours} 小时"),
        Lang::Zh => format!("{mins} 分"),
        Lang::En if days > 0 && hours > 0 => format!("{days} d {hours} h"),
        Lang::En if days > 0 => format!("{days} {}", if days == 1 { "day" } else { "days" }),
        Lang::En if hours > 0 && mins > 0 => format!("{hours} h {mins} min"),
        Lang::En if hours > 0 => format!("{hours} h"),
        Lang::En => format!("{mins} min"),
    }
}

/// An amount in fen as yuan: "¥12.50" (the same in both languages).
pub fn money(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", fen / 100, fen % 100)
}

/// A walking distance: "350 米" / "350 m", "1.2 公里" / "1.2 km".
pub fn distance(metres: f64, lang: Lang) -> String {
    let metres = metres.max(0.0);
    match (metres < 1000.0, lang) {
        (true, Lang::Zh) => format!("{:.0} 米", metres),
        (true, Lang::En) => format!("{:.0} m", metres),
        (false, Lang::Zh) => format!("{:.1} 公里", metres / 1000.0),
        (false, Lang::En) => format!("{:.1} km", metres / 1000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_technician_reads_times_in_beijing_time_relative_to_today() {
        // 06:05 UTC is 14:05 in Beijing.
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 6, 5, 0).unwrap();
        assert_eq!(moment(at, now, Lang::Zh), "今天 14:05");
        assert_eq!(moment(at, now, Lang::En), "today 14:05");
        let next = at + Duration::days(1);
        assert_eq!(moment(next, now, Lang::Zh), "明天 14:05");
        let later = at + Duration::days(5);
        assert_eq!(moment(later, now, Lang::Zh), "12-12 14:05");
    }

    #[test]
    fn a_countdown_reads_in_the_two_largest_units() {
        let left = Duration::minutes(2 * 60 + 14);
        assert_eq!(remaining(left, Lang::Zh), "剩 2 小时 14 分");
        assert_eq!(remaining(left, Lang::En), "2 h 14 min left");
        assert_eq!(remaining(-Duration::minutes(35), Lang::Zh), "超时 35 分");
        assert_eq!(remaining(Duration::days(3), Lang::En), "3 days left");
    }

    #[test]
    fn money_is_written_in_yuan_and_distance_in_metres_or_kilometres() {
        assert_eq!(money(1250), "¥12.50");
        assert_eq!(money(-5), "-¥0.05");
        assert_eq!(distance(349.6, Lang::Zh), "350 米");
        assert_eq!(distance(1234.0, Lang::En), "1.2 km");
    }
}
