//! The texts of the console's report pages (issue 27): the reports in the company's standard
//! shapes and the yearly evaluation. The reports' own titles, columns and clause names are
//! the reports' ([`crate::reports`]), in both languages.

pub struct Reports {
    pub title: &'static str,
}

pub const ZH: Reports = Reports { title: "报表与考核" };

pub const EN: Reports = Reports { title: "Reports" };
