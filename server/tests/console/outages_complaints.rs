//! Console tests (issue 26): outages_complaints.
