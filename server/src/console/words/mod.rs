//! Every text of the console, one table per language: [`ZH`] and [`EN`]. Each page's words
//! are a section of its own (`words/<page>.rs`), its Chinese and English side by side, so that
//! a text missing in one language does not compile.
//!
//! Texts with a value in them are functions of the value (`fn(usize) -> String`), so that
//! each language orders its own sentence.

pub mod board;
pub mod calls;
pub mod common;
pub mod complaints;
pub mod conflicts;
pub mod household;
pub mod inspections;
pub mod outages;
pub mod reports;
pub mod settlement;
pub mod sign_in;
pub mod special;
pub mod staff;

/// The console's two languages: Chinese unless the person chose English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn words(self) -> &'static Words {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The cookie's value and the page's `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The core's language, for texts the core words ([`doorstep_core::text`]).
    pub fn core(self) -> doorstep_core::text::Lang {
        match self {
            Lang::Zh => doorstep_core::text::Lang::Zh,
            Lang::En => doorstep_core::text::Lang::En,
        }
    }

    /// The other language: what the switch offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// One language's texts.
pub struct Words {
    pub common: common::Common,
    pub sign_in: sign_in::SignIn,
    pub calls: calls::Calls,
    pub board: board::Board,
    pub household: household::Household,
    pub inspections: inspections::Inspections,
    pub special: special::Special,
    pub outages: outages::Outages,
    pub complaints: complaints::Complaints,
    pub conflicts: conflicts::Conflicts,
    pub settlement: settlement::Settlement,
    pub reports: reports::Reports,
    pub staff: staff::Staff,
}

pub static ZH: Words = Words {
    common: common::ZH,
    sign_in: sign_in::ZH,
    calls: calls::ZH,
    board: board::ZH,
    household: household::ZH,
    inspections: inspections::ZH,
    special: special::ZH,
    outages: outages::ZH,
    complaints: complaints::ZH,
    conflicts: conflicts::ZH,
    settlement: settlement::ZH,
    reports: reports::ZH,
    staff: staff::ZH,
};

pub static EN: Words = Words {
    common: common::EN,
    sign_in: sign_in::EN,
    calls: calls::EN,
    board: board::EN,
    household: household::EN,
    inspections: inspections::EN,
    special: special::EN,
    outages: outages::EN,
    complaints: complaints::EN,
    conflicts: conflicts::EN,
    settlement: settlement::EN,
    reports: reports::EN,
    staff: staff::EN,
};
