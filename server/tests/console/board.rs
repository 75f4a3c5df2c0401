//! Console tests (issue 26): board.
