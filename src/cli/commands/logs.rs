//! `agentctl logs` and `agentctl metrics`: a job's logs (paged, followed until it ends) and
//! metrics, by handle, in either generation.

use std::io::IsTerminal;
use std::time::{Duration, SystemTime};

use super::super::Context;
use super::super::args::{Format, LogsArgs, MetricsArgs};
use super::jobs::job_from_args;
use crate::agent::Agent;
use crate::error::{Error, Result};
use crate::logs::{Follower, Shower, unsupported};
use crate::runner::{self, Interrupts, State};
use crate::wire::MetricsRequest;

/// Failed GetTask calls in a row after which `--follow` stops (as `run`'s budget).
const MAX_GET_FAILURES: u32 = 5;

fn logs_error(location: &str, s: &tonic::Status) -> Error {
    if unsupported(s) {
        Error::Rpc(format!(
            "{location} does not implement GetTaskLogs for this job ({:?}: {})",
            s.code(),
            s.message().trim_end()
        ))
    } else {
        Error::Rpc(runner::status_text(location, "GetTaskLogs", s))
    }
}

pub fn logs(ctx: &Context, a: LogsArgs) -> Result<u8> {
    let (agent, job) = job_from_args(ctx, &a.job)?;
    let since = a.since.map(|d| SystemTime::now() - d);
    let json = a.job.format == Format::Json;
    let mut shower = Shower::new(json, std::io::stdout().is_terminal(), since);
    let mut follower = Follower::new(a.lines.unwrap_or(0));
    super::super::block_on(async move {
        let interrupts = Interrupts::listen();
        let location = agent.location();
        let mut stdout = std::io::stdout().lock();
        let mut first = true;
        let mut wait = Duration::ZERO;
        let mut failures = 0u32;
        loop {
            let mut lines = tokio::select! {
                r = follower.poll(&agent, &job) => r.map_err(|s| logs_error(&location, &s))?,
                // following never deletes the job: Ctrl-C just stops
                _ = interrupts.after(0) => break,
            };
            if first && let Some(n) = a.lines {
                let n = n as usize;
                if lines.len() > n {
                    lines.drain(..lines.len() - n);
                }
            }
            first = false;
            for l in &lines {
                match shower.show(l, &mut stdout) {
                    Ok(()) => {}
                    // `| head`: the reader has all it wants
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
                    Err(e) => return Err(Error::Io(format!("cannot write to stdout: {e}"))),
                }
            }
            if !a.follow {
                break;
            }
            // between pages, GetTask says whether there will be more
            let state = tokio::select! {
                r = agent.get(&job) => r.map(|res| runner::interpret(&res).1),
                _ = interrupts.after(0) => break,
            };
            match state {
                Ok(State::Pending) => failures = 0,
                Ok(_) => {
                    // the job ended: what it wrote last, then stop
                    if let Ok(rest) = follower.poll(&agent, &job).await {
                        for l in &rest {
                            let _ = shower.show(l, &mut stdout);
                        }
                    }
                    break;
                }
                // a deleted job ends following; an agent that keeps failing too
                Err(s) if s.code() == tonic::Code::NotFound => break,
                Err(s) => {
                    failures += 1;
                    ctx.printer
                        .note(&runner::status_text(&location, "GetTask", &s));
                    if failures >= MAX_GET_FAILURES {
                        return Err(Error::Rpc(format!(
                            "GetTask failed {failures} times in a row; stopped following"
                        )));
                    }
                }
            }
            wait = runner::next_poll_wait(wait, Duration::from_secs(1));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = interrupts.after(0) => break,
            }
        }
        let _ = shower.finish(&mut stdout);
        Ok(0)
    })
}

pub fn metrics(ctx: &Context, a: MetricsArgs) -> Result<u8> {
    let (agent, job) = job_from_args(ctx, &a.job)?;
    let now = chrono::Utc::now();
    let time = |flag: &str, v: &Option<String>| -> Result<Option<prost_types::Timestamp>> {
        v.as_deref()
            .map(|s| {
                crate::literal::parse_datetime(s, now).map_err(|e| {
                    Error::input(format!(
                        "--{flag} {s:?} is not a time{}; for example 2024-01-02T03:04:05 or now - 1h",
                        e.map(|e| format!(" ({e})")).unwrap_or_default()
                    ))
                })
            })
            .transpose()
    };
    let req = MetricsRequest {
        queries: a.queries.clone(),
        start: time("start", &a.start)?,
        end: time("end", &a.end)?,
        step: a.step.and_then(|d| prost_types::Duration::try_from(d).ok()),
    };
    super::super::block_on(async move {
        let results = agent.metrics(&job, &req).await.map_err(|s| {
            Error::Rpc(runner::status_text(&agent.location(), "GetTaskMetrics", &s))
        })?;
        let docs: Vec<serde_json::Value> = results
            .iter()
            .map(|r| {
                serde_json::json!({
                    "metric": r.metric,
                    "data": r.data.as_ref().map(crate::literal::struct_to_json),
                })
            })
            .collect();
        match a.job.format {
            Format::Json => ctx.printer.json(&serde_json::Value::Array(docs)),
            Format::Human => {
                let mut text = String::new();
                for d in &docs {
                    text.push_str(&format!("{}\n", d["metric"].as_str().unwrap_or_default()));
                    let data = serde_json::to_string_pretty(&d["data"]).unwrap_or_default();
                    for line in data.lines() {
                        text.push_str(&format!("  {line}\n"));
                    }
                }
                ctx.printer.out(&text)
            }
        }
    })
}
