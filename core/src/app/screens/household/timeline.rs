//! The household's timeline: what happened at the door and at the office, newest first, each
//! line with what tapping it opens.

use chrono::{DateTime, Utc};

use super::{HouseholdEvent, TimelineKind, TimelineLine, phone_templates};
use crate::app::format;
use crate::app::screens::Cx;
use crate::forms::form::Form;
use crate::household::HistoryKind;
use crate::store::HouseholdFile;
use crate::text::said;

/// The timeline: the store's history lines (this phone's and the office's), the drafts begun
/// here, and the orders the office sent that no line mentions yet; newest first.
pub(super) fn timeline(cx: &Cx<'_>, file: &HouseholdFile, forms: &[Form]) -> Vec<TimelineLine> {
    let mut lines: Vec<(DateTime<Utc>, TimelineLine)> = Vec::new();
    let form_of = |subject: &Option<String>| {
        let id = subject.as_deref()?;
        forms.iter().find(|f| f.id.to_string() == id)
    };
    let order_of = |subject: &Option<String>| {
        let id = subject.as_deref()?;
        file.work_orders.iter().find(|o| o.id.to_string() == id)
    };
    let mut mentioned = Vec::new();
    for event in &file.history {
        let kind = match event.kind {
            HistoryKind::Form => TimelineKind::Form,
            HistoryKind::Photo => TimelineKind::Photo,
            HistoryKind::Signature => TimelineKind::Signature,
            HistoryKind::WorkOrder | HistoryKind::WorkOrderStatus => TimelineKind::Order,
            HistoryKind::MeterReading => TimelineKind::Reading,
            HistoryKind::OutageNotice => TimelineKind::Notice,
            HistoryKind::FileOpened
            | HistoryKind::FileUpdated
            | HistoryKind::SpecialGroupRegistered => TimelineKind::File,
            HistoryKind::CheckIn
            | HistoryKind::Visit
            | HistoryKind::Call
            | HistoryKind::Complaint
            | HistoryKind::SupplyChange => TimelineKind::Visit,
        };
        let opens = if let Some(order) = order_of(&event.subject_id) {
            mentioned.push(order.id);
            Some(HouseholdEvent::OpenOrder {
                order_id: order.id.to_string(),
            })
        } else {
            form_of(&event.subject_id).map(|f| HouseholdEvent::OpenForm {
                form_id: f.id.to_string(),
            })
        };
        lines.push((
            event.at,
            line(cx, event.at, kind, cx.t(&event.summary), opens),
        ));
    }
    for form in forms.iter().filter(|f| f.seal.is_none()) {
        let title = phone_templates()
            .iter()
            .find(|t| t.id == form.template_id)
            .map_or_else(
                || said(&form.template_id, &form.template_id),
                |t| t.title.clone(),
            );
        let text = cx.say(
            &format!("草稿：{}（未签封）", title.zh),
            &format!("draft: {} (not sealed)", title.en),
        );
        let opens = Some(HouseholdEvent::OpenForm {
            form_id: form.id.to_string(),
        });
        lines.push((
            form.started_at,
            line(cx, form.started_at, TimelineKind::Draft, text, opens),
        ));
    }
    for order in file
        .work_orders
        .iter()
        .filter(|o| !mentioned.contains(&o.id))
    {
        let kind = order.kind.label();
        let status = order.status().label();
        let text = cx.say(
            &format!("工单 {}：{}，{}", order.number, kind.zh, status.zh),
            &format!("work order {}: {}, {}", order.number, kind.en, status.en),
        );
        let opens = Some(HouseholdEvent::OpenOrder {
            order_id: order.id.to_string(),
        });
        lines.push((
            order.reported_at,
            line(cx, order.reported_at, TimelineKind::Order, text, opens),
        ));
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.0));
    lines.into_iter().map(|(_, l)| l).collect()
}

fn line(
    cx: &Cx<'_>,
    at: DateTime<Utc>,
    kind: TimelineKind,
    text: String,
    opens: Option<HouseholdEvent>,
) -> TimelineLine {
    let when = format::moment(at, cx.now, cx.lang);
    let accessibility = if opens.is_some() {
        cx.say(
            &format!("{when}，{text}，点按打开"),
            &format!("{when}, {text}, tap to open"),
        )
    } else {
        cx.say(&format!("{when}，{text}"), &format!("{when}, {text}"))
    };
    TimelineLine {
        when,
        text,
        kind,
        opens,
        accessibility,
    }
}
