//! The library's log, handed to the shell: the core and the bindings log through `tracing`
//! (failures with their causes, never a name, a phone or an address: docs/adr/0004-bindings.md),
//! and on a phone nothing would read it. [`set_log_sink`] installs the shell's [`LogSink`]
//! (Android: `android.util.Log`; iOS: `os_log`; the JVM tests: a list) as the process's
//! `tracing` subscriber. Spans are not kept: the core logs events only.

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock, RwLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// How much the shell wants to hear, from the most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn of(level: &Level) -> Self {
        match *level {
            Level::ERROR => Self::Error,
            Level::WARN => Self::Warn,
            Level::INFO => Self::Info,
            Level::DEBUG => Self::Debug,
            _ => Self::Trace,
        }
    }
}

/// Where the shell writes the library's log lines. Called on whichever thread logged.
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    /// One line: its level, the module that logged it (`doorstep_core::sync`), and the message
    /// with its fields (`sync failed cause=...`).
    fn log(&self, level: LogLevel, target: String, message: String);
}

struct Installed {
    sink: Arc<dyn LogSink>,
    level: LogLevel,
}

static SINK: RwLock<Option<Installed>> = RwLock::new(None);
static INSTALLED: OnceLock<bool> = OnceLock::new();

thread_local! {
    /// Set while a line is being handed to the sink: a sink that calls the library, which
    /// logs, does not loop.
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}

/// Sends the library's log lines at `level` and more serious to `sink`, from now on. A second
/// call replaces the sink and the level. Returns false when another `tracing` subscriber was
/// installed in this process first (then nothing is sent to `sink`).
#[uniffi::export]
pub fn set_log_sink(sink: Arc<dyn LogSink>, level: LogLevel) -> bool {
    if let Ok(mut installed) = SINK.write() {
        *installed = Some(Installed { sink, level });
    }
    *INSTALLED.get_or_init(|| tracing::subscriber::set_global_default(ToSink).is_ok())
}

/// The subscriber that hands each event to the installed sink.
struct ToSink;

impl ToSink {
    fn wanted(level: &Level) -> bool {
        SINK.read()
            .ok()
            .and_then(|s| s.as_ref().map(|s| LogLevel::of(level) <= s.level))
            .unwrap_or(false)
    }
}

impl Subscriber for ToSink {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.is_event() && Self::wanted(metadata.level())
    }

    fn register_callsite(&self, _: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        // The level can change at run time: ask `enabled` each time.
        tracing::subscriber::Interest::sometimes()
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        if IN_SINK.with(Cell::get) {
            return;
        }
        let sink = match SINK.read() {
            Ok(installed) => match installed.as_ref() {
                Some(i) => i.sink.clone(),
                None => return,
            },
            Err(_) => return,
        };
        let mut line = Line::default();
        event.record(&mut line);
        let metadata = event.metadata();
        IN_SINK.with(|s| s.set(true));
        // A sink that throws must not take the library down with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sink.log(
                LogLevel::of(metadata.level()),
                metadata.target().to_owned(),
                line.text,
            )
        }));
        IN_SINK.with(|s| s.set(false));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// The message first, then each other field as `name=value`.
#[derive(Default)]
struct Line {
    text: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let fields = std::mem::take(&mut self.text);
            let _ = write!(self.text, "{value:?}");
            self.text.push_str(&fields);
        } else {
            let _ = write!(self.text, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let fields = std::mem::take(&mut self.text);
            self.text.push_str(value);
            self.text.push_str(&fields);
        } else {
            let _ = write!(self.text, " {}={value}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Kept(Mutex<Vec<(LogLevel, String, String)>>);

    impl LogSink for Kept {
        fn log(&self, level: LogLevel, target: String, message: String) {
            self.0.lock().unwrap().push((level, target, message));
        }
    }

    /// One test for the whole process: the subscriber is global.
    #[test]
    fn the_shell_hears_the_library_s_failures_at_the_level_it_asked_and_a_throwing_sink_is_survived()
     {
        let kept = Arc::new(Kept::default());
        assert!(set_log_sink(kept.clone(), LogLevel::Warn));
        tracing::error!(
            cause = "no space left on device",
            "the store could not be written"
        );
        tracing::info!("not wanted at Warn");
        {
            let lines = kept.0.lock().unwrap();
            assert_eq!(lines.len(), 1, "{lines:?}");
            let (level, target, message) = &lines[0];
            assert_eq!(*level, LogLevel::Error);
            assert_eq!(target, "doorstep_ffi::log::tests");
            assert_eq!(
                message,
                "the store could not be written cause=no space left on device"
            );
        }

        // A second call changes the level.
        assert!(set_log_sink(kept.clone(), LogLevel::Info));
        tracing::info!(step = 3, "wanted at Info");
        assert_eq!(
            kept.0.lock().unwrap().last().unwrap().2,
            "wanted at Info step=3"
        );

        struct Throws;
        impl LogSink for Throws {
            fn log(&self, _: LogLevel, _: String, _: String) {
                panic!("the shell's logger failed");
            }
        }
        set_log_sink(Arc::new(Throws), LogLevel::Trace);
        tracing::warn!("still running after this");
        set_log_sink(kept.clone(), LogLevel::Warn);
        tracing::warn!("and after");
        assert_eq!(kept.0.lock().unwrap().last().unwrap().2, "and after");
    }
}
