//! Console tests (issue 26): inspections_special.
