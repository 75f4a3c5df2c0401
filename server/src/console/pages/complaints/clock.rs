//! A deadline as the complaints pages draw it: the core's state and level, in the person's
//! language.

use chrono::{DateTime, Utc};
use doorstep_core::app::clock::{Level, level};
use doorstep_core::app::format;
use doorstep_core::workorder::deadline::{Deadline, DeadlineState};
use maud::{Markup, html};

use crate::console::Lang;
use crate::console::layout::when;

/// How pressing a deadline is now: met ones are never pressing, a breach always is.
pub fn pressing(d: &Deadline, from: DateTime<Utc>, now: DateTime<Utc>) -> Option<Level> {
    match d.state(now) {
        DeadlineState::Met { .. } | DeadlineState::MetLate { .. } => None,
        DeadlineState::Pending { .. } | DeadlineState::Breached { .. } => {
            Some(level(from, d.due_at, now))
        }
    }
}

/// The row's class for the most pressing of its deadlines.
pub fn row_class(levels: impl IntoIterator<Item = Option<Level>>) -> Option<&'static str> {
    match levels.into_iter().flatten().max() {
        Some(Level::Late) => Some("breach"),
        Some(Level::Urgent | Level::DueSoon) => Some("warn"),
        _ => None,
    }
}

/// One deadline: met in time or late (when), or what is left or how late, as a badge.
pub fn cell(lang: Lang, d: &Deadline, from: DateTime<Utc>, now: DateTime<Utc>) -> Markup {
    let w = &lang.words().complaints;
    let core = lang.core();
    html! {
        @match d.state(now) {
            DeadlineState::Met { .. } => {
                span.badge.green { (w.clock_met) } " " (when(d.met_at.unwrap_or(d.due_at)))
            }
            DeadlineState::MetLate { late_by } => {
                span.badge.red { (w.clock_met_late) } " " (format::span(late_by, core))
            }
            DeadlineState::Pending { remaining } => {
                @let colour = match level(from, d.due_at, now) {
                    Level::OnTime => "green",
                    Level::DueSoon => "amber",
                    Level::Urgent | Level::Late => "red",
                };
                span class={ "badge " (colour) } { (format::remaining(remaining, core)) }
                " " span.muted { (when(d.due_at)) }
            }
            DeadlineState::Breached { overdue_by } => {
                span.badge.red { (format::remaining(-overdue_by, core)) }
                " " span.muted { (when(d.due_at)) }
            }
        }
    }
}
