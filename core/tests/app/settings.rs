//! The Settings screen: the language, the device, the server, the store's size, versions.

use doorstep_core::app::Event;
use doorstep_core::app::screens::settings::SettingsEvent;
use doorstep_core::app::screens::today::TodayEvent;
use doorstep_core::text::Lang;

use super::Phone;
use crate::common::at;
use crate::on_screen;

#[test]
fn settings_switch_the_language_and_show_the_device_server_technician_and_store_size() {
    let phone = Phone::enrolled(at(2026, 12, 7, 1, 0), |_| {});
    let update = phone.send(Event::Today(TodayEvent::OpenSettings));
    let settings = on_screen!(update.screen, Settings);
    assert_eq!(settings.title, "设置");
    assert_eq!(settings.server.label, "服务器");
    assert_eq!(settings.server.value, "http://127.0.0.1:9");
    assert_eq!(settings.technician.value, "王师傅 · 工号 T0427");
    assert_eq!(settings.device.label, "设备编号");
    assert!(!settings.device.value.is_empty());
    assert!(
        settings.store_size.value.ends_with(" MB"),
        "{}",
        settings.store_size.value
    );
    assert_ne!(settings.store_size.value, "0.0 MB");
    assert_eq!(settings.core_version.value, env!("CARGO_PKG_VERSION"));
    assert_eq!(settings.last_sync.value, "尚未同步");
    let chosen: Vec<_> = settings
        .languages
        .iter()
        .map(|l| (l.label.as_str(), l.selected))
        .collect();
    assert_eq!(chosen, [("中文", true), ("English", false)]);

    let update = phone.send(Event::Settings(SettingsEvent::SetLanguage {
        lang: Lang::En,
    }));
    let settings = on_screen!(update.screen, Settings);
    assert_eq!(settings.title, "Settings");
    assert_eq!(settings.technician.value, "王师傅 · badge T0427");
    assert_eq!(settings.languages[1].accessibility, "English, selected");
    assert_eq!(update.screen.back_label, "Back");
    // The language is the app's, on every screen, and after the process is killed.
    let mut phone = phone;
    phone.reopen();
    phone.send(Event::Back);
    assert_eq!(on_screen!(phone.screen(), Today).title, "Today");
}
