//! Console tests (issue 26): calls.
