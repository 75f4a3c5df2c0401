//! Settings screen: the language, this device, its server and technician, the space the store
//! takes on the phone (the store, its WAL, the photo vault), the core's version and the
//! store's schema, the last sync.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::parts::Field;
use super::{Cx, Outcome};
use crate::app::{SyncView, format};
use crate::error::Result;
use crate::text::{Lang, said};

/// What the Settings screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsScreen {
    pub title: String,
    pub language_title: String,
    pub languages: Vec<LanguageChoice>,
    pub device: Field,
    pub server: Field,
    pub technician: Field,
    pub store_size: Field,
    pub core_version: Field,
    pub store_schema: Field,
    pub last_sync: Field,
}

/// A language the user can switch to.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageChoice {
    pub lang: Lang,
    /// Each language named in itself: "中文", "English".
    pub label: String,
    pub selected: bool,
    pub accessibility: String,
}

/// What the user does on the Settings screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SettingsEvent {
    Refresh,
    SetLanguage { lang: Lang },
}

pub fn render(cx: &Cx<'_>, sync: &SyncView) -> Result<SettingsScreen> {
    let store = cx.read();
    let state = store.sync_state()?;
    let languages = [(Lang::Zh, "中文"), (Lang::En, "English")]
        .into_iter()
        .map(|(lang, label)| {
            let selected = cx.lang == lang;
            let accessibility = match (cx.lang, selected) {
                (Lang::Zh, true) => format!("{label}，已选"),
                (Lang::Zh, false) => format!("{label}，切换为此语言"),
                (Lang::En, true) => format!("{label}, selected"),
                (Lang::En, false) => format!("{label}, switch to this language"),
            };
            LanguageChoice {
                lang,
                label: label.into(),
                selected,
                accessibility,
            }
        })
        .collect();
    let technician = match state.technician_id {
        Some(id) => {
            let t = store.technician(id)?;
            cx.say(
                &format!("{} · 工号 {}", t.name, t.badge),
                &format!("{} · badge {}", t.name, t.badge),
            )
        }
        None => cx.say("未登记", "not enrolled"),
    };
    let last_at = sync.last.as_ref().map(|l| l.at).or(state.last_sync_at);
    let last_sync = match last_at {
        Some(at) => format::moment(at, cx.now, cx.lang),
        None => cx.say("尚未同步", "not synced yet"),
    };
    Ok(SettingsScreen {
        title: cx.say("设置", "Settings"),
        language_title: cx.say("语言", "Language"),
        languages,
        device: Field::new(cx, &said("设备编号", "Device id"), store.device_id()),
        server: Field::new(
            cx,
            &said("服务器", "Server"),
            state
                .server
                .unwrap_or_else(|| cx.say("未登记", "not enrolled")),
        ),
        technician: Field::new(cx, &said("技术员", "Technician"), technician),
        store_size: Field::new(
            cx,
            &said("本机数据占用", "Space used on this phone"),
            size(store_bytes(store.path())),
        ),
        core_version: Field::new(
            cx,
            &said("核心版本", "Core version"),
            env!("CARGO_PKG_VERSION"),
        ),
        store_schema: Field::new(
            cx,
            &said("数据版本", "Store schema"),
            store.schema_version()?.to_string(),
        ),
        last_sync: Field::new(cx, &said("上次同步", "Last sync"), last_sync),
    })
}

/// The bytes the store takes: its file, its WAL and the photo vault beside it.
pub fn store_bytes(path: &Path) -> u64 {
    let file = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let wal = std::path::PathBuf::from(format!("{}-wal", path.display()));
    file(path) + file(&wal) + dir_bytes(&crate::store::photo_dir(path))
}

fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}

/// "12.5 MB" (the same in both languages), "0.3 MB" for less.
fn size(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

pub fn handle(_cx: &mut Cx<'_>, lang: &mut Lang, event: SettingsEvent) -> Result<Outcome> {
    Ok(match event {
        SettingsEvent::Refresh => Outcome::stay(),
        SettingsEvent::SetLanguage { lang: chosen } => {
            *lang = chosen;
            Outcome::stay()
        }
    })
}
