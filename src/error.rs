//! The library's error type. Every variant knows its exit code, so the binary's edge only
//! prints and exits; the codes are part of agentctl's interface (README, `--help`).

use std::fmt;

/// Exit codes, stable for scripts. [`exit::TABLE`] is the one place they are described: the
/// `--help` text is made from it, and a test keeps the README's table equal to it.
pub mod exit {
    pub const SUCCESS: u8 = 0;
    /// The agent ran the task and it failed (FAILED, ABORTED, RETRYABLE_FAILED with no retries left).
    pub const TASK_FAILED: u8 = 1;
    /// Usage error or bad input; nothing was sent.
    pub const USAGE: u8 = 2;
    /// An RPC failed and the retries or budgets for it are spent.
    pub const RPC: u8 = 3;
    /// A local failure that is not the user's input (stdout cannot be written, say).
    pub const LOCAL: u8 = 4;
    /// The run timed out (a delete was sent for what was running).
    pub const TIMEOUT: u8 = 124;
    /// Interrupted by Ctrl-C or SIGTERM (a delete was sent for what was running).
    pub const INTERRUPTED: u8 = 130;

    /// Every code and what it means, as `--help` and the README print them.
    pub const TABLE: &[(u8, &str)] = &[
        (
            SUCCESS,
            "succeeded; also `logs --follow` stopped by Ctrl-C (following never deletes a job)",
        ),
        (
            TASK_FAILED,
            "the task failed (FAILED, ABORTED, RETRYABLE_FAILED with no retries left); a `test` case or `check` rule failed",
        ),
        (
            USAGE,
            "usage or bad input (a generation mismatch, an invalid suite); nothing was sent",
        ),
        (
            RPC,
            "an RPC failed and retries or budgets are spent (unreachable, CreateTask error, GetTask budget); `test`'s agent did not start",
        ),
        (
            LOCAL,
            "a local failure that is not bad input (stdout could not be written)",
        ),
        (TIMEOUT, "timed out (a delete was sent)"),
        (INTERRUPTED, "interrupted (a delete was sent)"),
    ];

    /// The table as `--help` shows it.
    pub fn help_text() -> String {
        let mut s = String::from("Exit codes:");
        for (code, what) in TABLE {
            s.push_str(&format!("\n  {code:<4} {what}"));
        }
        s
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input from the user: a template, a flag, a value, a file. Nothing was sent.
    #[error("{0}")]
    Input(String),
    /// The agent ran the task and reported a failure.
    #[error("{0}")]
    TaskFailed(String),
    /// A call to an agent failed for good.
    #[error("{0}")]
    Rpc(String),
    /// The task or the whole run ran out of time.
    #[error("{0}")]
    Timeout(String),
    /// Ctrl-C or SIGTERM.
    #[error("{0}")]
    Interrupted(String),
    /// A local I/O failure that is not the user's input (stdout closed or full, say).
    #[error("{0}")]
    Io(String),
}

impl Error {
    pub fn input(msg: impl fmt::Display) -> Self {
        Error::Input(msg.to_string())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) => exit::USAGE,
            Error::TaskFailed(_) => exit::TASK_FAILED,
            Error::Io(_) => exit::LOCAL,
            Error::Rpc(_) => exit::RPC,
            Error::Timeout(_) => exit::TIMEOUT,
            Error::Interrupted(_) => exit::INTERRUPTED,
        }
    }
}
