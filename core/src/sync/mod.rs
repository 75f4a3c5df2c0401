//! Synchronisation with the back office: the hybrid logical clock that stamps every outbox
//! operation, the protocol's messages, the per-field merge rules the server applies, the time a
//! device's step counts at, and the device's sync client.

pub mod client;
pub mod hlc;
pub mod merge;
pub mod protocol;
pub mod raw;
pub mod time;

pub use hlc::{Hlc, HlcClock};
