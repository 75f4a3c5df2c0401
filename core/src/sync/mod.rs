//! What the device and the server share to synchronise: the hybrid logical clock that stamps
//! every outbox operation, the protocol's messages, the per-field merge rules the server
//! applies, JSON read as it came (a push request's operations, a stored record's fields), and
//! the time a device's step counts at. The device's own side of sync is [`crate::device_sync`].

pub mod hlc;
pub mod merge;
pub mod protocol;
pub mod raw;
pub mod time;

pub use hlc::{Hlc, HlcClock};
