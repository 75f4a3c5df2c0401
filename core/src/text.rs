//! Text in the users' two languages: Chinese first (the users read it), English beside. Every
//! label, reason and line the core shows is one [`Text`]; neither language ever holds a
//! person's data.

use serde::{Deserialize, Serialize};

/// A label in the users' two languages: Chinese first (the users read it), English beside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Zh,
    En,
}

/// A text in both languages.
pub fn said(zh: impl Into<String>, en: impl Into<String>) -> Text {
    Text {
        zh: zh.into(),
        en: en.into(),
    }
}

/// `zh` and `en` of two texts joined the way each language joins them: `a：b` and `a: b`.
pub fn with_detail(head: &Text, detail: &Text) -> Text {
    said(
        format!("{}：{}", head.zh, detail.zh),
        format!("{}: {}", head.en, detail.en),
    )
}
