//! Live progress on stderr. On a terminal: an indicatif spinner with the task, phase, message,
//! elapsed time and poll count. Elsewhere (CI logs, pipes): one timestamped line per change.
//! `--quiet` shows nothing; errors are printed by the caller either way. stdout is never touched.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::wire::LogLink;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Spinner,
    Lines,
    Quiet,
}

impl Mode {
    pub fn detect(quiet: bool) -> Self {
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal()
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        {
            Mode::Spinner
        } else {
            Mode::Lines
        }
    }
}

pub struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    task: String,
    last_line: String,
    links_shown: Vec<(String, String, bool)>,
}

impl Progress {
    pub fn new(mode: Mode, task: &str) -> Self {
        let bar = (mode == Mode::Spinner).then(|| {
            let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            // {elapsed} ticks with the spinner, between polls too
            let template = if color {
                "{spinner:.cyan} {msg} [{elapsed}]"
            } else {
                "{spinner} {msg} [{elapsed}]"
            };
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            pb.set_style(ProgressStyle::with_template(template).expect("static template"));
            pb.enable_steady_tick(Duration::from_millis(100));
            pb
        });
        Progress {
            mode,
            bar,
            task: task.to_string(),

            last_line: String::new(),
            links_shown: Vec::new(),
        }
    }

    /// A one-off note: "created job …", "retrying (attempt 2 of 3)", "deleting the task".
    pub fn note(&mut self, msg: &str) {
        let msg = &crate::mask::apply(&safe(msg));
        match self.mode {
            Mode::Quiet => {}
            Mode::Spinner => self.bar.as_ref().unwrap().println(msg),
            Mode::Lines => line(msg),
        }
    }

    /// The latest known state of the job; prints only what changed.
    pub fn update(&mut self, phase: &str, message: &str, polls: u32, links: &[LogLink]) {
        for l in links {
            // a Flyte 2 link that is not ready yet is shown as pending, and again once live
            let key = (l.name.clone(), l.uri.clone(), l.ready);
            if !self.links_shown.contains(&key) {
                self.links_shown.push(key);
                let name = if l.name.is_empty() { "link" } else { &l.name };
                let pending = if l.ready {
                    ""
                } else {
                    " (pending: not ready yet)"
                };
                self.note(&format!("log {name}: {}{pending}", l.uri));
            }
        }
        let message = crate::mask::apply(&safe(message));
        let state = if message.is_empty() {
            phase.to_string()
        } else {
            format!("{phase}: {message}")
        };
        match self.mode {
            Mode::Quiet => {}
            Mode::Spinner => {
                let msg = spinner_message(&self.task, &state, polls);
                self.bar.as_ref().unwrap().set_message(msg);
            }
            Mode::Lines => {
                if state != self.last_line {
                    line(&format!("{} {state}", self.task));
                    self.last_line = state;
                }
            }
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn spinner_message(task: &str, state: &str, polls: u32) -> String {
    let unit = if polls == 1 { "poll" } else { "polls" };
    format!("{task} {state} ({polls} {unit})")
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Text from an agent made safe for a terminal: control characters (escape sequences, bells,
/// carriage returns) are shown as `\u{..}` escapes instead of acting; newlines and tabs stay.
pub fn safe(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn line(msg: &str) {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
    let _ = writeln!(std::io::stderr().lock(), "{now} {msg}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_bytes_from_an_agent_never_reach_the_terminal() {
        let s = super::safe("ok\x1b[2J\x07done\rover\nnext\tcol");
        assert!(
            !s.contains('\x1b') && !s.contains('\x07') && !s.contains('\r'),
            "{s:?}"
        );
        assert!(
            s.contains("\\u{1b}[2J") && s.contains("\nnext\tcol"),
            "{s:?}"
        );
    }

    #[test]
    fn the_spinner_counts_polls_in_english() {
        assert_eq!(
            super::spinner_message("t", "RUNNING", 1),
            "t RUNNING (1 poll)"
        );
        assert_eq!(
            super::spinner_message("t", "RUNNING", 2),
            "t RUNNING (2 polls)"
        );
    }
}
