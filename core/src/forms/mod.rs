//! Forms: every visit ends in one. Templates are versioned data ([`template`]); a form holds
//! the answers of one visit ([`form`]), is validated against its template, and is sealed
//! ([`seal`]) into an unchangeable, hash-bound record; corrections are amendments.

pub mod builtin;
pub mod consequences;
pub mod decimal;
pub mod form;
pub mod seal;
pub mod template;

pub use decimal::Decimal;
pub use template::{FormKind, Template};
