//! Synchronisation with the back office. This issue holds only the clock that stamps every
//! outbox operation; the protocol and the client come with the sync issue.

pub mod hlc;

pub use hlc::{Hlc, HlcClock};
