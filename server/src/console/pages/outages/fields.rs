//! What the outages and complaints forms post, read as the browser sends it: pairs of name and
//! value (a checkbox ticked several times repeats its name), and times typed in Beijing time.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use doorstep_core::calendar::service_timezone;

/// A form's fields in the order posted.
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every value of `name` (the ticked checkboxes), empty ones left out.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    pub fn ticked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }
}

/// A `datetime-local` value (`2026-12-09T08:00`, seconds optional) read in Beijing time;
/// `None` when it is not one.
pub fn beijing_time(text: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    service_timezone()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// A time as a `datetime-local` input shows it: Beijing time, to the minute.
pub fn input_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&service_timezone())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// One value of a CSV line: quoted, its quotes doubled; a value a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@`) is led by a quote mark.
pub fn csv_value(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_typed_in_beijing_is_eight_hours_ahead_of_utc() {
        let at = beijing_time("2026-12-09T08:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-09T00:00:00+00:00");
        assert_eq!(input_time(at), "2026-12-09T08:00");
        assert!(beijing_time("tomorrow").is_none());
    }

    #[test]
    fn a_csv_value_keeps_its_quotes_and_never_runs_as_a_formula() {
        assert_eq!(csv_value("李\"四\""), "\"李\"\"四\"\"\"");
        assert_eq!(csv_value("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
    }
}
