//! Staff accounts (issue 26): created with `doorstep admin staff add` (the first
//! administrator at set-up), roles, districts, argon2 password hashes, deactivation.
