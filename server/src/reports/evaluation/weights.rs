//! The evaluation's items, targets and weights (issue 27): the defaults and the TOML file a
//! utility writes to match its own scoring sheet (`<data>/evaluation.toml`), validated with
//! the item and the field named.

use std::collections::BTreeMap;
use std::path::Path;

use doorstep_core::InvalidInput;
use doorstep_core::text::{Text, said};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::reports::ReportKind;

/// The evaluation's items and their weights (configuration; defaults in docs/reports.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    #[serde(rename = "item")]
    pub items: Vec<Item>,
}

/// One line of the sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// A short stable name (`deadlines_met`): what an error names.
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    /// The report the figure comes from.
    pub report: ReportKind,
    /// Only the rows whose cell in a column reads so (in either language): `clause =
    /// "complaint answered"`.
    #[serde(default, rename = "where", skip_serializing_if = "BTreeMap::is_empty")]
    pub rows_where: BTreeMap<String, String>,
    /// The columns whose sum is the part…
    pub count: Vec<String>,
    /// …of the sum of these.
    pub of: Vec<String>,
    /// The share that earns full marks, as a person writes it: `"95%"`, `"97.5%"`.
    pub target: String,
    /// Points out of 100.
    pub weight: u32,
    #[serde(default)]
    pub rule: Rule,
}

/// How an item's figure becomes its score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Full marks at or above the target, in proportion below it.
    #[default]
    Proportional,
    /// Full marks at or above the target, none below.
    AllOrNothing,
}

fn item(
    id: &str,
    title: (&str, &str),
    report: ReportKind,
    count: &[&str],
    of: &[&str],
    target: &str,
    weight: u32,
) -> Item {
    let strings = |s: &[&str]| s.iter().map(|c| c.to_string()).collect();
    Item {
        id: id.into(),
        title_zh: title.0.into(),
        title_en: title.1.into(),
        report,
        rows_where: BTreeMap::new(),
        count: strings(count),
        of: strings(of),
        target: target.into(),
        weight,
        rule: Rule::Proportional,
    }
}

impl Default for Weights {
    /// Our defaults (docs/reports.md): deadlines and inspections weigh most, as the regulation
    /// does (Art.7); then what the users say; then the money handed over daily (Art.14).
    fn default() -> Self {
        let decided = ["met", "met_late", "breached"];
        Self {
            items: vec![
                item(
                    "deadlines_met",
                    ("时限达标率", "deadlines met in time"),
                    ReportKind::Compliance,
                    &["met"],
                    &decided,
                    "95%",
                    30,
                ),
                item(
                    "inspection_coverage",
                    ("安检覆盖率", "inspection coverage"),
                    ReportKind::Coverage,
                    &["inspected_due"],
                    &["due"],
                    "95%",
                    25,
                ),
                item(
                    "complaints_answered_in_time",
                    ("投诉按时答复率", "complaints answered in time"),
                    ReportKind::Compliance,
                    &["met"],
                    &decided,
                    "100%",
                    10,
                )
                .only_where("clause", "complaint answered"),
                item(
                    "complaints_accepted",
                    ("投诉答复认可率", "complaint answers accepted"),
                    ReportKind::Complaints,
                    &["accepted"],
                    &["accepted", "not_accepted"],
                    "90%",
                    5,
                ),
                item(
                    "satisfaction",
                    ("回访满意率", "satisfied on return visits"),
                    ReportKind::Satisfaction,
                    &["satisfied"],
                    &["visits_scored"],
                    "90%",
                    15,
                ),
                item(
                    "return_visits_on_time",
                    ("按时回访率", "return visits on time"),
                    ReportKind::Satisfaction,
                    &["on_time"],
                    &["on_time", "late", "overdue"],
                    "95%",
                    5,
                ),
                item(
                    "settlement_balanced",
                    ("日清日结相符率", "days settled and balanced"),
                    ReportKind::Work,
                    &["balanced_days"],
                    &["settled_days", "unsettled_days"],
                    "100%",
                    10,
                ),
            ],
        }
    }
}

impl Weights {
    /// The weights in `path` (`<data>/evaluation.toml`) when it exists, else the defaults.
    /// A file that cannot be read as weights is refused with the item and field named.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(Error::Invalid(format!(
                    "evaluation.toml: cannot be read ({})",
                    e.kind()
                )));
            }
        };
        Self::parse(&text)
    }

    /// Weights written as TOML, validated.
    pub fn parse(text: &str) -> Result<Self> {
        let weights: Weights = toml::from_str(text).map_err(|e| {
            InvalidInput::new(
                "evaluation.toml",
                said(
                    format!("无法读取：{}", e.message()),
                    format!("cannot be read: {}", e.message()),
                ),
            )
        })?;
        weights.validate()?;
        Ok(weights)
    }

    /// Every item complete and sensible, ids unique, the weights adding up to 100.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        let mut seen = std::collections::BTreeSet::new();
        for item in &self.items {
            let field = |name: &str| format!("{}.{name}", item.id);
            if item.id.trim().is_empty() {
                return Err(InvalidInput::new(
                    "item.id",
                    said("每一项都要有 id", "every item needs an id"),
                ));
            }
            if !seen.insert(item.id.as_str()) {
                return Err(InvalidInput::new(
                    field("id"),
                    said("id 重复", "the id is used twice"),
                ));
            }
            for (name, text) in [("title_zh", &item.title_zh), ("title_en", &item.title_en)] {
                if text.trim().is_empty() {
                    return Err(InvalidInput::new(
                        field(name),
                        said("名称不能为空", "the title is empty"),
                    ));
                }
            }
            if item.report == ReportKind::Evaluation {
                return Err(InvalidInput::new(
                    field("report"),
                    said(
                        "考核表不能取自考核表本身",
                        "an item cannot come from the evaluation itself",
                    ),
                ));
            }
            for (name, columns) in [("count", &item.count), ("of", &item.of)] {
                if columns.is_empty() || columns.iter().any(|c| c.trim().is_empty()) {
                    return Err(InvalidInput::new(
                        field(name),
                        said("须列出报表的列", "list the report's columns"),
                    ));
                }
            }
            item.target_basis_points()?;
        }
        let sum: u64 = self.items.iter().map(|i| u64::from(i.weight)).sum();
        if sum != 100 {
            return Err(InvalidInput::new(
                "weight",
                said(
                    format!("各项权重之和须为100，现为{sum}"),
                    format!("the weights must add up to 100, not {sum}"),
                ),
            ));
        }
        Ok(())
    }
}

impl Item {
    /// Only the rows whose cell in `column` reads `words`.
    fn only_where(mut self, column: &str, words: &str) -> Self {
        self.rows_where.insert(column.into(), words.into());
        self
    }

    pub fn title(&self) -> Text {
        said(&self.title_zh, &self.title_en)
    }

    /// The target in basis points: `"97.5%"` is 9750. Digits, at most two decimals, a `%`,
    /// above 0 and at most 100 %.
    pub fn target_basis_points(&self) -> Result<i64, InvalidInput> {
        let refused = || {
            InvalidInput::new(
                format!("{}.target", self.id),
                said(
                    "目标须为0到100之间的百分数，如 \"95%\"",
                    "the target is a percentage above 0 and at most 100, like \"95%\"",
                ),
            )
        };
        let number = self.target.trim().strip_suffix('%').ok_or_else(refused)?;
        let (whole, decimals) = number.split_once('.').unwrap_or((number, ""));
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || decimals.len() > 2 || !(decimals.is_empty() || digits(decimals)) {
            return Err(refused());
        }
        let whole: i64 = whole.parse().map_err(|_| refused())?;
        let hundredths: i64 = format!("{decimals:0<2}").parse().map_err(|_| refused())?;
        let bp = whole * 100 + hundredths;
        if bp <= 0 || bp > 10_000 {
            return Err(refused());
        }
        Ok(bp)
    }

    /// The score for `figure` (basis points; `None`: nothing to judge) in hundredths of a
    /// point. Nothing to judge earns full marks: no deadline was missed, no answer refused.
    pub fn score(&self, figure: Option<i64>, target: i64) -> i64 {
        let full = i64::from(self.weight) * 100;
        let Some(figure) = figure else { return full };
        match self.rule {
            _ if figure >= target => full,
            Rule::AllOrNothing => 0,
            Rule::Proportional => (full * figure.max(0) * 2 + target).div_euclid(2 * target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_weights_add_up_to_100_and_read_back_from_their_toml() {
        let defaults = Weights::default();
        defaults.validate().unwrap();
        let text = toml::to_string(&defaults).unwrap();
        assert_eq!(Weights::parse(&text).unwrap(), defaults);
    }

    #[test]
    fn a_target_is_a_percentage_read_exactly() {
        let mut item = Weights::default().items.remove(0);
        for (text, bp) in [
            ("95%", 9500),
            ("97.5%", 9750),
            ("0.01%", 1),
            ("100%", 10_000),
        ] {
            item.target = text.into();
            assert_eq!(item.target_basis_points(), Ok(bp), "{text}");
        }
        for bad in [
            "95", "0%", "100.01%", "9.555%", "-5%", "abc%", "95 %", "1e2%",
        ] {
            item.target = bad.into();
            assert_eq!(
                item.target_basis_points().unwrap_err().field,
                "deadlines_met.target",
                "{bad}"
            );
        }
    }

    #[test]
    fn an_item_scores_full_marks_at_its_target_and_in_proportion_below() {
        let mut item = Weights::default().items.remove(0);
        assert_eq!(item.weight, 30);
        assert_eq!(item.score(Some(9500), 9500), 3000);
        assert_eq!(item.score(Some(10_000), 9500), 3000);
        // 80 % of a 95 % target: 30 × 80/95 = 25.263… points.
        assert_eq!(item.score(Some(8000), 9500), 2526);
        assert_eq!(item.score(None, 9500), 3000);
        item.rule = Rule::AllOrNothing;
        assert_eq!(item.score(Some(9499), 9500), 0);
        assert_eq!(item.score(Some(9500), 9500), 3000);
    }

    #[test]
    fn bad_weights_are_refused_naming_the_item_and_field() {
        let mut w = Weights::default();
        w.items[1].weight += 1;
        let e = w.validate().unwrap_err();
        assert_eq!(e.field, "weight");
        assert!(e.reason.contains("101"), "{}", e.reason);

        let mut w = Weights::default();
        w.items[2].count.clear();
        assert_eq!(
            w.validate().unwrap_err().field,
            "complaints_answered_in_time.count"
        );

        let mut w = Weights::default();
        w.items[3].report = ReportKind::Evaluation;
        assert_eq!(
            w.validate().unwrap_err().field,
            "complaints_accepted.report"
        );

        let mut w = Weights::default();
        w.items[4].id = w.items[0].id.clone();
        assert_eq!(w.validate().unwrap_err().field, "deadlines_met.id");

        let unknown = "[[item]]\nid = \"x\"\ncolour = \"red\"\n";
        match Weights::parse(unknown).unwrap_err() {
            Error::InvalidInput(e) => {
                assert_eq!(e.field, "evaluation.toml");
                assert!(e.reason.contains("colour"), "{}", e.reason);
            }
            other => panic!("{other:?}"),
        }
    }
}
