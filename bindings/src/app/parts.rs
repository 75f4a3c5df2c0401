//! The pieces several screens share (`doorstep_core::app::screens::parts`), and the level of a
//! countdown.

use doorstep_core::app::Level;
use doorstep_core::app::screens::parts::{Badge, BadgeKind, Countdown, Field};

#[uniffi::remote(Enum)]
pub enum Level {
    OnTime,
    DueSoon,
    Urgent,
    Late,
}

#[uniffi::remote(Record)]
pub struct Countdown {
    pub label: String,
    pub due: String,
    pub remaining: String,
    pub level: Level,
    pub met: bool,
    pub accessibility: String,
}

#[uniffi::remote(Enum)]
pub enum BadgeKind {
    SpecialGroup,
    Hazard,
    Appointment,
    Complaint,
    Major,
    Outage,
    ShutOff,
}

#[uniffi::remote(Record)]
pub struct Badge {
    pub kind: BadgeKind,
    pub label: String,
}

#[uniffi::remote(Record)]
pub struct Field {
    pub label: String,
    pub value: String,
}
