//! Console tests (issue 26): conflicts.
