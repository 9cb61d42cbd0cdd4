//! Reports CI systems read, shared by `agentctl test` and `agentctl check`: JUnit XML
//! ([`junit`]), GitHub workflow commands and a step summary ([`github`]). A new report format is
//! a file here over the same [`Suite`] results.

pub mod github;
pub mod junit;

use std::path::PathBuf;
use std::time::Duration;

/// How one case (or rule) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    /// An expectation not met, or a failed task: JUnit `<failure>`.
    Failed,
    /// An RPC failure, timeout or setup problem: JUnit `<error>`.
    Errored,
    Skipped,
}

/// One case's result, as every report shows it.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub outcome: Outcome,
    /// One line: what went wrong.
    pub message: String,
    /// The detail: what was expected and what came back.
    pub detail: String,
    pub time: Duration,
    /// Facts for `<system-out>`: task type, generation, attempts, outputs.
    pub system_out: String,
    /// Where the case is written, for annotations.
    pub line: Option<usize>,
}

/// One suite file's (or one `check` run's) results.
#[derive(Debug, Clone)]
pub struct Suite {
    pub name: String,
    pub file: Option<PathBuf>,
    pub properties: Vec<(String, String)>,
    pub cases: Vec<Case>,
    pub time: Duration,
}

impl Suite {
    pub fn count(&self, o: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == o).count()
    }
}
