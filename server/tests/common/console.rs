//! A console client for the tests: signs a member of staff in and keeps the session cookie
//! and the CSRF token (issue 26; built with the sign-in).
