//! Where the technician is: the back stack of routes, each with its unsaved input, which the
//! app keeps across the process being killed (`saved.rs`), and the deep links that open one.

use serde::{Deserialize, Serialize};

use crate::ids::{FormId, HouseholdId, OutageId, WorkOrderId};

use super::screens;

/// One screen on the back stack and the input typed on it that is not saved in the store yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)] // a back stack holds a handful
pub enum Route {
    Enroll(screens::enroll::EnrollInput),
    Today(screens::today::TodayInput),
    Household {
        id: HouseholdId,
    },
    WorkOrder {
        id: WorkOrderId,
    },
    Form(screens::form::FormInput),
    Signature(screens::signature::SignatureInput),
    Sync,
    Search(screens::search::SearchInput),
    Settings,
    /// A field action of the regulation (open an order, edit contact details, change an
    /// appointment, hand back an order) with its input.
    Action(screens::actions::ActionInput),
    Outage(screens::outage::OutageInput),
    Fees(screens::fees::FeesInput),
    Copy(screens::copy::CopyInput),
}

/// A link into the app, from a notification: `doorstep://order/<id>`,
/// `doorstep://household/<id>`, `doorstep://outage/<id>`, `doorstep://sync`, `doorstep://fees`,
/// `doorstep://copy/<paper>/<form id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Order(WorkOrderId),
    Household(HouseholdId),
    Outage(OutageId),
    Form(FormId),
    Sync,
    /// `doorstep://fees`: the day's fees and settlement (the end-of-day reminder to hand in).
    Fees,
    /// `doorstep://copy/<paper>/<form id>` (`visit_report`, `hazard_notice`, `receipt`): a
    /// copy for the customer of a sealed form.
    Copy(screens::copy::CopyInput),
}

impl Link {
    pub fn parse(link: &str) -> Option<Link> {
        let rest = link.strip_prefix("doorstep://")?;
        let (kind, id) = rest.split_once('/').unwrap_or((rest, ""));
        match kind {
            "order" => id.parse().ok().map(Link::Order),
            "household" => id.parse().ok().map(Link::Household),
            "outage" => id.parse().ok().map(Link::Outage),
            "form" => id.parse().ok().map(Link::Form),
            "sync" if id.is_empty() => Some(Link::Sync),
            "fees" if id.is_empty() => Some(Link::Fees),
            "copy" => screens::copy::CopyInput::parse_link(id).map(Link::Copy),
            _ => None,
        }
    }

    pub fn to_link(&self) -> String {
        match self {
            Link::Order(id) => format!("doorstep://order/{id}"),
            Link::Household(id) => format!("doorstep://household/{id}"),
            Link::Outage(id) => format!("doorstep://outage/{id}"),
            Link::Form(id) => format!("doorstep://form/{id}"),
            Link::Sync => "doorstep://sync".into(),
            Link::Fees => "doorstep://fees".into(),
            Link::Copy(input) => format!("doorstep://copy/{}", input.link_path()),
        }
    }
}
