//! Backups (Art.15: business data backed up at least weekly, important data immediately),
//! issue 27.
//!
//! On SQLite (the embedded default) the server backs itself up: the database online, with the
//! photo directory, on a schedule and on demand, each backup checked after it is written, kept
//! by a documented rotation; important data copied within minutes of being acknowledged. On
//! PostgreSQL and S3 the database's and the object store's own tools do it
//! (docs/operations.md).
//!
//! The server's generation (a value kept in the database, changed by a restore) tells the
//! phones that the server they sync with was restored: they push again what it acknowledged
//! and they still keep (docs/operations.md, "No acknowledged work is lost").
