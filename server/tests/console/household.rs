//! Console tests (issue 26): household.
