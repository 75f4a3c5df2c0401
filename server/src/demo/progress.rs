//! The demo's progress on stderr: one bar per phase, with its counts and the scene playing.
//! Quiet when stderr is not a terminal (a test, a CI log, `--json` piped): indicatif draws
//! nothing then, and the phases are not printed either.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    terminal: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress {
    pub fn new(_json: bool) -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new phase of `total` steps; the previous one is finished.
    pub fn phase(&self, name: &str, total: u64) {
        self.done();
        if !self.terminal {
            return;
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} {msg}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(name.to_owned());
        *self.bar() = Some(bar);
    }

    pub fn message(&self, text: &str) {
        if let Some(bar) = &*self.bar() {
            bar.set_message(text.to_owned());
        }
    }

    pub fn step(&self, _title: &str) {
        self.advance(1);
    }

    /// `count` more of the phase's steps are done (households written, phones enrolled).
    pub fn advance(&self, count: u64) {
        if let Some(bar) = &*self.bar() {
            bar.inc(count);
        }
    }

    /// The phase ended: its bar stays on screen, complete.
    pub fn done(&self) {
        if let Some(bar) = self.bar().take() {
            bar.finish_with_message("✓");
        }
    }

    /// A line above the bars (what the demo found, what it does).
    pub fn note(&self, text: &str) {
        match &*self.bar() {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    pub fn finish(&self) {
        self.done();
    }
}
