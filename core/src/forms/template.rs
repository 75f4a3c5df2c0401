//! Form templates: versioned data, not code. A template is JSON (format in `docs/forms.md`),
//! validated when loaded; a form keeps the exact template id and version it was started on.

use crate::text::{Text, said};
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::decimal::Decimal;
use crate::InvalidInput;
/// Who signs: a template names the signatures a form needs by role.
pub use crate::media::signature::SignerRole;

/// What a form is for; decides what sealing it changes (see `forms::consequences`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl FormKind {
    pub fn is_inspection(self) -> bool {
        matches!(
            self,
            FormKind::ResidentialInspection | FormKind::NonResidentialInspection
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Stable name of the template, e.g. `residential_inspection`.
    pub id: String,
    /// Increases with every published change; a started form keeps its version.
    pub version: u32,
    pub kind: FormKind,
    pub title: Text,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub items: Vec<Item>,
}

// No `deny_unknown_fields` here: serde cannot combine it with `flatten`. The flattened
// `ItemKind` denies them instead, so a misspelt key in an item is still an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Unique within the template; answers are keyed by it.
    pub id: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    #[serde(default)]
    pub required: bool,
    /// The item is shown (and validated) only when another item's answer matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_when: Option<Condition>,
    #[serde(flatten)]
    pub kind: ItemKind,
}

/// `item`'s answer is one of `is`: a check result (`pass`, `fail`, `na`), a choice id (for a
/// multiple choice: any of them selected), or `true` / `false` for… nothing else: keep it small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub item: String,
    pub is: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ItemKind {
    /// Pass / fail / not applicable. A failed check may be a hazard.
    Check {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hazard: Option<HazardRule>,
    },
    Number {
        unit: Unit,
        #[serde(default)]
        decimals: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<Decimal>,
    },
    Text {
        #[serde(default = "default_max_len")]
        max_len: u32,
        #[serde(default)]
        multiline: bool,
    },
    SingleChoice {
        choices: Vec<Choice>,
    },
    MultipleChoice {
        choices: Vec<Choice>,
        #[serde(default)]
        min: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
    },
    Date,
    DateTime,
    /// A meter reading in m³ with up to three decimals.
    MeterReading,
    Photo {
        #[serde(default)]
        min: u32,
        max: u32,
    },
    Signature {
        role: SignerRole,
    },
    /// The device's GPS position at the moment of capture.
    Location,
    /// Fees collected on site (Art.14): charge lines in fen, the payment method, the receipt
    /// number (`fees::Charges`).
    Charges,
}

fn default_max_len() -> u32 {
    500
}

/// What a failed check means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HazardRule {
    pub grade: HazardGrade,
    /// A failed check needs at least one photo as evidence.
    #[serde(default)]
    pub photo_required: bool,
    /// A failed check needs rectification advice written for the customer.
    #[serde(default)]
    pub advice_required: bool,
    /// A failed check means gas is shut off on the spot (a leak, a flueless heater in a
    /// bathroom): sealing the form marks the household's supply shut off for a hazard.
    #[serde(default)]
    pub shut_off: bool,
}

/// 一般隐患 / 重大隐患: a major hazard also opens a follow-up order when the form is sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardGrade {
    General,
    Major,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unit {
    #[serde(rename = "kPa")]
    KiloPascal,
    #[serde(rename = "Pa")]
    Pascal,
    #[serde(rename = "%LEL")]
    PercentLel,
    #[serde(rename = "ppm")]
    Ppm,
    #[serde(rename = "m3")]
    CubicMetre,
    #[serde(rename = "m3/h")]
    CubicMetrePerHour,
    #[serde(rename = "min")]
    Minute,
    #[serde(rename = "m")]
    Metre,
    #[serde(rename = "year")]
    Year,
    #[serde(rename = "count")]
    Count,
    /// A score, e.g. satisfaction 1 to 5.
    #[serde(rename = "score")]
    Score,
}

impl Unit {
    /// What the form shows after the number, in each language (most symbols are the same in
    /// both; years and scores are words).
    pub fn label(self) -> Text {
        let (zh, en) = match self {
            Unit::KiloPascal => ("kPa", "kPa"),
            Unit::Pascal => ("Pa", "Pa"),
            Unit::PercentLel => ("%LEL", "%LEL"),
            Unit::Ppm => ("ppm", "ppm"),
            Unit::CubicMetre => ("m³", "m³"),
            Unit::CubicMetrePerHour => ("m³/h", "m³/h"),
            Unit::Minute => ("分钟", "min"),
            Unit::Metre => ("m", "m"),
            Unit::Year => ("年", "years"),
            Unit::Count => ("", ""),
            Unit::Score => ("分", "points"),
        };
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: Text,
}

impl Template {
    /// Parses and validates a template from its JSON text.
    pub fn from_json(json: &str) -> Result<Self, InvalidInput> {
        let template: Template = serde_json::from_str(json).map_err(|e| {
            InvalidInput::new(
                "template",
                said(
                    format!("不是有效的模板：{e}"),
                    format!("not a valid template: {e}"),
                ),
            )
        })?;
        template.validate()?;
        Ok(template)
    }

    /// Checks the template is usable: ids are unique and well-formed, labels exist in both
    /// languages, limits are consistent, conditions point at earlier check or choice items
    /// with values those items can take.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        check_id("template.id", &self.id)?;
        if self.version == 0 {
            return Err(InvalidInput::new(
                "template.version",
                said("版本号从1开始", "versions start at 1"),
            ));
        }
        check_text("template.title", &self.title)?;
        if self.sections.is_empty() {
            return Err(InvalidInput::new(
                "template.sections",
                said(
                    "模板至少需要一个部分",
                    "a template needs at least one section",
                ),
            ));
        }
        let mut section_ids = HashSet::new();
        let mut seen: HashMap<&str, &Item> = HashMap::new();
        for section in &self.sections {
            let at = format!("template.sections.{}", section.id);
            check_id(&at, &section.id)?;
            if !section_ids.insert(section.id.as_str()) {
                return Err(InvalidInput::new(
                    at,
                    said("部分编号重复", "section id used twice"),
                ));
            }
            check_text(&format!("{at}.title"), &section.title)?;
            if section.items.is_empty() {
                return Err(InvalidInput::new(
                    at,
                    said("每个部分至少需要一项", "a section needs at least one item"),
                ));
            }
            for item in &section.items {
                let at = format!("template.items.{}", item.id);
                check_id(&at, &item.id)?;
                if seen.contains_key(item.id.as_str()) {
                    return Err(InvalidInput::new(
                        at,
                        said("项目编号重复", "item id used twice"),
                    ));
                }
                item.validate(&at, &seen)?;
                seen.insert(&item.id, item);
            }
        }
        Ok(())
    }

    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|i| i.id == id)
    }
}

impl Item {
    fn validate(&self, at: &str, earlier: &HashMap<&str, &Item>) -> Result<(), InvalidInput> {
        check_text(&format!("{at}.label"), &self.label)?;
        if let Some(help) = &self.help {
            check_text(&format!("{at}.help"), help)?;
        }
        match &self.kind {
            ItemKind::Number {
                decimals, min, max, ..
            } => {
                if *decimals > 6 {
                    return Err(InvalidInput::new(
                        at,
                        said("最多6位小数", "at most 6 decimals"),
                    ));
                }
                if let (Some(min), Some(max)) = (min, max)
                    && min > max
                {
                    return Err(InvalidInput::new(
                        at,
                        said("最小值大于最大值", "min is above max"),
                    ));
                }
            }
            ItemKind::Text { max_len, .. } if *max_len == 0 || *max_len > 10_000 => {
                return Err(InvalidInput::new(
                    at,
                    said("max_len 须为1到10000", "max_len must be 1 to 10000"),
                ));
            }
            ItemKind::SingleChoice { choices } => check_choices(at, choices)?,
            ItemKind::MultipleChoice { choices, min, max } => {
                check_choices(at, choices)?;
                if max.is_some_and(|max| max < *min || max as usize > choices.len())
                    || *min as usize > choices.len()
                {
                    return Err(InvalidInput::new(
                        at,
                        said(
                            "min 和 max 必须与选项个数相符",
                            "min and max must fit the number of choices",
                        ),
                    ));
                }
            }
            ItemKind::Photo { min, max } if *max == 0 || min > max || *max > 20 => {
                return Err(InvalidInput::new(
                    at,
                    said(
                        "照片数量须满足 0 <= min <= max，1 <= max <= 20",
                        "photo count needs 0 <= min <= max, 1 <= max <= 20",
                    ),
                ));
            }
            _ => {}
        }
        if let Some(condition) = &self.visible_when {
            let Some(target) = earlier.get(condition.item.as_str()) else {
                return Err(InvalidInput::new(
                    at,
                    said(
                        "visible_when 必须指向排在它之前的项",
                        "visible_when must name an item that comes before it",
                    ),
                ));
            };
            let allowed: Vec<&str> = match &target.kind {
                ItemKind::Check { .. } => vec!["pass", "fail", "na"],
                ItemKind::SingleChoice { choices } | ItemKind::MultipleChoice { choices, .. } => {
                    choices.iter().map(|c| c.id.as_str()).collect()
                }
                _ => {
                    return Err(InvalidInput::new(
                        at,
                        said(
                            "visible_when 只能引用检查项或选择项",
                            "visible_when may only look at a check or a choice",
                        ),
                    ));
                }
            };
            if condition.is.is_empty()
                || condition.is.iter().any(|v| !allowed.contains(&v.as_str()))
            {
                return Err(InvalidInput::new(
                    at,
                    said(
                        "visible_when 列出了该项不可能取的值",
                        "visible_when lists a value the item cannot take",
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether the item is a signature, and of whom.
    pub fn signer(&self) -> Option<SignerRole> {
        match self.kind {
            ItemKind::Signature { role } => Some(role),
            _ => None,
        }
    }
}

fn check_choices(at: &str, choices: &[Choice]) -> Result<(), InvalidInput> {
    if choices.len() < 2 {
        return Err(InvalidInput::new(
            at,
            said(
                "选择项至少需要两个选项",
                "a choice needs at least two options",
            ),
        ));
    }
    let mut ids = HashSet::new();
    for c in choices {
        check_id(&format!("{at}.choices"), &c.id)?;
        if !ids.insert(&c.id) {
            return Err(InvalidInput::new(
                at,
                said("选项编号重复", "choice id used twice"),
            ));
        }
        check_text(&format!("{at}.choices.{}", c.id), &c.label)?;
    }
    Ok(())
}

fn check_id(at: &str, id: &str) -> Result<(), InvalidInput> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::new(
            at,
            said(
                "编号须为1到64个字符，由a-z、0-9和_组成，以字母开头",
                "ids are 1 to 64 characters of a-z, 0-9 and _, starting with a letter",
            ),
        ))
    }
}

fn check_text(at: &str, text: &Text) -> Result<(), InvalidInput> {
    if text.zh.trim().is_empty() || text.en.trim().is_empty() {
        return Err(InvalidInput::new(
            at,
            said(
                "需要中文（zh）和英文（en）两种文字",
                "needs both a Chinese (zh) and an English (en) text",
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{
      "id": "hose_check", "version": 1, "kind": "residential_inspection",
      "title": {"zh": "软管检查", "en": "Hose check"},
      "sections": [{
        "id": "hose", "title": {"zh": "软管", "en": "Hose"},
        "items": [
          {"id": "hose_ok", "kind": "check", "required": true,
           "label": {"zh": "软管完好", "en": "Hose in good condition"},
           "hazard": {"grade": "major", "photo_required": true, "advice_required": true}},
          {"id": "hose_photo", "kind": "photo", "min": 1, "max": 3,
           "label": {"zh": "软管照片", "en": "Photo of the hose"},
           "visible_when": {"item": "hose_ok", "is": ["fail"]}},
          {"id": "leak_lel", "kind": "number", "unit": "%LEL", "decimals": 1, "min": 0, "max": "100",
           "label": {"zh": "检漏仪读数", "en": "Leak detector reading"}}
        ]
      }]
    }"#;

    #[test]
    fn a_template_loads_from_json() {
        let t = Template::from_json(SMALL).unwrap();
        assert_eq!(t.items().count(), 3);
        assert!(matches!(
            t.item("leak_lel").unwrap().kind,
            ItemKind::Number {
                unit: Unit::PercentLel,
                decimals: 1,
                ..
            }
        ));
    }

    #[test]
    fn a_misspelt_key_in_an_item_is_refused() {
        let bad = SMALL.replace("\"required\": true", "\"requried\": true");
        let err = Template::from_json(&bad).unwrap_err();
        assert!(err.reason.contains("requried"), "{err}");
    }

    #[test]
    fn broken_templates_say_what_is_wrong() {
        for (from, to, expect) in [
            ("\"is\": [\"fail\"]", "\"is\": [\"broken\"]", "cannot take"),
            (
                "\"item\": \"hose_ok\"",
                "\"item\": \"leak_lel\"",
                "comes before",
            ),
            ("\"zh\": \"软管照片\"", "\"zh\": \"\"", "Chinese"),
            (
                "\"min\": 1, \"max\": 3",
                "\"min\": 4, \"max\": 3",
                "photo count",
            ),
            ("\"id\": \"leak_lel\"", "\"id\": \"hose_ok\"", "used twice"),
            (
                "\"min\": 0, \"max\": \"100\"",
                "\"min\": 5, \"max\": \"1\"",
                "min is above max",
            ),
            ("\"version\": 1", "\"version\": 0", "versions start at 1"),
        ] {
            let err = Template::from_json(&SMALL.replace(from, to)).unwrap_err();
            assert!(err.reason.contains(expect), "{from} -> {to}: {err}");
        }
    }

    #[test]
    fn an_english_form_shows_no_chinese_unit() {
        let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for unit in [
            Unit::KiloPascal,
            Unit::Pascal,
            Unit::PercentLel,
            Unit::Ppm,
            Unit::CubicMetre,
            Unit::CubicMetrePerHour,
            Unit::Minute,
            Unit::Metre,
            Unit::Year,
            Unit::Count,
            Unit::Score,
        ] {
            assert!(!chinese(&unit.label().en), "{unit:?}: {:?}", unit.label());
        }
        assert_eq!(
            Unit::Score.label(),
            Text {
                zh: "分".into(),
                en: "points".into()
            }
        );
        assert_eq!(
            Unit::Year.label(),
            Text {
                zh: "年".into(),
                en: "years".into()
            }
        );
    }
}
