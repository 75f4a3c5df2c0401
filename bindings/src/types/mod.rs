//! The records and enums that cross the boundary, in the users' words, one module per domain.
//!
//! Ids cross as their text (UUIDs), times as milliseconds lifted into each language's own type
//! (`Instant` in Kotlin, `datetime` in Python, `Date` in Swift; see [`Timestamp`]), calendar
//! days as `YYYY-MM-DD`, exact decimals (answers, meter readings in m³) as their decimal text so
//! that nothing is rounded through a float.
//!
//! A core type that crosses as it is is declared with `uniffi::remote` in its domain's module:
//! the small enums, and the records and enums whose fields all cross as they are (`Address`,
//! `SupplyStatus`, `StrokePoint`, `Seal`, `SyncProgress`, `SyncReport`). The others are
//! mirrors, reshaped for a screen by plain conversion and nothing else, each for a reason said
//! where it is declared: a field the FFI cannot carry as the core holds it (ids, days and
//! decimals become text; a validated point becomes two numbers, checked on the way back in), a
//! shape the screen reads more simply (maps keyed by item become lists, a registration a flag),
//! or a name the shells already use (`Label` for the core's `Text`).

use chrono::{DateTime, NaiveDate, Utc};
use doorstep_core::text::said;

use crate::error::{DoorstepError, Result};

mod fees;
mod forms;
mod households;
mod orders;
mod places;
mod scan;
mod sync;
mod templates;
mod visits;
mod worklist;

pub use fees::*;
pub use forms::*;
pub use households::*;
pub use orders::*;
pub use places::*;
pub use scan::*;
pub use sync::*;
pub use templates::*;
pub use visits::*;
pub use worklist::*;

// ---- Times, days and ids ----

/// A moment (UTC). It crosses the FFI as whole milliseconds since the Unix epoch, one integer,
/// and each language lifts it into its own type by the conversions in `uniffi.toml`: Python's
/// `datetime.datetime` (aware, UTC), Kotlin's `java.time.Instant`, Swift's `Date`. UniFFI's
/// built-in timestamp crosses as seconds and nanoseconds and is lifted in Python with datetime
/// arithmetic, which made times the costliest field of a work list line. Milliseconds are the
/// core's own grain (its clocks and stamps are milliseconds): finer digits are dropped at the
/// boundary, both ways. A moment outside chrono's range (about 262,000 years either side of
/// year 0) cannot be lifted; no calendar a shell uses reaches it.
pub type Timestamp = DateTime<Utc>;

uniffi::custom_type!(Timestamp, i64, {
    remote,
    lower: |t| t.timestamp_millis(),
    try_lift: |ms| DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| uniffi::deps::anyhow::anyhow!("{ms} ms from the Unix epoch is out of range")),
});

pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_id<T: std::str::FromStr>(field: &str, text: &str) -> Result<T> {
    text.trim()
        .parse()
        .map_err(|_| DoorstepError::invalid(field, said("不是有效的编号", "not a valid id")))
}

fn parse_day(field: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        DoorstepError::invalid(
            field,
            said("日期请写成 YYYY-MM-DD", "a day is written YYYY-MM-DD"),
        )
    })
}

// ---- Words in two languages ----

/// The language of a text the core words: the core's `Lang`, under the name the shells know.
pub type Language = doorstep_core::text::Lang;

/// The language of a text the core words.
#[uniffi::remote(Enum)]
pub enum Language {
    /// Simplified Chinese, the users' first language.
    Zh,
    En,
}

/// A text in both languages: the core's `Text`, under the name the shells know it by.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Label {
    pub zh: String,
    pub en: String,
}

impl From<doorstep_core::text::Text> for Label {
    fn from(t: doorstep_core::text::Text) -> Self {
        Self { zh: t.zh, en: t.en }
    }
}
