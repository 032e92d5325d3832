//! The progress of a long command-line job (`keys rotate`, `gallring`, `backup`, `restore`,
//! `demo`), as the core reports it (`utvag_core::progress`): on a terminal a bar, or a spinner
//! for a stage whose length is not known beforehand; when the output goes to a log instead, one
//! line as each stage begins. Either way each finished stage leaves a line with its time and,
//! for a counted stage, its count.

use std::io::IsTerminal;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use utvag_core::progress::Progress;

/// A job's progress on standard error.
pub struct Bar {
    terminal: bool,
    current: Mutex<Option<Stage>>,
}

struct Stage {
    what: String,
    bar: ProgressBar,
    started: Instant,
}

impl Default for Bar {
    fn default() -> Self {
        Self::new()
    }
}

impl Bar {
    pub fn new() -> Self {
        Bar {
            terminal: std::io::stderr().is_terminal(),
            current: Mutex::new(None),
        }
    }

    /// The job is done: the last stage's line is written.
    pub fn finish(&self) {
        if let Some(s) = self.lock().take() {
            done(s);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Stage>> {
        // A panic while drawing leaves nothing half-changed that matters here.
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Bar {
    /// A job that failed stops drawing without claiming its stage was done.
    fn drop(&mut self) {
        if let Some(s) = self.lock().take() {
            s.bar.finish_and_clear();
        }
    }
}

fn done(s: Stage) {
    s.bar.finish_and_clear();
    let count = s
        .bar
        .length()
        .map(|_| format!(", {}", s.bar.position()))
        .unwrap_or_default();
    eprintln!(
        "  {}: done in {:.1} s{count}",
        s.what,
        s.started.elapsed().as_secs_f64()
    );
}

impl Progress for Bar {
    fn stage(&self, what: &str, total: Option<u64>) {
        let mut current = self.lock();
        if let Some(s) = current.take() {
            done(s);
        }
        let target = if self.terminal {
            ProgressDrawTarget::stderr()
        } else {
            eprintln!("  {what}…");
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(total, target);
        let template = match total {
            Some(_) => "  {spinner} {msg} [{bar:24}] {pos}/{len}, {eta} left",
            None => "  {spinner} {msg} ({elapsed})",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        if self.terminal {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        *current = Some(Stage {
            what: what.to_string(),
            bar,
            started: Instant::now(),
        });
    }

    fn advance(&self, n: u64) {
        if let Some(s) = self.lock().as_ref() {
            s.bar.inc(n);
        }
    }
}
