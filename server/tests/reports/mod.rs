//! Reports in the company's standard shapes and the yearly evaluation (issue 27): known data
//! in, known figures out, for every report; the files read back equal to the page.

mod compliance_coverage;
mod exports;
mod satisfaction_work;
