//! Locked screen: the app locks after its idle time (in the background, or left untouched in
//! the foreground); only the platform's PIN or biometric prompt (the `Unlock` effect) opens it.
//! Unlock on this screen (`Event::Unlock`) asks for the prompt again.

use super::{Action, Cx};
use crate::error::Result;
use crate::text::said;

/// What the Locked screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LockedScreen {
    pub title: String,
    pub message: String,
    pub unlock: Action,
}

pub fn render(cx: &Cx<'_>) -> Result<LockedScreen> {
    Ok(LockedScreen {
        title: cx.say("已锁定", "Locked"),
        message: cx.say(
            "为保护用户信息，应用闲置后已锁定。请验证身份以继续。",
            "The app locked after being left idle, to protect households' data. Confirm it is you to go on.",
        ),
        unlock: Action::new(cx, &said("解锁", "Unlock"), true),
    })
}
