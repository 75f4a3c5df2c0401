//! Pieces several screens draw the same way: a countdown to a regulated deadline, a badge, a
//! labelled value.

use chrono::{DateTime, Utc};

use super::Cx;
use crate::app::clock::{Level, level};
use crate::app::format;
use crate::text::Text;

/// A countdown to a deadline: what it is, when it is due, what is left, how pressing it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Countdown {
    /// What must happen ("到场处置" / "handled on site").
    pub label: String,
    /// When it is due: "须在 今天 14:05 前" / "by today 14:05".
    pub due: String,
    /// What is left, or how late: "剩 2 小时 14 分" / "2 h 14 min left"; once met, when.
    pub remaining: String,
    pub level: Level,
    /// Met (in time or late): the countdown no longer moves.
    pub met: bool,
    /// All of it, for the screen reader.
    pub accessibility: String,
}

/// The countdown of `what`, whose clock started at `from` and is due at `due`, met at `met_at`
/// if it was.
pub fn countdown(
    cx: &Cx<'_>,
    what: &Text,
    from: DateTime<Utc>,
    due: DateTime<Utc>,
    met_at: Option<DateTime<Utc>>,
) -> Countdown {
    let label = cx.t(what);
    let when = format::moment(due, cx.now, cx.lang);
    let due_text = cx.say(&format!("须在 {when} 前"), &format!("by {when}"));
    let (remaining, level, met) = match met_at {
        Some(at) => {
            let at_text = format::moment(at, cx.now, cx.lang);
            let text = if at <= due {
                cx.say(&format!("已于 {at_text} 完成"), &format!("done {at_text}"))
            } else {
                let late = format::span(at - due, cx.lang);
                cx.say(
                    &format!("已于 {at_text} 完成，超时 {late}"),
                    &format!("done {at_text}, {late} late"),
                )
            };
            let level = if at <= due {
                Level::OnTime
            } else {
                Level::Late
            };
            (text, level, true)
        }
        None => (
            format::remaining(due - cx.now, cx.lang),
            level(from, due, cx.now),
            false,
        ),
    };
    let accessibility = cx.say(
        &format!("{label}，{due_text}，{remaining}"),
        &format!("{label}, {due_text}, {remaining}"),
    );
    Countdown {
        label,
        due: due_text,
        remaining,
        level,
        met,
        accessibility,
    }
}

/// What a badge on a line or a file marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeKind {
    /// An elderly or disabled user registered for priority home service.
    SpecialGroup,
    /// A hazard found and not yet put right.
    Hazard,
    /// An appointment agreed with the user.
    Appointment,
    /// The work follows a complaint.
    Complaint,
    /// A major fault.
    Major,
    /// A planned outage touches it.
    Outage,
    /// The gas is shut off.
    ShutOff,
}

/// A badge: its kind (the shell's colour and icon) and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub kind: BadgeKind,
    pub label: String,
}

/// A labelled value in a file ("户号" / "3300000001").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub value: String,
}

impl Field {
    pub fn new(cx: &Cx<'_>, label: &Text, value: impl Into<String>) -> Self {
        Self {
            label: cx.t(label),
            value: value.into(),
        }
    }
}
