//! The library's error type. Every variant knows its exit code, so the binary's edge only
//! prints and exits; the codes are part of agentctl's interface (README, `--help`).

use std::fmt;

/// Exit codes, stable for scripts.
pub mod exit {
    pub const SUCCESS: u8 = 0;
    /// The agent ran the task and it failed (FAILED, ABORTED, RETRYABLE_FAILED with no retries left).
    pub const TASK_FAILED: u8 = 1;
    /// Usage error or bad input; nothing was sent.
    pub const USAGE: u8 = 2;
    /// An RPC failed and the retries or budgets for it are spent.
    pub const RPC: u8 = 3;
    /// The run timed out (a delete was sent for what was running).
    pub const TIMEOUT: u8 = 124;
    /// Interrupted by Ctrl-C or SIGTERM (a delete was sent for what was running).
    pub const INTERRUPTED: u8 = 130;
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
    /// A local I/O failure that is not the user's input (writing outputs, say).
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
            Error::TaskFailed(_) | Error::Io(_) => exit::TASK_FAILED,
            Error::Rpc(_) => exit::RPC,
            Error::Timeout(_) => exit::TIMEOUT,
            Error::Interrupted(_) => exit::INTERRUPTED,
        }
    }
}
