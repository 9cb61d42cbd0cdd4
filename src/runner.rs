//! The propeller loop, for every agent alike: route (sync or async), create, poll GetTask with a
//! quick-then-capped backoff, map phases exactly as propeller does, retry retryable failures,
//! enforce the per-attempt and whole-run timeouts, delete on abort (never after completion), and
//! read the outputs.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use prost::Message as _;
use tokio::sync::watch;
use tokio::time::sleep_until;
use tonic::Status;

use crate::agent::{self, Agent};
use crate::error::Error;
use crate::pb::{admin, core};
use crate::progress::Progress;
use crate::template::Template;
use crate::wire::{Connection, CreateRequest, Job, LogLink, Resource, Wire};
use crate::{inputs, literal};

/// Where outputs go: the string the agent sees, and the local directory behind it when there is one.
#[derive(Debug, Clone)]
pub struct OutputPrefix {
    pub uri: String,
    pub local: Option<PathBuf>,
}

impl OutputPrefix {
    /// A path or `file://` URI is local; any other scheme is passed to the agent as it is.
    pub fn parse(s: &str) -> Self {
        if let Some(p) = s.strip_prefix("file://") {
            return OutputPrefix {
                uri: s.to_string(),
                local: Some(PathBuf::from(p)),
            };
        }
        if s.contains("://") {
            return OutputPrefix {
                uri: s.to_string(),
                local: None,
            };
        }
        let abs = std::path::absolute(s).unwrap_or_else(|_| PathBuf::from(s));
        OutputPrefix {
            uri: abs.display().to_string(),
            local: Some(abs),
        }
    }

    /// A fresh local directory, as flytekit's local runs use.
    pub fn fresh() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join("agentctl").join(format!(
            "{:x}{:x}",
            std::process::id(),
            nanos
        ));
        OutputPrefix {
            uri: dir.display().to_string(),
            local: Some(dir),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub output_prefix: OutputPrefix,
    /// Overrides the template's `metadata.retries`.
    pub retries: Option<u32>,
    /// Bounds the whole run, every attempt included.
    pub timeout: Option<Duration>,
    /// When the run must end, if the caller started the clock earlier (routing under the same
    /// `--timeout`); otherwise `timeout` from now.
    pub deadline: Option<tokio::time::Instant>,
    /// The cap of the poll backoff (pyflyte polls at a fixed 1 s).
    pub poll_interval: Duration,
    /// Failed GetTask calls allowed per attempt; the next one gives up (propeller's maxSystemFailures).
    pub max_get_failures: u32,
    /// `run --logs`: the job's logs between polls, on stderr.
    pub logs: bool,
}

/// What a run ended with, success or not: what `-o json` prints.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub phase: String,
    pub message: String,
    pub outputs: Option<core::LiteralMap>,
    pub log_links: Vec<LogLink>,
    pub custom_info: Option<prost_types::Struct>,
    /// The generation spoken, and why (`None` in-process).
    pub wire: Option<(Wire, String)>,
    pub attempts: u32,
    pub resource_meta: Vec<u8>,
    pub duration: Duration,
    pub polls: u32,
    pub output_prefix: String,
}

/// A job's handle: everything `agentctl get|delete` needs to find it again, from any process:
/// where, which generation, and — for Flyte 2 — the `connection` to send again, with the names
/// of the environment variables its secrets come from (never their values).
pub fn handle_json(endpoint: Option<&str>, wire: Option<Wire>, job: &Job) -> serde_json::Value {
    let mut h = serde_json::json!({
        "endpoint": endpoint,
        "wire": wire.map(Wire::name),
        "task_type": job.category.name,
        "task_version": job.category.version,
        "resource_meta": base64::engine::general_purpose::STANDARD.encode(&job.resource_meta),
        "output_prefix": job.output_prefix,
    });
    let c = &job.connection;
    if !c.is_empty() {
        let secrets: serde_json::Map<String, serde_json::Value> = c
            .secrets
            .iter()
            .map(|(k, s)| (k.clone(), serde_json::Value::String(s.env.clone())))
            .collect();
        h["connection"] = serde_json::json!({
            "task_type": c.task_type,
            "secret_env": secrets,
            "configs": c.configs,
        });
    }
    h
}

/// The command that deletes a job later, quoted for a POSIX shell whatever the handle holds.
pub fn delete_command(handle: &serde_json::Value) -> String {
    let text = handle.to_string().replace('\'', r"'\''");
    format!("echo '{text}' | agentctl delete -")
}

#[cfg(unix)]
async fn next_signal(s: &mut Option<tokio::signal::unix::Signal>) {
    match s {
        Some(s) => {
            s.recv().await;
        }
        // the handler could not be installed: this signal keeps its default action
        None => std::future::pending::<()>().await,
    }
}

/// Interrupts (Ctrl-C, SIGTERM) as a counter the loop can wait on.
#[derive(Clone)]
pub struct Interrupts(watch::Receiver<u32>);

impl Interrupts {
    /// Listens for SIGINT and SIGTERM for the life of the process. On Unix the handlers are in
    /// place when this returns (not when the task below first runs): a signal that arrives
    /// after, however soon, is counted instead of killing the process before it can clean up.
    pub fn listen() -> Self {
        let (tx, rx) = watch::channel(0u32);
        #[cfg(unix)]
        let mut signals = {
            use tokio::signal::unix::{SignalKind, signal};
            (
                signal(SignalKind::interrupt()).ok(),
                signal(SignalKind::terminate()).ok(),
            )
        };
        tokio::spawn(async move {
            loop {
                #[cfg(unix)]
                tokio::select! {
                    _ = next_signal(&mut signals.0) => {}
                    _ = next_signal(&mut signals.1) => {}
                }
                #[cfg(not(unix))]
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
                tx.send_modify(|n| *n += 1);
            }
        });
        Interrupts(rx)
    }

    /// How many interrupts came so far.
    pub fn count(&self) -> u32 {
        *self.0.borrow()
    }

    /// Resolves when the count passes `seen`.
    pub async fn after(&self, seen: u32) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|n| *n > seen).await;
    }
}

/// How a `Resource` reads, mapped as propeller's `Status()` maps it.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    Pending,
    Succeeded,
    Failed,
    Retryable,
    Unknown,
}

/// The phase name and the state. Each generation's adapter has already read its answer by its
/// own rules (Flyte 1's `state` fallback included), so only the phase is read here.
pub fn interpret(r: &Resource) -> (&'static str, State) {
    use core::task_execution::Phase as P;
    match P::try_from(r.phase) {
        Ok(P::Undefined) => ("UNDEFINED", State::Unknown),
        Ok(P::Queued) => ("QUEUED", State::Pending),
        Ok(P::WaitingForResources) => ("WAITING_FOR_RESOURCES", State::Pending),
        Ok(P::Initializing) => ("INITIALIZING", State::Pending),
        Ok(P::Running) => ("RUNNING", State::Pending),
        Ok(P::Succeeded) => ("SUCCEEDED", State::Succeeded),
        Ok(P::Aborted) => ("ABORTED", State::Failed),
        Ok(P::Failed) => ("FAILED", State::Failed),
        Ok(P::RetryableFailed) => ("RETRYABLE_FAILED", State::Retryable),
        Err(_) => ("UNKNOWN", State::Unknown),
    }
}

/// Fills in what `run` needs from a template, the inputs and the options.
pub struct Task<'a> {
    pub template: &'a Template,
    pub inputs: &'a core::LiteralMap,
    /// Flyte 2's `connection`; Flyte 1 sends none.
    pub connection: &'a Connection,
}

/// The first wait between two GetTask calls. The waits then grow by half each time up to the
/// poll interval: a job done in 200 ms is seen within 100 ms, a quick job costs one short wait
/// rather than pyflyte's fixed second, and an agent gets about a dozen calls in the first
/// second, then one per interval.
const FIRST_POLL: Duration = Duration::from_millis(5);

/// The wait before the next GetTask after a non-terminal answer.
pub fn next_poll_wait(prev: Duration, cap: Duration) -> Duration {
    if prev.is_zero() {
        FIRST_POLL
    } else {
        (prev * 3 / 2).min(cap.max(FIRST_POLL))
    }
}

/// The wait after a failed GetTask: doubling, so a struggling agent is given room, up to four
/// poll intervals.
pub fn next_failure_wait(prev: Duration, cap: Duration) -> Duration {
    (prev.max(FIRST_POLL) * 2).min(cap.max(FIRST_POLL) * 4)
}

/// How one attempt ended.
enum Attempt {
    Done(Result<(), Error>),
    /// A failure that consumes a retry; its variant is the exit code if none is left.
    Retry(Error),
}

/// What every attempt of one run shares: the agent, the options, where progress goes, the
/// interrupts, the run's deadline and the report being filled.
struct Ctx<'a, A: Agent> {
    agent: &'a A,
    opts: &'a Options,
    progress: &'a mut Progress,
    interrupts: &'a Interrupts,
    run_deadline: Option<tokio::time::Instant>,
    report: &'a mut Report,
    /// `run --logs` while the agent answers GetTaskLogs.
    logs: Option<crate::logs::Follower>,
}

impl<A: Agent> Ctx<'_, A> {
    /// New log lines as notes; an agent without logs is said once, and the run goes on.
    async fn show_logs(&mut self, job: &Job) {
        let Some(follower) = self.logs.as_mut() else {
            return;
        };
        let r = tokio::time::timeout(Duration::from_secs(10), follower.poll(self.agent, job)).await;
        match r {
            Ok(Ok(lines)) => {
                for l in lines {
                    // the note has its own time: the line's originator and text are enough
                    let message = l.message.trim_end_matches(['\r', '\n']);
                    self.progress
                        .note(&format!("{} {message}", l.originator_name()));
                }
            }
            Ok(Err(s)) => {
                let why = if crate::logs::unsupported(&s) {
                    "the agent does not implement GetTaskLogs".to_string()
                } else {
                    status_text(&self.agent.location(), "GetTaskLogs", &s)
                };
                self.progress.note(&format!("{why}; no logs for this run"));
                self.logs = None;
            }
            Err(_) => {}
        }
    }
}

/// One attempt's own request (its rendered template included) and limits.
struct AttemptSpec {
    request: CreateRequest,
    timeout: Option<Duration>,
}

pub async fn run<A: Agent>(
    agent: &A,
    task: Task<'_>,
    opts: &Options,
    progress: &mut Progress,
    interrupts: &Interrupts,
) -> (Report, Result<(), Error>) {
    let started = Instant::now();
    let run_deadline = opts.deadline.or_else(|| {
        opts.timeout
            .and_then(|d| tokio::time::Instant::now().checked_add(d))
    });
    let template = task.template;
    let category = agent::category(&template.view);
    let meta = template.view.metadata.clone().unwrap_or_default();
    let retries = opts
        .retries
        .unwrap_or_else(|| meta.retries.map(|r| r.retries).unwrap_or(0));
    let attempt_timeout = meta
        .timeout
        .and_then(|d| Duration::try_from(d).ok())
        .filter(|d| !d.is_zero());
    let mut report = Report {
        output_prefix: opts.output_prefix.uri.clone(),
        phase: "UNDEFINED".into(),
        ..Default::default()
    };

    if let Some(dir) = &opts.output_prefix.local
        && let Err(e) = prepare_prefix(dir, task.inputs)
    {
        return (report, Err(e));
    }

    // discovery and detection come under --timeout and Ctrl-C like everything else
    let seen = interrupts.count();
    let prepared = tokio::select! {
        r = agent.prepare(&category) => r,
        _ = interrupts.after(seen) => {
            report.duration = started.elapsed();
            return (report, Err(Error::Interrupted("interrupted before anything was created".into())));
        }
        _ = sleep_opt(run_deadline) => {
            report.duration = started.elapsed();
            let limit = opts.timeout.map(humantime_short).unwrap_or_default();
            return (report, Err(Error::Timeout(format!("the run timed out after {limit} (--timeout) before anything was created: {} did not answer discovery", agent.location()))));
        }
    };
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => {
            report.duration = started.elapsed();
            return (report, Err(e));
        }
    };
    report.wire = prepared.wire.clone();

    let mut ctx = Ctx {
        agent,
        opts,
        progress,
        interrupts,
        run_deadline,
        report: &mut report,
        logs: opts.logs.then(|| crate::logs::Follower::new(0)),
    };
    let result = loop {
        let attempt = ctx.report.attempts;
        ctx.report.attempts += 1;
        if attempt > 0 {
            ctx.progress.note(&format!(
                "retrying: attempt {} of {}",
                attempt + 1,
                retries + 1
            ));
        }
        let spec = AttemptSpec {
            request: create_request(
                template,
                task.inputs,
                task.connection,
                &opts.output_prefix,
                attempt,
            ),
            timeout: attempt_timeout,
        };
        let outcome = if prepared.sync {
            sync_attempt(&mut ctx, spec).await
        } else {
            async_attempt(&mut ctx, spec).await
        };
        match outcome {
            Attempt::Done(r) => break r,
            Attempt::Retry(why) if attempt < retries => ctx
                .progress
                .note(&format!("attempt {} failed: {why}", attempt + 1)),
            Attempt::Retry(why) => break Err(after_attempts(why, ctx.report, retries)),
        }
    };
    progress.finish();
    report.duration = started.elapsed();
    (report, result)
}

/// Creates the local output prefix and writes `inputs.pb` into it: propeller's input prefix
/// holds it, and the rendered template can point at it.
pub fn prepare_prefix(dir: &std::path::Path, inputs: &core::LiteralMap) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::input(format!(
            "cannot use the output prefix {}: {e}; give a writable directory with --output-prefix",
            dir.display()
        ))
    })?;
    let path = dir.join("inputs.pb");
    std::fs::write(&path, inputs.encode_to_vec()).map_err(|e| {
        Error::input(format!(
            "cannot write {}: {e}; give a writable directory with --output-prefix",
            path.display()
        ))
    })
}

/// The CreateTask (or ExecuteTaskSync) request for one attempt, as propeller builds it; `create`
/// uses it too, so the two cannot drift.
pub fn create_request(
    template: &Template,
    inputs: &core::LiteralMap,
    connection: &Connection,
    prefix: &OutputPrefix,
    attempt: u32,
) -> CreateRequest {
    CreateRequest {
        template: render_template(template, prefix, inputs, attempt),
        inputs: inputs.clone(),
        output_prefix: prefix.uri.clone(),
        metadata: execution_metadata(&template.view, attempt),
        connection: connection.clone(),
    }
}

/// The last attempt's failure, saying how many attempts there were. An RPC that kept failing
/// stays exit 3, a timeout 124, a task that kept failing 1.
fn after_attempts(e: Error, report: &Report, retries: u32) -> Error {
    if retries == 0 {
        return e;
    }
    let tries = format!(" (after {} attempts)", report.attempts);
    match e {
        Error::Rpc(m) => Error::Rpc(m + &tries),
        Error::Timeout(m) => Error::Timeout(m + &tries),
        Error::TaskFailed(m) => Error::TaskFailed(m + &tries),
        other => other,
    }
}

/// A failed call, in full: flytekit's servers put the cause on the lines after the first.
pub fn status_text(location: &str, method: &str, s: &Status) -> String {
    format!(
        "{method} to {location} failed: {:?}: {}",
        s.code(),
        s.message().trim_end()
    )
}

/// A call's failure as the error it is: an in-process agent that rejects its input, or a
/// server without the generation's CreateTask, is bad input (nothing was created); anything
/// else a failed RPC.
pub fn call_error(location: &str, method: &str, s: &Status) -> Error {
    let text = status_text(location, method, s);
    match s.code() {
        tonic::Code::InvalidArgument if location == "in-process" => Error::Input(text),
        // the server has no such method: nothing was created, and no retry will change that
        tonic::Code::Unimplemented if method == "CreateTask" => Error::Input(text),
        _ => Error::Rpc(text),
    }
}

async fn sync_attempt<A: Agent>(ctx: &mut Ctx<'_, A>, spec: AttemptSpec) -> Attempt {
    let seen = ctx.interrupts.count();
    ctx.progress
        .update("RUNNING", "executing (sync agent)", 0, &[]);
    let r = tokio::select! {
        r = ctx.agent.execute_sync(&spec.request, spec.timeout) => r,
        _ = ctx.interrupts.after(seen) => return Attempt::Done(Err(Error::Interrupted("interrupted; a sync execution has nothing to delete".into()))),
        _ = sleep_opt(ctx.run_deadline) => return Attempt::Done(Err(Error::Timeout("timed out waiting for the sync agent (--timeout)".into()))),
    };
    match r {
        Err(s) => match call_error(&ctx.agent.location(), "ExecuteTaskSync", &s) {
            e @ Error::Input(_) => Attempt::Done(Err(e)),
            e => Attempt::Retry(e),
        },
        Ok(resource) => finish(&spec.request.template, resource, ctx.opts, ctx.report),
    }
}

async fn async_attempt<A: Agent>(ctx: &mut Ctx<'_, A>, spec: AttemptSpec) -> Attempt {
    let location = ctx.agent.location();
    let category = agent::category(&spec.request.template.view);

    // Ctrl-C or the run deadline during CreateTask: let the create finish, then delete what it
    // made. Once either has happened, a further Ctrl-C stops the wait, and so does the end of
    // the deadline's grace, whichever came first: --timeout bounds a run even when CreateTask
    // never answers, and Ctrl-C then timeout still ends.
    if ctx
        .run_deadline
        .is_some_and(|d| d <= tokio::time::Instant::now())
    {
        let limit = ctx.opts.timeout.map(humantime_short).unwrap_or_default();
        return Attempt::Done(Err(Error::Timeout(format!(
            "the run timed out after {limit} (--timeout) before CreateTask was sent; nothing was created"
        ))));
    }
    let seen = ctx.interrupts.count();
    let create = ctx.agent.create(&spec.request);
    tokio::pin!(create);
    let mut abort: Option<Error> = None;
    // with `abort` set: the interrupt count past which waiting stops
    let mut stop_after = seen;
    let mut give_up_at = None;
    let grace = create_grace(ctx.opts.timeout);
    let created = loop {
        tokio::select! {
            r = &mut create => break r,
            _ = ctx.interrupts.after(seen), if abort.is_none() => {
                ctx.progress.note("interrupted: waiting for CreateTask to return, then deleting the job (Ctrl-C again to stop waiting)");
                abort = Some(Error::Interrupted("interrupted".into()));
                // the next one stops the wait, even if it already came (a quick double press)
                stop_after = seen + 1;
            }
            _ = ctx.interrupts.after(stop_after), if abort.is_some() => {
                return Attempt::Done(Err(Error::Interrupted(format!(
                    "interrupted while waiting for CreateTask to return; a job of type {} may exist on {location}", category.name
                ))));
            }
            _ = sleep_opt(ctx.run_deadline), if give_up_at.is_none() => {
                ctx.progress.note(&format!(
                    "the run timed out during CreateTask: waiting up to {} for it to return, then deleting the job",
                    humantime_short(grace)
                ));
                give_up_at = Some(tokio::time::Instant::now() + grace);
                if abort.is_none() {
                    abort = Some(Error::Timeout("the run timed out (--timeout)".into()));
                    stop_after = ctx.interrupts.count();
                }
            }
            _ = sleep_opt(give_up_at), if give_up_at.is_some() => {
                return Attempt::Done(Err(Error::Timeout(format!(
                    "the run timed out (--timeout) and CreateTask had not returned {} later; a job of type {} may exist on {location}",
                    humantime_short(grace), category.name
                ))));
            }
        }
    };
    let resource_meta = match created {
        Ok(meta) => meta,
        Err(s) => {
            return match (abort, call_error(&location, "CreateTask", &s)) {
                (Some(e), _) => Attempt::Done(Err(e)),
                (None, e @ Error::Input(_)) => Attempt::Done(Err(e)),
                (None, e) => Attempt::Retry(e),
            };
        }
    };
    let job = Job {
        category,
        resource_meta,
        output_prefix: ctx.opts.output_prefix.uri.clone(),
        connection: spec.request.connection.clone(),
    };
    ctx.report.resource_meta = job.resource_meta.clone();
    if let Some(e) = abort {
        return Attempt::Done(Err(delete_on_abort(ctx, &job, e).await));
    }
    ctx.progress
        .update("QUEUED", "job submitted", ctx.report.polls, &[]);

    // a timeout too large for the clock (a binary template can hold any) is no deadline
    let attempt_deadline = spec
        .timeout
        .and_then(|d| tokio::time::Instant::now().checked_add(d));
    let mut wait = Duration::ZERO;
    let mut failures = 0u32;
    // one baseline for the whole poll loop: an interrupt that comes between two polls (while
    // logs are read, say) still counts
    let seen = ctx.interrupts.count();
    loop {
        let next = tokio::time::Instant::now() + wait;
        let got = tokio::select! {
            r = async { sleep_until(next).await; ctx.agent.get(&job).await } => r,
            _ = ctx.interrupts.after(seen) => {
                return Attempt::Done(Err(delete_on_abort(ctx, &job, Error::Interrupted("interrupted".into())).await));
            }
            _ = sleep_opt(ctx.run_deadline) => {
                let limit = ctx.opts.timeout.map(humantime_short).unwrap_or_default();
                return Attempt::Done(Err(delete_on_abort(ctx, &job, Error::Timeout(format!("the run timed out after {limit} (--timeout)"))).await));
            }
            _ = sleep_opt(attempt_deadline) => {
                let limit = spec.timeout.map(humantime_short).unwrap_or_default();
                let msg = format!("the attempt timed out after {limit} (the template's metadata.timeout)");
                return match delete_on_abort(ctx, &job, Error::Timeout(msg)).await {
                    e @ Error::Timeout(_) => Attempt::Retry(e),
                    other => Attempt::Done(Err(other)),
                };
            }
        };
        ctx.report.polls += 1;
        match got {
            Err(s) => {
                failures += 1;
                let text = status_text(&location, "GetTask", &s);
                if failures > ctx.opts.max_get_failures {
                    let handle = handle_json(
                        ctx.agent.endpoint().as_deref(),
                        ctx.report.wire.as_ref().map(|w| w.0),
                        &job,
                    );
                    return Attempt::Done(Err(Error::Rpc(format!(
                        "{text}\n  GetTask failed {failures} times (budget --max-get-failures {}); giving up without deleting the job.\n  handle: {handle}\n  to delete it: {}",
                        ctx.opts.max_get_failures,
                        delete_command(&handle)
                    ))));
                }
                ctx.progress.note(&format!(
                    "{text} (failure {failures} of {} allowed)",
                    ctx.opts.max_get_failures
                ));
                wait = next_failure_wait(wait, ctx.opts.poll_interval);
            }
            Ok(resource) => {
                let (phase, state) = interpret(&resource);
                ctx.progress.update(
                    phase,
                    &resource.message,
                    ctx.report.polls,
                    &resource.log_links,
                );
                ctx.show_logs(&job).await;
                if state == State::Pending {
                    wait = next_poll_wait(wait, ctx.opts.poll_interval);
                    continue;
                }
                if state == State::Unknown {
                    // the job may still run: say how to delete it, as when the budget is spent
                    let handle = handle_json(
                        ctx.agent.endpoint().as_deref(),
                        ctx.report.wire.as_ref().map(|w| w.0),
                        &job,
                    );
                    let outcome = finish(&spec.request.template, resource, ctx.opts, ctx.report);
                    return match outcome {
                        Attempt::Done(Err(Error::TaskFailed(m))) => {
                            Attempt::Done(Err(Error::TaskFailed(format!(
                                "{m}; the job may still run.\n  handle: {handle}\n  to delete it: {}",
                                delete_command(&handle)
                            ))))
                        }
                        other => other,
                    };
                }
                return finish(&spec.request.template, resource, ctx.opts, ctx.report);
            }
        }
    }
}

/// A terminal (or, for sync agents, any) resource: record it, and read outputs on success.
fn finish(template: &Template, resource: Resource, opts: &Options, report: &mut Report) -> Attempt {
    let (phase, state) = interpret(&resource);
    report.phase = phase.to_string();
    report.message = resource.message.clone();
    report.log_links = resource.log_links.clone();
    report.custom_info = resource.custom_info.clone();
    if let Some(problem) = resource.problem {
        return Attempt::Done(Err(Error::TaskFailed(problem)));
    }
    match state {
        State::Succeeded => match outputs(&template.view, resource.outputs, &opts.output_prefix) {
            Ok(o) => {
                report.outputs = o;
                Attempt::Done(Ok(()))
            }
            Err(OutputError::Missing(m)) => Attempt::Retry(Error::TaskFailed(m)),
            Err(OutputError::Fatal(e)) => Attempt::Done(Err(e)),
        },
        State::Failed => Attempt::Done(Err(Error::TaskFailed(failure_text(
            phase,
            &resource.message,
        )))),
        State::Retryable => {
            Attempt::Retry(Error::TaskFailed(failure_text(phase, &resource.message)))
        }
        State::Pending => Attempt::Done(Err(Error::TaskFailed(format!(
            "the sync agent answered a non-terminal phase {phase}; there is nothing to poll"
        )))),
        State::Unknown => Attempt::Done(Err(Error::TaskFailed(format!(
            "unknown execution phase {} ({phase}) in the agent's answer",
            resource.phase
        )))),
    }
}

fn failure_text(phase: &str, message: &str) -> String {
    if message.is_empty() {
        format!("the task ended {phase}")
    } else {
        format!("the task ended {phase}: {message}")
    }
}

enum OutputError {
    /// Declared outputs were not found: recoverable, as propeller's OutputsNotFound.
    Missing(String),
    Fatal(Error),
}

/// Inline outputs win; else `<prefix>/outputs.pb` (after `<prefix>/error.pb`) when the interface
/// declares outputs. Inline outputs are also written to `<prefix>/outputs.pb`, as propeller does.
fn outputs(
    template: &core::TaskTemplate,
    inline: Option<core::LiteralMap>,
    prefix: &OutputPrefix,
) -> Result<Option<core::LiteralMap>, OutputError> {
    let declared = !inputs::output_variables(template).is_empty();
    if let Some(map) = inline {
        if let Some(dir) = &prefix.local {
            std::fs::write(dir.join("outputs.pb"), map.encode_to_vec()).map_err(|e| {
                OutputError::Fatal(Error::Io(format!(
                    "cannot write {}: {e}",
                    dir.join("outputs.pb").display()
                )))
            })?;
        }
        return Ok(Some(map));
    }
    if !declared {
        return Ok(None);
    }
    let Some(dir) = &prefix.local else {
        return Err(OutputError::Fatal(Error::TaskFailed(format!(
            "the agent returned no inline outputs, and agentctl reads outputs.pb only from a local output prefix, not {}; \
             use a local --output-prefix or an agent that returns outputs inline",
            prefix.uri
        ))));
    };
    if let Ok(bytes) = std::fs::read(dir.join("error.pb")) {
        let doc = core::ErrorDocument::decode(bytes.as_slice()).unwrap_or_default();
        let e = doc.error.unwrap_or_default();
        return Err(OutputError::Fatal(Error::TaskFailed(format!(
            "the task wrote error.pb: {}: {}",
            e.code, e.message
        ))));
    }
    match std::fs::read(dir.join("outputs.pb")) {
        Ok(bytes) => core::LiteralMap::decode(bytes.as_slice())
            .map(Some)
            .map_err(|e| {
                OutputError::Fatal(Error::TaskFailed(format!(
                    "{}/outputs.pb is not a LiteralMap: {e}",
                    dir.display()
                )))
            }),
        Err(_) => Err(OutputError::Missing(format!(
            "outputs not generated by task execution: {}/outputs.pb is missing",
            dir.display()
        ))),
    }
}

/// Sends DeleteTask for an aborted job. A second interrupt while it is in flight gives up at
/// once, printing the handle so nothing is orphaned without a way back.
async fn delete_on_abort<A: Agent>(ctx: &mut Ctx<'_, A>, job: &Job, cause: Error) -> Error {
    let location = ctx.agent.location();
    ctx.progress
        .note(&format!("{cause}: deleting the job on {location}"));
    let seen = ctx.interrupts.count();
    let handle = handle_json(
        ctx.agent.endpoint().as_deref(),
        ctx.report.wire.as_ref().map(|w| w.0),
        job,
    );
    let again = delete_command(&handle);
    let r = tokio::select! {
        r = tokio::time::timeout(DELETE_WAIT, ctx.agent.delete(job)) => r,
        _ = ctx.interrupts.after(seen) => {
            return Error::Interrupted(format!("interrupted again while deleting; the job may still run.\n  handle: {handle}\n  to delete it: {again}"));
        }
    };
    let suffix = match r {
        Ok(Ok(())) => "; the job was deleted".to_string(),
        Ok(Err(s)) => format!(
            "; {} — the job may still run.\n  handle: {handle}\n  to delete it: {again}",
            status_text(&location, "DeleteTask", &s)
        ),
        Err(_) => format!(
            "; DeleteTask got no answer in {} — the job may still run.\n  handle: {handle}\n  to delete it: {again}",
            humantime_short(DELETE_WAIT)
        ),
    };
    match cause {
        Error::Timeout(m) => Error::Timeout(m + &suffix),
        Error::Interrupted(m) => Error::Interrupted(m + &suffix),
        other => other,
    }
}

/// How long a DeleteTask on abort is waited for before the handle is printed instead.
pub const DELETE_WAIT: Duration = Duration::from_secs(30);

/// How long a CreateTask still in flight at the run deadline may take before agentctl stops
/// waiting for its answer: as long again as the timeout, at most propeller's default
/// CreateTask deadline (10 s), so a short `--timeout` stays short. (A deadline already past
/// before CreateTask would be sent sends nothing.)
fn create_grace(timeout: Option<Duration>) -> Duration {
    timeout
        .unwrap_or(Duration::MAX)
        .min(Duration::from_secs(10))
}

async fn sleep_opt(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => sleep_until(d).await,
        None => std::future::pending().await,
    }
}

pub fn humantime_short(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// `TaskExecutionMetadata` with plausible local values, filled as propeller fills it (fields
/// 1–6 and 11; propeller never sets 7–10).
pub fn execution_metadata(t: &core::TaskTemplate, attempt: u32) -> admin::TaskExecutionMetadata {
    let mut task_id = t.id.clone().unwrap_or_default();
    task_id.resource_type = core::ResourceType::Task as i32;
    if task_id.project.is_empty() {
        task_id.project = "local".into();
    }
    if task_id.domain.is_empty() {
        task_id.domain = "development".into();
    }
    let exec_name = execution_name();
    let namespace = format!("{}-{}", task_id.project, task_id.domain);
    let labels = [
        ("execution-id", exec_name.clone()),
        ("project", task_id.project.clone()),
        ("domain", task_id.domain.clone()),
        ("node-id", "n0".into()),
        ("task-name", sanitize_label(&task_id.name)),
        ("interruptible", "false".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    admin::TaskExecutionMetadata {
        task_execution_id: Some(core::TaskExecutionIdentifier {
            node_execution_id: Some(core::NodeExecutionIdentifier {
                node_id: "n0".into(),
                execution_id: Some(core::WorkflowExecutionIdentifier {
                    project: task_id.project.clone(),
                    domain: task_id.domain.clone(),
                    name: exec_name,
                    org: task_id.org.clone(),
                }),
            }),
            task_id: Some(task_id),
            retry_attempt: attempt,
        }),
        namespace,
        labels,
        k8s_service_account: "default".into(),
        identity: t.security_context.as_ref().and_then(|s| s.run_as.clone()),
        ..Default::default()
    }
}

fn sanitize_label(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(63)
        .collect()
}

/// A Flyte-looking execution name: a letter and 19 lowercase alphanumerics.
fn execution_name() -> String {
    let mut x = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
        ^ (std::process::id() as u64) << 32;
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut s = String::from("a");
    for _ in 0..19 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push(alphabet[(x % alphabet.len() as u64) as usize] as char);
    }
    s
}

/// The template as propeller sends it: container args rendered with its placeholders
/// (case-insensitive, whitespace-tolerant, `.` or `$` prefix); everything else untouched.
pub fn render_template(
    t: &Template,
    prefix: &OutputPrefix,
    inputs: &core::LiteralMap,
    attempt: u32,
) -> Template {
    match &t.view.target {
        Some(core::task_template::Target::Container(c)) => t.with_args(
            c.args
                .iter()
                .map(|a| render_arg(a, prefix, inputs, attempt))
                .collect(),
        ),
        _ => t.clone(),
    }
}

fn render_arg(arg: &str, prefix: &OutputPrefix, inputs: &core::LiteralMap, attempt: u32) -> String {
    let base = prefix.uri.trim_end_matches('/');
    let mut out = String::new();
    let mut rest = arg;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = rest[start + 2..start + len].trim();
        let key = inner.strip_prefix(['.', '$']).unwrap_or(inner).trim();
        let lower = key.to_ascii_lowercase();
        let value = match lower.as_str() {
            "input" => Some(format!("{base}/inputs.pb")),
            "inputprefix" | "outputprefix" => Some(base.to_string()),
            "rawoutputdataprefix" => Some(format!("{base}/raw")),
            "checkpointoutputprefix" => Some(format!("{base}/checkpoint")),
            "prevcheckpointprefix" => Some(String::new()),
            "tasktemplatepath" => Some(format!("{base}/task.pb")),
            "perretryuniquekey" => Some(format!("n0-{attempt}")),
            "namespace" => Some("local-development".into()),
            _ => lower.strip_prefix("inputs.").and_then(|name| {
                let original = &key[key.len() - name.len()..];
                inputs.literals.get(original).map(literal::display)
            }),
        };
        out.push_str(&rest[..start]);
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_mapping_follows_propeller_on_flyte1_and_reads_phase_only_on_flyte2() {
        use crate::pb::core::task_execution::Phase;
        let v1 = |phase: Phase, state: i32| {
            #[allow(deprecated)]
            let res = admin::Resource {
                phase: phase as i32,
                state,
                ..Default::default()
            };
            interpret(&crate::wire::v1::resource(res))
        };
        assert_eq!(v1(Phase::Running, 0), ("RUNNING", State::Pending));
        assert_eq!(v1(Phase::Aborted, 0), ("ABORTED", State::Failed));
        assert_eq!(
            v1(Phase::RetryableFailed, 0),
            ("RETRYABLE_FAILED", State::Retryable)
        );
        // an empty Flyte 1 Resource is the legacy RETRYABLE_FAILURE
        assert_eq!(
            v1(Phase::Undefined, 0),
            ("RETRYABLE_FAILED", State::Retryable)
        );
        assert_eq!(v1(Phase::Undefined, 2), ("INITIALIZING", State::Pending));
        assert_eq!(v1(Phase::Undefined, 4), ("SUCCEEDED", State::Succeeded));
        assert_eq!(v1(Phase::Undefined, 1), ("FAILED", State::Failed));
        // a Flyte 2 Resource has no state: UNDEFINED is unknown, never a retryable failure
        let v2 = crate::wire::v2::resource(crate::pb::v2::connector::Resource::default());
        assert_eq!(interpret(&v2), ("UNDEFINED", State::Unknown));
    }

    #[test]
    fn delete_commands_survive_quotes_in_the_handle() {
        let h = serde_json::json!({"output_prefix": "/tmp/it's"});
        let cmd = delete_command(&h);
        assert_eq!(
            cmd,
            r#"echo '{"output_prefix":"/tmp/it'\''s"}' | agentctl delete -"#
        );
    }

    #[test]
    fn polls_come_quickly_then_back_off_to_the_interval() {
        let cap = Duration::from_secs(1);
        let (mut t, mut wait, mut polls) = (Duration::ZERO, Duration::ZERO, vec![]);
        while t < Duration::from_secs(5) {
            polls.push(t);
            wait = next_poll_wait(wait, cap);
            t += wait;
        }
        // a job done at 200 ms is seen within 100 ms of finishing
        let seen = polls
            .iter()
            .find(|p| **p >= Duration::from_millis(200))
            .unwrap();
        assert!(
            *seen - Duration::from_millis(200) < Duration::from_millis(100),
            "{seen:?}"
        );
        // never two calls closer than the first wait, and the interval is reached
        assert!(polls.windows(2).all(|w| w[1] - w[0] >= FIRST_POLL));
        assert_eq!(wait, cap);
        assert!(
            polls
                .iter()
                .filter(|p| **p < Duration::from_secs(1))
                .count()
                <= 15,
            "{polls:?}"
        );
    }

    #[test]
    fn args_render_like_propeller() {
        let prefix = OutputPrefix {
            uri: "/tmp/p".into(),
            local: None,
        };
        let mut inputs = core::LiteralMap::default();
        inputs.literals.insert(
            "x".into(),
            literal::parse_str(
                "7",
                &core::LiteralType {
                    r#type: Some(core::literal_type::Type::Simple(1)),
                    ..Default::default()
                },
            )
            .unwrap(),
        );
        assert_eq!(
            render_arg("{{ .Input }}", &prefix, &inputs, 0),
            "/tmp/p/inputs.pb"
        );
        assert_eq!(
            render_arg("--out={{$outputPrefix}}", &prefix, &inputs, 0),
            "--out=/tmp/p"
        );
        assert_eq!(
            render_arg("{{.Inputs.x}}-{{.unknown}}", &prefix, &inputs, 1),
            "7-{{.unknown}}"
        );
    }
}

#[cfg(test)]
#[path = "runner_timing_tests.rs"]
mod timing_tests;
