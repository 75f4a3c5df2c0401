//! Copy screen: a copy for the customer (visit report, hazard rectification notice, fee receipt) as a self-contained HTML document to print or share.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use serde::{Deserialize, Serialize};

use super::{Cx, Outcome};
use crate::error::Result;
use crate::ids::FormId;

/// What the Copy screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyScreen {
    pub title: String,
}

/// What the user does on the Copy screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CopyEvent {
    Refresh,
}

/// Which paper is made for the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    /// The visit report of a sealed form (上门服务记录).
    VisitReport,
    /// The hazard rectification notice of a sealed form's failed checks (隐患整改通知书).
    HazardNotice,
    /// The receipt of the fees a sealed form collected (收费凭证).
    Receipt,
}

/// Which paper of which sealed form the Copy screen shows; kept on the back stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyInput {
    pub paper: Paper,
    pub form: FormId,
}

impl CopyInput {
    /// The visit report of the sealed form `form` (the Form and Work order screens push it).
    pub fn visit_report(form: FormId) -> Self {
        Self {
            paper: Paper::VisitReport,
            form,
        }
    }

    /// The hazard rectification notice of the sealed form `form`.
    pub fn hazard_notice(form: FormId) -> Self {
        Self {
            paper: Paper::HazardNotice,
            form,
        }
    }

    /// The fee receipt of the sealed form `form`.
    pub fn receipt(form: FormId) -> Self {
        Self {
            paper: Paper::Receipt,
            form,
        }
    }

    /// The input of a link's path `<paper>/<form id>` (`doorstep://copy/receipt/<id>`).
    pub fn parse_link(path: &str) -> Option<Self> {
        let (paper, form) = path.split_once('/')?;
        let paper = match paper {
            "visit_report" => Paper::VisitReport,
            "hazard_notice" => Paper::HazardNotice,
            "receipt" => Paper::Receipt,
            _ => return None,
        };
        Some(Self {
            paper,
            form: form.parse().ok()?,
        })
    }

    /// The link's path of this input: `<paper>/<form id>`.
    pub fn link_path(&self) -> String {
        let paper = match self.paper {
            Paper::VisitReport => "visit_report",
            Paper::HazardNotice => "hazard_notice",
            Paper::Receipt => "receipt",
        };
        format!("{paper}/{}", self.form)
    }
}

pub fn render(cx: &Cx<'_>, input: &CopyInput) -> Result<CopyScreen> {
    let _ = (input,);
    Ok(CopyScreen {
        title: cx.say("Copy", "Copy"),
    })
}

pub fn handle(cx: &mut Cx<'_>, input: &mut CopyInput, event: CopyEvent) -> Result<Outcome> {
    let _ = (cx, input, event);
    Ok(Outcome::stay())
}
