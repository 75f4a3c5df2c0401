//! Console tests (issue 26): auth.
