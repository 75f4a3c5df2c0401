//! Form templates: what the form screen renders. Mirrors: units and bounds become words and
//! decimal text, a hazard's rule three plain fields, a condition a flag (the core decides what
//! is visible).

use doorstep_core::forms::template as core_template;

pub use doorstep_core::forms::template::{FormKind, HazardGrade, SignerRole};

use super::Label;

#[uniffi::remote(Enum)]
pub enum SignerRole {
    Customer,
    Technician,
    Witness,
}

#[uniffi::remote(Enum)]
pub enum HazardGrade {
    General,
    Major,
}

#[uniffi::remote(Enum)]
pub enum FormKind {
    ResidentialInspection,
    NonResidentialInspection,
    AcceptanceAndGasOn,
    ShutOff,
    Reconnection,
    RepairClosing,
    SpecialGroupRegistration,
    ReturnVisit,
    AbnormalUsePatrol,
    SafetyEducation,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Choice {
    pub id: String,
    pub label: Label,
}

/// What kind of answer an item takes.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ItemKind {
    Check {
        /// What a failed check means, when it is a hazard.
        hazard: Option<HazardGrade>,
        photo_required_on_fail: bool,
        advice_required_on_fail: bool,
    },
    Number {
        /// Shown after the number, in the user's language.
        unit: Label,
        decimals: u8,
        min: Option<String>,
        max: Option<String>,
    },
    Text {
        max_len: u32,
        multiline: bool,
    },
    SingleChoice {
        choices: Vec<Choice>,
    },
    MultipleChoice {
        choices: Vec<Choice>,
        min: u32,
        max: Option<u32>,
    },
    Date,
    DateTime,
    MeterReading,
    Photo {
        min: u32,
        max: u32,
    },
    Signature {
        role: SignerRole,
    },
    Location,
    /// Fees collected on site (`AnswerValue::Charges`).
    Charges,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Item {
    pub id: String,
    pub label: Label,
    pub help: Option<Label>,
    pub required: bool,
    /// Shown only when another item's answer matches (the core decides; see `visible_items`).
    pub conditional: bool,
    pub kind: ItemKind,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Section {
    pub id: String,
    pub title: Label,
    pub items: Vec<Item>,
}

/// A form template: what the form screen renders.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Template {
    pub id: String,
    pub version: u32,
    pub kind: FormKind,
    pub title: Label,
    pub sections: Vec<Section>,
}

impl From<core_template::Template> for Template {
    fn from(t: core_template::Template) -> Self {
        use core_template::ItemKind as K;
        let unit = |u: core_template::Unit| Label::from(u.label());
        Self {
            id: t.id,
            version: t.version,
            kind: t.kind,
            title: t.title.into(),
            sections: t
                .sections
                .into_iter()
                .map(|s| Section {
                    id: s.id,
                    title: s.title.into(),
                    items: s
                        .items
                        .into_iter()
                        .map(|i| Item {
                            id: i.id,
                            label: i.label.into(),
                            help: i.help.map(Into::into),
                            required: i.required,
                            conditional: i.visible_when.is_some(),
                            kind: match i.kind {
                                K::Check { hazard } => ItemKind::Check {
                                    hazard: hazard.as_ref().map(|h| h.grade),
                                    photo_required_on_fail: hazard
                                        .as_ref()
                                        .is_some_and(|h| h.photo_required),
                                    advice_required_on_fail: hazard
                                        .as_ref()
                                        .is_some_and(|h| h.advice_required),
                                },
                                K::Number {
                                    unit: u,
                                    decimals,
                                    min,
                                    max,
                                } => ItemKind::Number {
                                    unit: unit(u),
                                    decimals,
                                    min: min.map(|m| m.to_string()),
                                    max: max.map(|m| m.to_string()),
                                },
                                K::Text { max_len, multiline } => {
                                    ItemKind::Text { max_len, multiline }
                                }
                                K::SingleChoice { choices } => ItemKind::SingleChoice {
                                    choices: choices_of(choices),
                                },
                                K::MultipleChoice { choices, min, max } => {
                                    ItemKind::MultipleChoice {
                                        choices: choices_of(choices),
                                        min,
                                        max,
                                    }
                                }
                                K::Date => ItemKind::Date,
                                K::DateTime => ItemKind::DateTime,
                                K::MeterReading => ItemKind::MeterReading,
                                K::Photo { min, max } => ItemKind::Photo { min, max },
                                K::Signature { role } => ItemKind::Signature { role },
                                K::Location => ItemKind::Location,
                                K::Charges => ItemKind::Charges,
                            },
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

fn choices_of(choices: Vec<core_template::Choice>) -> Vec<Choice> {
    choices
        .into_iter()
        .map(|c| Choice {
            id: c.id,
            label: c.label.into(),
        })
        .collect()
}
