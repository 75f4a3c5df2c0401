//! A report's chart drawn by the server as SVG (issue 27): one row per label (a unit, a
//! clause, a kind), one horizontal bar per series in it, a legend, an axis with its ticks and
//! what it counts. Horizontal bars keep long Chinese unit names readable and grow downwards
//! with the number of units instead of squeezing sideways past a 1366 px screen.
//!
//! Accessible: `role="img"` named by the chart's `<title>` and described by a `<desc>` that
//! points to the table below (its text alternative, holding the same figures); every bar
//! carries its label, series and figure as its own `<title>`. Drawn with maud, so every text
//! from a record (a unit's name) is escaped.

use maud::{Markup, html};

use crate::console::words::reports::Reports;
use crate::reports::export::shown;
use crate::reports::{Cell, Chart, ChartUnit};

/// The drawing's width in its own units; the page scales it to the column's width.
const WIDTH: i64 = 960;
/// Where the bars start: the labels are right-aligned before it.
const LEFT: i64 = 230;
/// Room after the longest bar for its figure.
const RIGHT: i64 = 90;
const PLOT: i64 = WIDTH - LEFT - RIGHT;
/// Above the first row: the legend.
const TOP: i64 = 40;
/// Below the last row: the ticks and the axis's name.
const BOTTOM: i64 = 52;
const GROUP_GAP: i64 = 14;
/// Characters of a label drawn before it is cut (the whole label is in its title).
const LABEL_CHARS: usize = 14;

/// Colours of the series, in order: dark enough for white text beside them and apart for
/// people who do not tell red from green (blue, orange, green, purple, teal, red).
const COLOURS: [&str; 6] = [
    "#0b4f8a", "#b35900", "#1d6b2f", "#5b3f8c", "#00707a", "#a3161b",
];

/// The figure as text, as the table shows it.
fn figure(unit: ChartUnit, value: i64) -> String {
    let cell = match unit {
        ChartUnit::Count => Cell::Count(value),
        ChartUnit::BasisPoints => Cell::BasisPoints(value),
        ChartUnit::Hundredths => Cell::Hundredths(value),
        ChartUnit::Minutes => Cell::Minutes(value),
        ChartUnit::Fen => Cell::Fen(value),
    };
    shown(&cell, doorstep_core::text::Lang::Zh)
}

fn axis_name(w: &Reports, unit: ChartUnit) -> &'static str {
    match unit {
        ChartUnit::Count => w.axis_count,
        ChartUnit::BasisPoints => w.axis_share,
        ChartUnit::Hundredths => w.axis_score,
        ChartUnit::Minutes => w.axis_minutes,
        ChartUnit::Fen => w.axis_yuan,
    }
}

/// The axis: its end and the step between ticks, both round (1, 2 or 5 times a power of ten
/// of the figure's smallest unit); shares run to 100 % at least.
pub fn axis(unit: ChartUnit, largest: i64) -> (i64, i64) {
    let largest = largest.max(0);
    if unit == ChartUnit::BasisPoints && largest <= 10_000 {
        return (10_000, 2_500);
    }
    let raw = (largest.max(1) + 3) / 4;
    let mut power = 1i64;
    let step = loop {
        if let Some(s) = [1, 2, 5].iter().map(|m| m * power).find(|s| *s >= raw) {
            break s;
        }
        power = power.saturating_mul(10);
    };
    let end = (largest.max(1) + step - 1) / step * step;
    (end, step)
}

/// The SVG of `chart`: its title and description are `#chart-title` and `#chart-desc`.
pub fn svg(w: &Reports, chart: &Chart, lang: doorstep_core::text::Lang) -> Markup {
    let title = chart.title.get(lang);
    let series: Vec<_> = chart.series.iter().collect();
    if chart.labels.is_empty() || series.is_empty() {
        return html! {
            svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc"
                viewBox=(format!("0 0 {WIDTH} 80")) width="100%" style="max-width:960px;height:auto" {
                title #chart-title { (title) }
                desc #chart-desc { (w.no_data) }
                text x=(WIDTH / 2) y="45" text-anchor="middle" font-size="16" fill="#4a5560" { (w.no_data) }
            }
        };
    }
    let bar = if series.len() > 3 { 14 } else { 16 };
    let group = series.len() as i64 * (bar + 2) + GROUP_GAP;
    let plot_height = chart.labels.len() as i64 * group;
    let height = TOP + plot_height + BOTTOM;
    let largest = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let (end, step) = axis(chart.unit, largest);
    let x_of = |v: i64| LEFT + (v.clamp(0, end) * PLOT) / end;
    let ticks: Vec<i64> = (0..=end / step).map(|i| i * step).collect();
    let base = TOP + plot_height;
    html! {
        svg.chart xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc"
            viewBox=(format!("0 0 {WIDTH} {height}")) width="100%" style="max-width:960px;height:auto"
            font-size="13" {
            title #chart-title { (title) }
            desc #chart-desc { (w.chart_text) }
            // The legend: a swatch and the series' name each.
            g.legend {
                @for (i, s) in series.iter().enumerate() {
                    @let x = LEFT + i as i64 * 170;
                    rect x=(x) y="12" width="14" height="14" fill=(COLOURS[i % COLOURS.len()]) {}
                    text x=(x + 20) y="24" fill="#1b1f24" { (s.name.get(lang)) }
                }
            }
            // The grid and the axis.
            g.axis {
                @for t in &ticks {
                    line x1=(x_of(*t)) x2=(x_of(*t)) y1=(TOP - 4) y2=(base) stroke="#c9d1d9" stroke-width="1" {}
                    text x=(x_of(*t)) y=(base + 18) text-anchor="middle" fill="#4a5560" { (figure(chart.unit, *t)) }
                }
                line x1=(LEFT) x2=(LEFT + PLOT) y1=(base) y2=(base) stroke="#4a5560" stroke-width="1" {}
                text x=(LEFT + PLOT / 2) y=(base + 42) text-anchor="middle" fill="#1b1f24" font-weight="600" {
                    (axis_name(w, chart.unit))
                }
            }
            @for (row, label) in chart.labels.iter().enumerate() {
                @let top = TOP + row as i64 * group + GROUP_GAP / 2;
                g.row {
                    text x=(LEFT - 8) y=(top + (group - GROUP_GAP) / 2 + 4) text-anchor="end" fill="#1b1f24" {
                        title { (label) }
                        (cut(label))
                    }
                    @for (i, s) in series.iter().enumerate() {
                        @let value = s.values.get(row).copied().unwrap_or(0);
                        @let y = top + i as i64 * (bar + 2);
                        rect.bar x=(LEFT) y=(y) width=(x_of(value) - LEFT) height=(bar)
                            fill=(COLOURS[i % COLOURS.len()]) {
                            title { (label) " · " (s.name.get(lang)) ": " (figure(chart.unit, value)) }
                        }
                        text x=(x_of(value) + 4) y=(y + bar - 3) font-size="10" fill="#1b1f24" {
                            (figure(chart.unit, value))
                        }
                    }
                }
            }
        }
    }
}

/// A label short enough for the space before the bars.
fn cut(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::Lang;
    use crate::reports::Series;
    use doorstep_core::text::said;

    #[test]
    fn the_axis_ends_on_a_round_figure_and_shares_run_to_a_hundred_percent() {
        assert_eq!(axis(ChartUnit::BasisPoints, 8750), (10_000, 2_500));
        assert_eq!(axis(ChartUnit::BasisPoints, 0), (10_000, 2_500));
        assert_eq!(axis(ChartUnit::Count, 0), (1, 1));
        assert_eq!(axis(ChartUnit::Count, 7), (8, 2));
        assert_eq!(axis(ChartUnit::Count, 37), (40, 10));
        assert_eq!(axis(ChartUnit::Hundredths, 450), (600, 200));
        assert_eq!(axis(ChartUnit::Fen, 1_234_567), (1_500_000, 500_000));
    }

    #[test]
    fn a_chart_draws_a_bar_per_series_and_label_with_escaped_names() {
        let w = &Lang::Zh.words().reports;
        let chart = Chart {
            title: said("达标率", "Share met"),
            labels: vec!["西湖<片区>".into(), "拱墅片区".into()],
            series: vec![
                Series {
                    name: said("按时", "Met"),
                    values: vec![8750, 10_000],
                },
                Series {
                    name: said("逾期", "Late"),
                    values: vec![1250, 0],
                },
            ],
            unit: ChartUnit::BasisPoints,
        };
        let svg = svg(w, &chart, doorstep_core::text::Lang::Zh).into_string();
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 4, "{svg}");
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"chart-title\">达标率</title>"));
        assert!(
            svg.contains("西湖&lt;片区&gt;"),
            "a unit's name is escaped: {svg}"
        );
        assert!(!svg.contains("西湖<片区>"));
        assert!(svg.contains(">87.50%<"), "the figure beside its bar");
        assert!(svg.contains(">100.00%<"), "the axis's end");
        // The full bar is the plot's width; the empty one has none.
        assert!(svg.contains(&format!("width=\"{PLOT}\"")));
        assert!(svg.contains("width=\"0\""));
        let empty = Chart {
            labels: Vec::new(),
            ..chart
        };
        assert!(
            super::svg(w, &empty, doorstep_core::text::Lang::Zh)
                .into_string()
                .contains(w.no_data)
        );
    }
}
