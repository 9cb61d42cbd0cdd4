//! Everything agentctl prints: results on stdout, notes on stderr, with `--quiet`, `-v` and
//! colour decided once. Text from agents is made terminal-safe, and every registered secret is
//! masked ([`crate::mask`]) before anything is written.

use std::io::Write;

use crate::error::{Error, Result};
use crate::progress::{self, Mode, Progress};

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub quiet: bool,
    pub verbose: bool,
}

impl Printer {
    pub fn new(quiet: bool, verbose: u8) -> Self {
        Printer {
            quiet,
            verbose: verbose > 0 && !quiet,
        }
    }

    /// A result on stdout; a closed pipe (`| head`) is not an error.
    pub fn out(&self, s: &str) -> Result<u8> {
        self.out_bytes(crate::mask::apply(s).as_bytes())
    }

    /// Binary output (a `.pb`), written as it is.
    pub fn out_bytes(&self, b: &[u8]) -> Result<u8> {
        let mut stdout = std::io::stdout().lock();
        match stdout.write_all(b).and_then(|()| stdout.flush()) {
            Ok(()) => Ok(0),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
            Err(e) => Err(Error::Io(format!("cannot write to stdout: {e}"))),
        }
    }

    /// A JSON document on stdout, pretty, with a trailing newline.
    pub fn json(&self, v: &serde_json::Value) -> Result<u8> {
        self.out(&pretty(v))
    }

    /// A note on stderr, unless `--quiet`.
    pub fn note(&self, s: &str) {
        if !self.quiet {
            eprint_line(s);
        }
    }

    /// On stderr even with `--quiet`: what `--quiet` keeps (a suite's summary).
    pub fn summary(&self, s: &str) {
        eprint_line(s);
    }

    /// A detail on stderr with `-v`.
    pub fn detail(&self, s: &str) {
        if self.verbose {
            eprint_line(&format!("agentctl: {s}"));
        }
    }

    /// Progress for one job, in the mode the terminal allows.
    pub fn progress(&self, task: &str) -> Progress {
        Progress::new(Mode::detect(self.quiet), task)
    }

    /// The error a command ended with, always shown.
    pub fn error(e: &Error) {
        eprint_line(&format!("error: {e}"));
    }
}

fn eprint_line(s: &str) {
    let text = crate::mask::apply(&progress::safe(s));
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

pub fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    s.push('\n');
    s
}
