//! The demo's directory and its journal (`demo.json`): which seed and day it holds, what was
//! done. A directory the demo did not create is refused; a second run continues the day it
//! finds, or asks for `--fresh` when the user asked for another seed or size.
//!
//! ```text
//! doorstep-demo/
//!   demo.json          the journal (this file's Journal)
//!   server/            the server's data (SQLite and the photo directory), `serve --data`
//!   phones/inspector/  the inspector's app folder (encrypted store, vault, saved state)
//!   phones/crew/       the crew member's
//!   index.html         the day's page, with page/ beside it (photos, signatures)
//! ```

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::progress::Progress;
use super::{Args, DemoError, DemoResult};

pub const JOURNAL: &str = "demo.json";
/// What the journal says it is: a directory whose `demo.json` lacks it is not the demo's.
const MADE_BY: &str = "doorstep demo";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    pub made_by: String,
    pub seed: u64,
    pub households: usize,
    /// The day played (Beijing time): the day before the first run.
    pub date: NaiveDate,
    /// The office's records are in the server.
    pub seeded: bool,
    /// Each phone's store key (hex): the demo's phones keep theirs here, as a real phone keeps
    /// its key in the platform's keystore. A demo directory holds only generated people.
    pub phones: Vec<PhoneKey>,
    /// The scenes played, by name, in order.
    pub played: Vec<String>,
    /// The scene playing when the run stopped, if it stopped in one: played again from its
    /// start, over what it had done (`Day::replaying`).
    #[serde(default)]
    pub playing: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhoneKey {
    pub role: super::Role,
    pub key_hex: String,
}

impl Journal {
    pub fn save(&self, data: &Path) -> DemoResult<()> {
        let path = data.join(JOURNAL);
        let temp = data.join(format!("{JOURNAL}.tmp"));
        std::fs::write(
            &temp,
            serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(temp, path)?;
        Ok(())
    }

    pub fn server_dir(data: &Path) -> PathBuf {
        data.join("server")
    }

    pub fn phone_dir(data: &Path, role: super::Role) -> PathBuf {
        data.join("phones").join(match role {
            super::Role::Crew => "crew",
            _ => "inspector",
        })
    }
}

/// Makes `args.data` ready: creates it with a new journal, or reads the journal of an earlier
/// run and says what is there.
pub fn prepare(args: &Args, progress: &Progress) -> DemoResult<Journal> {
    let data = &args.data;
    let existing = read_journal(data)?;
    let journal = match existing {
        Some(_) if args.fresh => {
            remove_demo(data)?;
            None
        }
        Some(journal) if journal.seed != args.seed || journal.households != args.households => {
            return Err(DemoError::Place(format!(
                "{} holds the demo of seed {} with {} households; give --fresh to start over \
                 with seed {} and {} households / 该目录已有另一次演示的数据，加 --fresh 重新开始",
                data.display(),
                journal.seed,
                journal.households,
                args.seed,
                args.households
            )));
        }
        other => other,
    };
    if let Some(journal) = journal {
        progress.note(&format!(
            "{}: the demo of {} (seed {}), {} of its scenes played; continuing / 继续这一天",
            data.display(),
            journal.date,
            journal.seed,
            journal.played.len()
        ));
        return Ok(journal);
    }
    std::fs::create_dir_all(data)?;
    let journal = Journal {
        made_by: MADE_BY.to_owned(),
        seed: args.seed,
        households: args.households,
        date: yesterday(),
        seeded: false,
        phones: Vec::new(),
        played: Vec::new(),
        playing: None,
    };
    journal.save(data)?;
    Ok(journal)
}

/// The journal of an earlier run; none for a missing or empty directory; refused for a
/// directory the demo did not make.
fn read_journal(data: &Path) -> DemoResult<Option<Journal>> {
    if !data.exists() {
        return Ok(None);
    }
    if !data.is_dir() {
        return Err(DemoError::Place(format!(
            "{} is not a directory / 不是目录",
            data.display()
        )));
    }
    let path = data.join(JOURNAL);
    if !path.exists() {
        if std::fs::read_dir(data)?.next().is_none() {
            return Ok(None);
        }
        return Err(not_ours(data));
    }
    let journal: Journal =
        serde_json::from_slice(&std::fs::read(&path)?).map_err(|_| not_ours(data))?;
    if journal.made_by != MADE_BY {
        return Err(not_ours(data));
    }
    Ok(Some(journal))
}

fn not_ours(data: &Path) -> DemoError {
    DemoError::Place(format!(
        "{} was not made by `doorstep demo`: the demo writes only into its own directory; \
         give another --data / 该目录不是演示创建的，请换一个 --data",
        data.display()
    ))
}

/// Removes what the demo made in `data` (its journal says it is the demo's): the journal, the
/// server's data, the phones and the page.
fn remove_demo(data: &Path) -> DemoResult<()> {
    for dir in ["server", "phones", "page"] {
        let path = data.join(dir);
        if path.exists() {
            std::fs::remove_dir_all(path)?;
        }
    }
    for file in [JOURNAL, "index.html"] {
        let path = data.join(file);
        if path.exists() {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

/// The day before today, Beijing time.
fn yesterday() -> NaiveDate {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    (Utc::now().with_timezone(&beijing) - Duration::days(1)).date_naive()
}
