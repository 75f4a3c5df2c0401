//! Console tests (issue 26): escaped.
