//! A job's logs: GetTaskLogs paging (a header carries the next page's token, bodies carry
//! lines; an empty token means no further page now), following a job's logs without showing a
//! line twice, and showing lines — with `--lines`/`--since`, as NDJSON, and with a line that
//! ends in CR overwriting the one before on a terminal, as progress bars do. Used by
//! `agentctl logs` and by `run --logs`.

use std::io::Write;

use tonic::{Code, Status};

use crate::agent::Agent;
use crate::progress::safe;
use crate::wire::{Job, LogLine, LogsRequest};

/// At most this many pages are read in one poll (a server that keeps handing out tokens).
const MAX_PAGES_PER_POLL: usize = 100;

/// Follows a job's log pages; each [`Follower::poll`] returns only the lines not yet returned.
#[derive(Debug, Default)]
pub struct Follower {
    lines: u64,
    /// The token of the last page read: the page that may still grow.
    last_token: String,
    /// The lines of the last page as last read (the only page read again).
    shown: (String, Vec<LogLine>),
}

/// Whether a status means "this agent has no logs": UNIMPLEMENTED, or the UNKNOWN with
/// `NotImplementedError` that Flyte 2's `c0` answers.
pub fn unsupported(s: &Status) -> bool {
    s.code() == Code::Unimplemented
        || (s.code() == Code::Unknown && s.message().contains("NotImplementedError"))
}

impl Follower {
    pub fn new(lines: u64) -> Self {
        Follower {
            lines,
            ..Default::default()
        }
    }

    /// Every page there is now, from the last one read, following tokens.
    pub async fn poll<A: Agent>(&mut self, agent: &A, job: &Job) -> Result<Vec<LogLine>, Status> {
        let mut out = Vec::new();
        let mut token = self.last_token.clone();
        for _ in 0..MAX_PAGES_PER_POLL {
            let req = LogsRequest {
                lines: self.lines,
                token: token.clone(),
            };
            let page = agent.logs(job, &req).await?;
            if self.shown.0 != token {
                self.shown = (token.clone(), Vec::new());
            }
            let seen = &mut self.shown.1;
            // a page usually grows; one that was rewritten (a status line) shows what is new
            if page.lines.starts_with(seen) {
                out.extend(page.lines[seen.len()..].iter().cloned());
            } else {
                out.extend(page.lines.iter().filter(|l| !seen.contains(l)).cloned());
            }
            *seen = page.lines;
            self.last_token = token.clone();
            if page.next_token.is_empty() || page.next_token == token {
                break;
            }
            token = page.next_token;
        }
        Ok(out)
    }
}

/// How lines are shown.
pub struct Shower {
    pub json: bool,
    /// On a terminal, a line ending in CR is redrawn in place by the next one.
    pub terminal: bool,
    /// Lines older than this are not shown.
    pub since: Option<std::time::SystemTime>,
    overwriting: bool,
}

impl Shower {
    pub fn new(json: bool, terminal: bool, since: Option<std::time::SystemTime>) -> Self {
        Shower {
            json,
            terminal,
            since,
            overwriting: false,
        }
    }

    pub fn wanted(&self, line: &LogLine) -> bool {
        match (self.since, &line.timestamp) {
            (Some(since), Some(t)) => std::time::SystemTime::try_from(*t).is_ok_and(|t| t >= since),
            _ => true,
        }
    }

    /// Writes one line; control bytes from the agent never reach the terminal raw (agentctl
    /// draws the CR overwrite itself).
    pub fn show(&mut self, line: &LogLine, out: &mut impl Write) -> std::io::Result<()> {
        if !self.wanted(line) {
            return Ok(());
        }
        if self.json {
            let doc = serde_json::json!({
                "timestamp": line.timestamp.as_ref().map(crate::literal::format_timestamp),
                "originator": line.originator_name(),
                "message": crate::mask::apply(&line.message),
            });
            return writeln!(out, "{doc}");
        }
        let cr = line.message.ends_with('\r');
        let message = line.message.trim_end_matches(['\r', '\n']);
        let text = crate::mask::apply(&safe(&format!("{} {message}", prefix(line))));
        match (self.terminal, cr) {
            (true, true) => {
                write!(out, "\r\x1b[2K{text}")?;
                self.overwriting = true;
                out.flush()
            }
            (true, false) if self.overwriting => {
                self.overwriting = false;
                writeln!(out, "\r\x1b[2K{text}")
            }
            _ => writeln!(out, "{text}"),
        }
    }

    /// Ends a line left open by a CR.
    pub fn finish(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if self.overwriting {
            self.overwriting = false;
            writeln!(out)?;
        }
        Ok(())
    }
}

/// `2026-01-02T03:04:05Z USER`.
pub fn prefix(line: &LogLine) -> String {
    let ts = line
        .timestamp
        .as_ref()
        .map(crate::literal::format_timestamp)
        .unwrap_or_else(|| "-".into());
    format!("{ts} {}", line.originator_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(m: &str) -> LogLine {
        LogLine {
            timestamp: None,
            message: m.into(),
            originator: 1,
        }
    }

    #[test]
    fn a_cr_line_is_redrawn_in_place_on_a_terminal_only() {
        let mut out = Vec::new();
        let mut s = Shower::new(false, true, None);
        for m in ["start", "10%\r", "50%\r", "done", "\x1b[31mred"] {
            s.show(&line(m), &mut out).unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "- USER start\n\r\x1b[2K- USER 10%\r\x1b[2K- USER 50%\r\x1b[2K- USER done\n- USER \\u{1b}[31mred\n"
        );
        let mut out = Vec::new();
        let mut s = Shower::new(false, false, None);
        s.show(&line("10%\r"), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "- USER 10%\n");
    }

    #[test]
    fn json_lines_are_one_object_each() {
        let mut out = Vec::new();
        let mut s = Shower::new(true, true, None);
        s.show(&line("a"), &mut out).unwrap();
        s.show(&line("b\r"), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let docs: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["originator"], "USER");
    }
}
