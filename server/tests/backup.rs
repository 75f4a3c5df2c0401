//! Backups that are restored in a test (issue 27).
