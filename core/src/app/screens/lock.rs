//! Locked screen: the app lock: the app is locked after its idle time; unlocking asks the platform's PIN or biometric.
//!
//! Skeleton: the records are filled in by the issue-23 work on this screen.

use super::{Cx, Outcome};
use crate::error::Result;

/// What the Locked screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LockedScreen {
    pub title: String,
}

pub fn render(cx: &Cx<'_>) -> Result<LockedScreen> {
    let _ = Outcome::stay();
    Ok(LockedScreen {
        title: cx.say("已锁定", "Locked"),
    })
}
