//! The yearly evaluation sheet of a unit (Art.19–22, issue 27), built from the other reports
//! with the weights the utility sets.
//!
//! The company's scoring sheet is not in our documents: the items, targets and weights here
//! are our defaults (docs/reports.md), and a utility matches its own in `<data>/evaluation.toml`
//! ([`Weights::load`]). Each item reads its figure from another report's main table, the same
//! table the office sees: the sum of some count columns over the sum of others (`count` of
//! `of`), in the report's totals rows (the unit asked for, the dispatcher's districts or the
//! city) and in each unit's rows for the sheet per unit. So an item is a pointer into a report,
//! never a second computation of a rule.

mod weights;

use std::collections::BTreeMap;

use doorstep_core::InvalidInput;
use doorstep_core::text::{Text, said};

pub use self::weights::{Item, Rule, Weights};
use super::{Cell, Chart, ChartUnit, Column, Params, Report, Series, Table};
use crate::error::{Error, Result};
use crate::storage::Tx;

/// An item's figure in some rows of its report: the part, the whole, and the share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    pub count: i64,
    pub of: i64,
}

impl Figure {
    pub fn share(&self) -> Option<i64> {
        Cell::share(self.count, self.of).figure()
    }
}

/// The label of the totals rows every report ends with.
fn is_total(row: &[Cell]) -> bool {
    matches!(row.first(), Some(Cell::Words(t)) if t.en == "total")
}

fn reads(cell: &Cell, expected: &str) -> bool {
    match cell {
        Cell::Words(t) => t.zh == expected || t.en == expected,
        Cell::Text(t) => t == expected,
        _ => false,
    }
}

/// `item`'s figure in the rows of `table` that `take` keeps (and its `where` lets in).
/// A column the table does not have is refused, naming the item and the field.
pub fn figure(item: &Item, table: &Table, take: impl Fn(&[Cell]) -> bool) -> Result<Figure> {
    let index = |field: &str, key: &str| {
        table
            .columns
            .iter()
            .position(|c| c.key == key)
            .ok_or_else(|| {
                InvalidInput::new(
                    format!("{}.{field}", item.id),
                    said(
                        format!("报表中没有“{key}”这一列"),
                        format!("the report has no column \"{key}\""),
                    ),
                )
            })
    };
    let filters = item
        .rows_where
        .iter()
        .map(|(key, value)| Ok((index("where", key)?, value.as_str())))
        .collect::<Result<Vec<_>, InvalidInput>>()?;
    let count = item
        .count
        .iter()
        .map(|k| index("count", k))
        .collect::<Result<Vec<_>, _>>()?;
    let of = item
        .of
        .iter()
        .map(|k| index("of", k))
        .collect::<Result<Vec<_>, _>>()?;
    let mut f = Figure { count: 0, of: 0 };
    for row in table.rows.iter().filter(|r| take(r)) {
        if !filters
            .iter()
            .all(|(i, v)| row.get(*i).is_some_and(|c| reads(c, v)))
        {
            continue;
        }
        let sum = |columns: &[usize]| -> i64 {
            columns
                .iter()
                .filter_map(|i| row.get(*i).and_then(Cell::figure))
                .sum()
        };
        f.count += sum(&count);
        f.of += sum(&of);
    }
    Ok(f)
}

pub fn report(tx: &mut dyn Tx, params: &Params, weights: &Weights) -> Result<Report> {
    weights.validate()?;
    let mut sources: BTreeMap<&'static str, Report> = BTreeMap::new();
    for item in &weights.items {
        if !sources.contains_key(item.report.as_str()) {
            let asked = Params {
                kind: item.report,
                ..params.clone()
            };
            sources.insert(item.report.as_str(), super::compute(tx, &asked, weights)?);
        }
    }
    let unit_name = sources
        .values()
        .next()
        .map_or_else(|| said("全市", "whole city"), |r| r.unit_name.clone());
    lay_out(params, weights, &sources, unit_name)
}

/// The sheet from the source reports (one per report kind the items read).
pub fn lay_out(
    params: &Params,
    weights: &Weights,
    sources: &BTreeMap<&'static str, Report>,
    unit_name: Text,
) -> Result<Report> {
    let source = |item: &Item| -> Result<&Report> {
        sources
            .get(item.report.as_str())
            .ok_or_else(|| Error::Internal("an evaluation source was not computed".into()))
    };
    let mut rows = Vec::new();
    let mut total = 0;
    let mut chart_scores = Vec::new();
    for item in &weights.items {
        let target = item.target_basis_points()?;
        let f = figure(item, &source(item)?.main, is_total)?;
        let score = item.score(f.share(), target);
        total += score;
        chart_scores.push(score);
        rows.push(vec![
            Cell::Words(item.title()),
            Cell::Words(source(item)?.title.clone()),
            Cell::Count(f.count),
            Cell::Count(f.of),
            f.share().map_or(Cell::Empty, Cell::BasisPoints),
            Cell::BasisPoints(target),
            Cell::Count(i64::from(item.weight)),
            Cell::Hundredths(score),
        ]);
    }
    rows.push(vec![
        Cell::Words(said("合计", "total")),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Count(weights.items.iter().map(|i| i64::from(i.weight)).sum()),
        Cell::Hundredths(total),
    ]);

    // The sheet of each unit: the units named in the sources' rows, in the order met.
    let mut units: Vec<Text> = Vec::new();
    for report in sources.values() {
        for row in report.main.rows.iter().filter(|r| !is_total(r)) {
            if let Some(Cell::Words(name)) = row.first()
                && !units.contains(name)
            {
                units.push(name.clone());
            }
        }
    }
    let mut per_unit = Vec::new();
    for name in &units {
        let of_unit = |row: &[Cell]| matches!(row.first(), Some(Cell::Words(n)) if n == name);
        let mut unit_total = 0;
        for item in &weights.items {
            let target = item.target_basis_points()?;
            let f = figure(item, &source(item)?.main, of_unit)?;
            let score = item.score(f.share(), target);
            unit_total += score;
            per_unit.push(vec![
                Cell::Words(name.clone()),
                Cell::Words(item.title()),
                f.share().map_or(Cell::Empty, Cell::BasisPoints),
                Cell::Hundredths(score),
            ]);
        }
        per_unit.push(vec![
            Cell::Words(name.clone()),
            Cell::Words(said("合计", "total")),
            Cell::Empty,
            Cell::Hundredths(unit_total),
        ]);
    }

    Ok(Report {
        params: params.clone(),
        made_at: params.now,
        title: said("年度考核", "Yearly evaluation"),
        unit_name,
        main: Table {
            name: "evaluation",
            title: said("考核评分表", "Evaluation sheet"),
            columns: vec![
                Column::new("item", "考核项目", "item"),
                Column::new("source", "数据来源", "source"),
                Column::new("count", "达标数", "counted"),
                Column::new("of", "总数", "of"),
                Column::new("figure", "实际值", "figure"),
                Column::new("target", "目标值", "target"),
                Column::new("weight", "权重", "weight"),
                Column::new("score", "得分", "score"),
            ],
            rows,
        },
        details: vec![Table {
            name: "by_unit",
            title: said("各单位得分", "Scores per unit"),
            columns: vec![
                Column::new("unit", "单位", "unit"),
                Column::new("item", "考核项目", "item"),
                Column::new("figure", "实际值", "figure"),
                Column::new("score", "得分", "score"),
            ],
            rows: per_unit,
        }],
        chart: Chart {
            title: said("各项得分与满分", "Score and full marks per item"),
            labels: weights.items.iter().map(|i| i.title_zh.clone()).collect(),
            series: vec![
                Series {
                    name: said("得分", "score"),
                    values: chart_scores,
                },
                Series {
                    name: said("满分", "full marks"),
                    values: weights
                        .items
                        .iter()
                        .map(|i| i64::from(i.weight) * 100)
                        .collect(),
                },
            ],
            unit: ChartUnit::Hundredths,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_sums_its_columns_over_the_rows_taken_and_names_a_missing_column() {
        let table = Table {
            name: "t",
            title: said("t", "t"),
            columns: vec![
                Column::new("unit", "单位", "unit"),
                Column::new("clause", "条款", "clause"),
                Column::new("met", "按时", "met"),
                Column::new("met_late", "超时完成", "met late"),
                Column::new("breached", "超时未完成", "breached"),
            ],
            rows: vec![
                vec![
                    Cell::Words(said("西湖", "西湖")),
                    Cell::Words(said("投诉答复", "complaint answered")),
                    Cell::Count(3),
                    Cell::Count(1),
                    Cell::Count(0),
                ],
                vec![
                    Cell::Words(said("合计", "total")),
                    Cell::Words(said("投诉答复", "complaint answered")),
                    Cell::Count(3),
                    Cell::Count(1),
                    Cell::Count(0),
                ],
                vec![
                    Cell::Words(said("合计", "total")),
                    Cell::Words(said("回访", "return visit")),
                    Cell::Count(5),
                    Cell::Count(0),
                    Cell::Count(5),
                ],
            ],
        };
        let w = Weights::default();
        let all = figure(&w.items[0], &table, is_total).unwrap();
        assert_eq!(all, Figure { count: 8, of: 14 });
        assert_eq!(all.share(), Some(5714));
        let answered = figure(&w.items[2], &table, is_total).unwrap();
        assert_eq!(answered, Figure { count: 3, of: 4 });
        let mut wrong = w.items[0].clone();
        wrong.of.push("open".into());
        match figure(&wrong, &table, is_total).unwrap_err() {
            Error::InvalidInput(e) => assert_eq!(e.field, "deadlines_met.of"),
            other => panic!("{other:?}"),
        }
    }
}
