//! Satisfaction (Art.5(5), Art.16): the scores of one return visit kept as numbers, and their
//! aggregate per unit (district, crew, technician), period and kind of the order followed up.
//!
//! The scores are the return-visit form's (`return_visit.json`): four scores of 1 to 5 and an
//! overall satisfaction of four levels. They come from a sealed form ([`Scores::from_form`]) or
//! from the office after a call. Averages are integers in hundredths, never floats.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidInput;
use crate::complaint::check_operator;
use crate::forms::form::{Answer, Form};
use crate::ids::{CrewId, DistrictId, FormId, TechnicianId, WorkOrderId};
use crate::text::said;
use crate::workorder::WorkOrderKind;

/// The template whose sealed forms carry scores.
pub const RETURN_VISIT_TEMPLATE: &str = "return_visit";

/// The scores of one return visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Satisfaction {
    /// The return-visit order scored: one set of scores per visit (recording again replaces).
    pub visit: WorkOrderId,
    pub recorded_at: DateTime<Utc>,
    pub source: ScoreSource,
    pub scores: Scores,
}

/// Where the scores came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", content = "value", rename_all = "snake_case")]
pub enum ScoreSource {
    /// A sealed return-visit form filled on a phone.
    Form(FormId),
    /// The office after a call: the operator's login name.
    Office(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scores {
    pub overall: Overall,
    /// 1 to 5, 5 best.
    pub timeliness: u8,
    pub attitude: u8,
    pub quality: u8,
    pub safety_explanation: u8,
}

/// The form's overall satisfaction, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    VerySatisfied,
    Satisfied,
    Neutral,
    Dissatisfied,
}

impl Overall {
    pub const ALL: [Overall; 4] = [
        Overall::VerySatisfied,
        Overall::Satisfied,
        Overall::Neutral,
        Overall::Dissatisfied,
    ];

    /// The name the form's choice and the office's `--overall` use.
    pub fn as_str(self) -> &'static str {
        match self {
            Overall::VerySatisfied => "very_satisfied",
            Overall::Satisfied => "satisfied",
            Overall::Neutral => "neutral",
            Overall::Dissatisfied => "dissatisfied",
        }
    }

    /// Counted as satisfied in the satisfaction rate (满意率).
    pub fn is_satisfied(self) -> bool {
        matches!(self, Overall::VerySatisfied | Overall::Satisfied)
    }
}

/// The lowest and highest score.
pub const SCORE_RANGE: std::ops::RangeInclusive<u8> = 1..=5;

impl Scores {
    /// Each score within 1 to 5; the field named is the form item's.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        for (field, score) in [
            ("score_timeliness", self.timeliness),
            ("score_attitude", self.attitude),
            ("score_quality", self.quality),
            ("score_safety_explanation", self.safety_explanation),
        ] {
            check_score(field, i64::from(score))?;
        }
        Ok(())
    }

    /// The scores of a sealed return-visit form; `None` for a form of another template or not
    /// sealed. A score missing or out of range is refused, naming its item.
    pub fn from_form(form: &Form) -> Result<Option<Scores>, InvalidInput> {
        if form.template_id != RETURN_VISIT_TEMPLATE || form.seal.is_none() {
            return Ok(None);
        }
        let score = |item: &str| -> Result<u8, InvalidInput> {
            let missing = || InvalidInput::new(item, said("缺少评分", "the score is missing"));
            match form.answers.get(item) {
                Some(Answer::Number(n)) => {
                    let whole: i64 = n.to_string().parse().map_err(|_| out_of_range(item))?;
                    check_score(item, whole)?;
                    Ok(whole as u8)
                }
                _ => Err(missing()),
            }
        };
        let overall = match form.answers.get("overall_satisfaction") {
            Some(Answer::Choice(c)) => Overall::ALL
                .into_iter()
                .find(|o| o.as_str() == c)
                .ok_or_else(|| out_of_range("overall_satisfaction"))?,
            _ => {
                return Err(InvalidInput::new(
                    "overall_satisfaction",
                    said("缺少总体满意度", "the overall satisfaction is missing"),
                ));
            }
        };
        let scores = Scores {
            overall,
            timeliness: score("score_timeliness")?,
            attitude: score("score_attitude")?,
            quality: score("score_quality")?,
            safety_explanation: score("score_safety_explanation")?,
        };
        Ok(Some(scores))
    }
}

impl Satisfaction {
    pub fn validate(&self) -> Result<(), InvalidInput> {
        self.scores.validate()?;
        if let ScoreSource::Office(by) = &self.source {
            check_operator(by)?;
        }
        Ok(())
    }
}

fn check_score(field: &str, score: i64) -> Result<(), InvalidInput> {
    if (i64::from(*SCORE_RANGE.start())..=i64::from(*SCORE_RANGE.end())).contains(&score) {
        Ok(())
    } else {
        Err(out_of_range(field))
    }
}

fn out_of_range(field: &str) -> InvalidInput {
    InvalidInput::new(
        field,
        said(
            "评分须为1到5的整数",
            "a score is a whole number from 1 to 5",
        ),
    )
}

/// One scored visit with what it is aggregated by: the unit that did the work followed up,
/// and that work's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredVisit {
    pub scores: Scores,
    /// When the visit was scored: what the period is judged on.
    pub at: DateTime<Utc>,
    pub district: Option<DistrictId>,
    pub crew: Option<CrewId>,
    pub technician: Option<TechnicianId>,
    /// The kind of the order followed up (`None` for a complaint's return visit).
    pub followed_kind: Option<WorkOrderKind>,
}

/// What the aggregate is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    District,
    Crew,
    Technician,
}

impl UnitLevel {
    pub const ALL: [UnitLevel; 3] = [UnitLevel::District, UnitLevel::Crew, UnitLevel::Technician];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::District => "district",
            UnitLevel::Crew => "crew",
            UnitLevel::Technician => "technician",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "unit", content = "id", rename_all = "snake_case")]
pub enum Unit {
    District(DistrictId),
    Crew(CrewId),
    Technician(TechnicianId),
}

/// The scores of one unit and one kind of work over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    pub unit: Unit,
    pub followed_kind: Option<WorkOrderKind>,
    pub visits: u32,
    /// Sums of the four scores, in the order timeliness, attitude, quality, safety advice.
    pub sums: [u32; 4],
    /// How many visits gave each overall level, in the order of [`Overall::ALL`].
    pub overall: [u32; 4],
}

impl Aggregate {
    /// The mean of each score in hundredths (4.5 is 450), rounded half up.
    pub fn means_hundredths(&self) -> [u32; 4] {
        self.sums
            .map(|sum| (sum * 100 + self.visits / 2) / self.visits.max(1))
    }

    /// The share of visits satisfied or very satisfied, in hundredths of a percent (basis
    /// points: 8750 is 87.50 %), rounded half up.
    pub fn satisfied_basis_points(&self) -> u32 {
        let satisfied = self.overall[0] + self.overall[1];
        (satisfied * 10_000 + self.visits / 2) / self.visits.max(1)
    }
}

/// The scores of the visits scored in `[from, to)`, per unit of `level` and kind of the order
/// followed up. A visit with no unit at that level (a complaint about nobody's work) is left
/// out. Sorted by unit, then kind.
pub fn aggregate(
    visits: &[ScoredVisit],
    level: UnitLevel,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Aggregate> {
    let mut groups: BTreeMap<(Unit, Option<&'static str>), Aggregate> = BTreeMap::new();
    for v in visits.iter().filter(|v| from <= v.at && v.at < to) {
        let unit = match level {
            UnitLevel::District => v.district.map(Unit::District),
            UnitLevel::Crew => v.crew.map(Unit::Crew),
            UnitLevel::Technician => v.technician.map(Unit::Technician),
        };
        let Some(unit) = unit else { continue };
        let a = groups
            .entry((unit, v.followed_kind.map(WorkOrderKind::as_str)))
            .or_insert_with(|| Aggregate {
                unit,
                followed_kind: v.followed_kind,
                visits: 0,
                sums: [0; 4],
                overall: [0; 4],
            });
        let s = &v.scores;
        a.visits += 1;
        for (sum, score) in
            a.sums
                .iter_mut()
                .zip([s.timeliness, s.attitude, s.quality, s.safety_explanation])
        {
            *sum += u32::from(score);
        }
        let level = Overall::ALL
            .iter()
            .position(|o| *o == s.overall)
            .expect("every level is listed");
        a.overall[level] += 1;
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
    }

    fn scores(overall: Overall, all: u8) -> Scores {
        Scores {
            overall,
            timeliness: all,
            attitude: all,
            quality: all,
            safety_explanation: all,
        }
    }

    #[test]
    fn a_score_out_of_range_is_refused_naming_its_item() {
        let mut s = scores(Overall::Satisfied, 5);
        s.validate().unwrap();
        s.quality = 6;
        assert_eq!(s.validate().unwrap_err().field, "score_quality");
        s.quality = 0;
        assert_eq!(s.validate().unwrap_err().field, "score_quality");
    }

    #[test]
    fn a_sealed_return_visit_form_gives_its_scores_as_numbers() {
        use crate::forms::builtin::builtin_template;
        use crate::forms::decimal::Decimal;
        use crate::ids::HouseholdId;

        let template = builtin_template(RETURN_VISIT_TEMPLATE).unwrap();
        let mut form = Form::new(&template, HouseholdId::new(), None, t0());
        for (item, answer) in [
            ("score_timeliness", Answer::Number(Decimal::new(4, 0))),
            ("score_attitude", Answer::Number(Decimal::new(5, 0))),
            ("score_quality", Answer::Number(Decimal::new(3, 0))),
            (
                "score_safety_explanation",
                Answer::Number(Decimal::new(2, 0)),
            ),
            ("overall_satisfaction", Answer::Choice("neutral".into())),
        ] {
            form.answers.insert(item.into(), answer);
        }
        // A draft has no scores yet.
        assert_eq!(Scores::from_form(&form), Ok(None));
        form.seal = Some(crate::forms::seal::Seal {
            content_digest: String::new(),
            digest: String::new(),
            sealed_at: t0(),
        });
        assert_eq!(
            Scores::from_form(&form),
            Ok(Some(Scores {
                overall: Overall::Neutral,
                timeliness: 4,
                attitude: 5,
                quality: 3,
                safety_explanation: 2,
            }))
        );
        form.answers
            .insert("score_quality".into(), Answer::Number(Decimal::new(45, 1)));
        assert_eq!(Scores::from_form(&form).unwrap_err().field, "score_quality");
    }

    #[test]
    fn scores_are_aggregated_per_technician_period_and_kind_with_known_answers() {
        let (wu, li) = (TechnicianId::new(), TechnicianId::new());
        let district = DistrictId::new();
        let visit = |tech, day: i64, overall, all, kind| ScoredVisit {
            scores: scores(overall, all),
            at: t0() + Duration::days(day),
            district: Some(district),
            crew: None,
            technician: Some(tech),
            followed_kind: Some(kind),
        };
        let pipe = WorkOrderKind::PipelineFault;
        let equipment = WorkOrderKind::UserEquipmentFault;
        let visits = vec![
            visit(wu, 1, Overall::VerySatisfied, 5, pipe),
            visit(wu, 2, Overall::Satisfied, 4, pipe),
            visit(wu, 3, Overall::Dissatisfied, 2, pipe),
            visit(wu, 4, Overall::Neutral, 3, equipment),
            visit(li, 5, Overall::VerySatisfied, 5, pipe),
            // Outside the period (November): left out.
            visit(li, 40, Overall::Dissatisfied, 1, pipe),
        ];
        let november = (t0(), t0() + Duration::days(30));
        let per_technician = aggregate(&visits, UnitLevel::Technician, november.0, november.1);
        let wu_pipe = per_technician
            .iter()
            .find(|a| a.unit == Unit::Technician(wu) && a.followed_kind == Some(pipe))
            .unwrap();
        assert_eq!(wu_pipe.visits, 3);
        assert_eq!(wu_pipe.sums, [11; 4]);
        assert_eq!(wu_pipe.means_hundredths(), [367; 4]);
        assert_eq!(wu_pipe.overall, [1, 1, 0, 1]);
        assert_eq!(wu_pipe.satisfied_basis_points(), 6667);
        let li_pipe = per_technician
            .iter()
            .find(|a| a.unit == Unit::Technician(li))
            .unwrap();
        assert_eq!((li_pipe.visits, li_pipe.sums), (1, [5; 4]));
        assert_eq!(per_technician.len(), 3);

        let per_district = aggregate(&visits, UnitLevel::District, november.0, november.1);
        assert_eq!(per_district.len(), 2);
        let pipe_total: u32 = per_district
            .iter()
            .filter(|a| a.followed_kind == Some(pipe))
            .map(|a| a.visits)
            .sum();
        assert_eq!(pipe_total, 4);
        // Nobody is in a crew here: nothing per crew.
        assert!(aggregate(&visits, UnitLevel::Crew, november.0, november.1).is_empty());
    }
}
