//! `doorstep admin report` (issue 27): a report of [`crate::reports`] for a unit and a period,
//! printed tab-separated or written as CSV or XLSX: the same [`crate::reports::Report`] the
//! console draws, written by [`crate::reports::export`]. Every report made is audited
//! (`export`), as the console's downloads are.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use doorstep_core::satisfaction::UnitLevel;
use doorstep_core::text::Lang;

use super::command::{named, parse_time};
use super::{Act, both, invalid_option, message};
use crate::console::pages::reports::query;
use crate::reports::{Params, Period, PeriodLength, ReportKind, evaluation, export};
use crate::storage::{self, AuditRow, Storage};

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Tab-separated, to standard output (or `--out`).
    Tsv,
    /// UTF-8 with a byte-order mark, for Excel.
    Csv,
    /// An Excel workbook: needs `--out`.
    Xlsx,
}

impl Format {
    const ALL: [Format; 3] = [Format::Tsv, Format::Csv, Format::Xlsx];

    fn as_str(self) -> &'static str {
        match self {
            Format::Tsv => "tsv",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    // `today` is never used: a day is always given here.
    let today = NaiveDate::default();
    query::day(Some(text), today).map_err(|e| both(&e))
}

/// `doorstep admin report <kind> …`
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Which report.
    #[arg(value_parser = named(ReportKind::ALL, ReportKind::as_str))]
    pub kind: ReportKind,
    /// The units its rows are.
    #[arg(long, value_parser = named(UnitLevel::ALL, UnitLevel::as_str), default_value = "district")]
    pub level: UnitLevel,
    /// One unit of that level (its id); every unit when left out.
    #[arg(long)]
    pub unit: Option<String>,
    /// How long the period is.
    #[arg(long, value_parser = named(PeriodLength::ALL, PeriodLength::as_str))]
    pub period: PeriodLength,
    /// A day the period holds (YYYY-MM-DD, the utility's calendar): `--period week --day
    /// 2026-12-10` is the week from Monday 7 December.
    #[arg(long, value_parser = parse_day)]
    pub day: NaiveDate,
    #[arg(long, value_parser = named(Format::ALL, Format::as_str), default_value = "tsv")]
    pub format: Format,
    /// The file to write (needed for xlsx); standard output when left out.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The language of the titles and words.
    #[arg(long, value_parser = named([Lang::Zh, Lang::En], lang_name), default_value = "zh")]
    pub lang: Lang,
    /// Judge what is open, late or overdue as of this time (RFC 3339). Default: now.
    #[arg(long, value_parser = parse_time)]
    pub now: Option<DateTime<Utc>>,
}

/// The evaluation's weights: `<data>/evaluation.toml` when the utility wrote one, else the
/// documented defaults.
fn weights(data: &Path) -> Result<evaluation::Weights, String> {
    evaluation::Weights::load(&data.join("evaluation.toml")).map_err(|e| e.to_string())
}

pub(super) fn run(
    storage: &dyn Storage,
    data: &Path,
    args: ReportArgs,
    act: &Act,
) -> Result<(), String> {
    if args.format == Format::Xlsx && args.out.is_none() {
        return Err(
            "--out: XLSX 是二进制文件，请用 --out 指定文件 / XLSX is a binary file: name one with --out"
                .to_owned(),
        );
    }
    let units = storage::read(storage, |tx| query::units(tx)).map_err(message)?;
    if let Some(unit) = &args.unit
        && !units.iter().any(|u| u.level == args.level && &u.id == unit)
    {
        return Err(invalid_option("--unit", query::unknown_unit()));
    }
    let params = Params {
        kind: args.kind,
        level: args.level,
        unit: args.unit.clone(),
        within_districts: Vec::new(),
        period: Period::holding(args.period, args.day),
        now: args.now.unwrap_or(act.at),
    };
    let weights = weights(data)?;
    let report = storage::read(storage, |tx| crate::reports::compute(tx, &params, &weights))
        .map_err(message)?;
    let bytes = match args.format {
        Format::Tsv => export::tsv(&report, args.lang).into_bytes(),
        Format::Csv => export::csv(&report, args.lang),
        Format::Xlsx => export::xlsx(&report, args.lang).map_err(message)?,
    };
    let id = format!(
        "{}/{}/{}/{}.{}",
        params.kind.as_str(),
        params.level.as_str(),
        params.unit.as_deref().unwrap_or("all"),
        params.period.label(),
        args.format.as_str()
    );
    storage::write(storage, |tx| {
        tx.audit(&AuditRow {
            at: act.at,
            actor: act.actor.clone(),
            device_id: None,
            action: "export".into(),
            entity: Some("report".into()),
            entity_id: Some(id.clone()),
        })?;
        Ok(())
    })
    .map_err(message)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| {
                invalid_option(
                    "--out",
                    doorstep_core::InvalidInput::new(
                        "out",
                        doorstep_core::text::said(
                            format!("无法写入该文件（{}）", e.kind()),
                            format!("the file cannot be written ({})", e.kind()),
                        ),
                    ),
                )
            })?;
            println!("{}", path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&bytes)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
