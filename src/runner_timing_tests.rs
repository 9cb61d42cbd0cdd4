//! The runner's timing on tokio's paused clock: the poll backoff, the GetTask failure budget,
//! the run's and the attempt's deadlines, CreateTask's grace after the deadline, and Ctrl-C
//! while CreateTask is in flight. A fake in-process agent records when each call came; the
//! clock only moves when every task waits, so each test takes milliseconds of real time.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{Instant, sleep, sleep_until};
use tonic::Status;

use super::*;
use crate::agent::Prepared;
use crate::pb::core::task_execution::Phase;
use crate::progress::Mode;

/// Timers have a millisecond granularity: a wake-up lands on the instant asked for, or up to
/// a millisecond after it.
const TICK: Duration = Duration::from_millis(1);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[track_caller]
fn assert_at(actual: Duration, expected: Duration, what: &str) {
    assert!(
        actual >= expected && actual <= expected + TICK,
        "{what} at {actual:?}, expected {expected:?}"
    );
}

type GetScript = Box<dyn Fn(Duration, usize) -> Result<Resource, Status> + Send + Sync>;

#[derive(Default, Debug)]
struct Log {
    /// When each CreateTask was sent, and its `retry_attempt`.
    creates: Vec<(Duration, u32)>,
    /// When each CreateTask answered (a create dropped while in flight never does).
    created: Vec<Duration>,
    gets: Vec<Duration>,
    /// When each DeleteTask was sent, and the job's `resource_meta`.
    deletes: Vec<(Duration, Vec<u8>)>,
}

/// An agent whose calls take scripted (paused-clock) time and answer as scripted.
struct Fake {
    t0: Instant,
    /// How long CreateTask takes; `None`: it never answers.
    create_takes: Option<Duration>,
    /// CreateTask answers this error (after `create_takes`) instead of a job.
    create_fails: Option<tonic::Code>,
    /// How long DeleteTask takes; `None`: it never answers.
    delete_takes: Option<Duration>,
    /// GetTask's answer, from the time since the start and the call's index.
    get: GetScript,
    log: Mutex<Log>,
}

impl Fake {
    fn new(
        get: impl Fn(Duration, usize) -> Result<Resource, Status> + Send + Sync + 'static,
    ) -> Self {
        Fake {
            t0: Instant::now(),
            create_takes: Some(Duration::ZERO),
            create_fails: None,
            delete_takes: Some(Duration::ZERO),
            get: Box::new(get),
            log: Mutex::new(Log::default()),
        }
    }

    /// A job that never ends.
    fn running() -> Self {
        Fake::new(|_, _| Ok(resource(Phase::Running)))
    }

    fn now(&self) -> Duration {
        self.t0.elapsed()
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap()
    }
}

fn resource(phase: Phase) -> Resource {
    Resource {
        phase: phase as i32,
        ..Default::default()
    }
}

impl Agent for Fake {
    fn location(&self) -> String {
        "in-process".into()
    }

    fn endpoint(&self) -> Option<String> {
        None
    }

    async fn prepare(&self, _: &admin::TaskCategory) -> Result<agent::Prepared, Error> {
        Ok(Prepared {
            sync: false,
            wire: None,
        })
    }

    async fn create(&self, req: &CreateRequest) -> Result<Vec<u8>, Status> {
        let attempt = req
            .metadata
            .task_execution_id
            .as_ref()
            .map(|id| id.retry_attempt)
            .unwrap_or_default();
        let n = {
            let mut log = self.log();
            log.creates.push((self.now(), attempt));
            log.creates.len()
        };
        match self.create_takes {
            Some(d) => sleep(d).await,
            None => std::future::pending().await,
        }
        self.log().created.push(self.now());
        match self.create_fails {
            Some(code) => Err(Status::new(code, "create failed")),
            None => Ok(format!("job-{n}").into_bytes()),
        }
    }

    async fn get(&self, _: &Job) -> Result<Resource, Status> {
        let now = self.now();
        let n = {
            let mut log = self.log();
            log.gets.push(now);
            log.gets.len() - 1
        };
        (self.get)(now, n)
    }

    async fn delete(&self, job: &Job) -> Result<(), Status> {
        self.log()
            .deletes
            .push((self.now(), job.resource_meta.clone()));
        match self.delete_takes {
            Some(d) => sleep(d).await,
            None => std::future::pending().await,
        }
        Ok(())
    }

    async fn logs(
        &self,
        _: &Job,
        _: &crate::wire::LogsRequest,
    ) -> Result<crate::wire::LogPage, Status> {
        unreachable!("these runs are without --logs")
    }

    async fn metrics(
        &self,
        _: &Job,
        _: &crate::wire::MetricsRequest,
    ) -> Result<Vec<core::ExecutionMetricResult>, Status> {
        unreachable!("run never asks for metrics")
    }

    async fn execute_sync(
        &self,
        _: &CreateRequest,
        _: Option<Duration>,
    ) -> Result<Resource, Status> {
        unreachable!("the fake agent is asynchronous")
    }
}

/// A template of type `fake` with no outputs, and the given `metadata.timeout` and retries.
fn template(attempt_timeout: Option<Duration>, retries: Option<u32>) -> Template {
    Template::from_v1(core::TaskTemplate {
        r#type: "fake".into(),
        metadata: Some(core::TaskMetadata {
            timeout: attempt_timeout.map(|d| prost_types::Duration::try_from(d).unwrap()),
            retries: retries.map(|retries| core::RetryStrategy { retries }),
            ..Default::default()
        }),
        ..Default::default()
    })
}

fn options(timeout: Option<Duration>) -> Options {
    Options {
        output_prefix: OutputPrefix {
            uri: "mem://timing".into(),
            local: None,
        },
        retries: None,
        timeout,
        poll_interval: secs(1),
        max_get_failures: 3,
        deadline: None,
        logs: false,
    }
}

/// Interrupts that the test sends itself, as the signal task would.
fn interrupts() -> (Interrupts, watch::Sender<u32>) {
    let (tx, rx) = watch::channel(0u32);
    (Interrupts(rx), tx)
}

/// Ctrl-C at each of `at` (from the start).
async fn press(tx: &watch::Sender<u32>, t0: Instant, at: &[Duration]) {
    for a in at {
        sleep_until(t0 + *a).await;
        tx.send_modify(|n| *n += 1);
    }
}

struct Ran {
    report: Report,
    result: Result<(), Error>,
    /// When `run` returned, from the start.
    ended: Duration,
}

async fn go(agent: &Fake, t: &Template, opts: &Options, interrupts: &Interrupts) -> Ran {
    let inputs = core::LiteralMap::default();
    let connection = Connection::default();
    let mut progress = Progress::new(Mode::Quiet, "timing");
    let task = Task {
        template: t,
        inputs: &inputs,
        connection: &connection,
    };
    let (report, result) = run(agent, task, opts, &mut progress, interrupts).await;
    Ran {
        report,
        result,
        ended: agent.now(),
    }
}

/// The run with Ctrl-C pressed at each of `at`.
async fn go_pressing(agent: &Fake, t: &Template, opts: &Options, at: &[Duration]) -> Ran {
    let (ints, tx) = interrupts();
    let (ran, ()) = tokio::join!(go(agent, t, opts, &ints), press(&tx, agent.t0, at));
    // the sender lives to here: a closed channel would read as an interrupt
    drop(tx);
    ran
}

#[track_caller]
fn timeout_text(r: &Result<(), Error>) -> &str {
    match r {
        Err(Error::Timeout(m)) => m,
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
}

#[track_caller]
fn interrupted_text(r: &Result<(), Error>) -> &str {
    match r {
        Err(Error::Interrupted(m)) => m,
        other => panic!("expected Error::Interrupted, got {other:?}"),
    }
}

// 1. the poll backoff

#[tokio::test(start_paused = true)]
async fn polls_follow_the_backoff_and_the_run_ends_at_the_terminal_answer() {
    let agent = Fake::new(|t, _| {
        Ok(resource(if t >= secs(2) {
            Phase::Succeeded
        } else {
            Phase::Running
        }))
    });
    let opts = options(None);
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(None, None), &opts, &ints).await;
    assert!(ran.result.is_ok(), "{:?}", ran.result);
    assert_eq!(ran.report.phase, "SUCCEEDED");

    let log = agent.log();
    assert_eq!(log.creates, vec![(Duration::ZERO, 0)]);
    assert!(log.deletes.is_empty(), "{:?}", log.deletes);
    // the first GetTask follows CreateTask at once; then each wait is next_poll_wait's
    assert_eq!(log.gets[0], Duration::ZERO);
    let mut wait = Duration::ZERO;
    let mut waits = vec![];
    for pair in log.gets.windows(2) {
        wait = next_poll_wait(wait, opts.poll_interval);
        waits.push(wait);
        let gap = pair[1] - pair[0];
        assert!(
            gap >= wait && gap <= wait + TICK,
            "gap {gap:?} after {:?}, expected {wait:?}; gets {:?}",
            pair[0],
            log.gets
        );
    }
    // 5 ms growing by half, never past the interval: the last wait (973 ms) was the last one
    // under it
    assert_eq!(waits[0], ms(5));
    assert_eq!(waits[1], Duration::from_micros(7500));
    assert!(waits.windows(2).all(|w| w[1] == w[0] * 3 / 2), "{waits:?}");
    assert!(wait < opts.poll_interval, "{wait:?}");
    assert_eq!(next_poll_wait(wait, opts.poll_interval), opts.poll_interval);
    assert_eq!(
        next_poll_wait(opts.poll_interval, opts.poll_interval),
        opts.poll_interval
    );
    // 0, 5, 12.5, 23.75 ms … 1.936 s, 2.909 s: fifteen calls, the last the first to see
    // SUCCEEDED, and the run ends with that answer
    assert_eq!(log.gets.len(), 15, "{:?}", log.gets);
    assert_eq!(ran.report.polls, 15);
    let last = *log.gets.last().unwrap();
    assert!(log.gets[log.gets.len() - 2] < secs(2));
    assert!(last >= secs(2) && last - secs(2) < wait, "{last:?}");
    assert_eq!(ran.ended, last);
}

// 2. the GetTask failure budget

#[tokio::test(start_paused = true)]
async fn get_failures_back_off_then_exceed_the_budget_without_deleting() {
    let agent = Fake::new(|_, _| Err(Status::unavailable("agent down")));
    let mut opts = options(None);
    // a small interval shows the cap: four intervals, 100 ms
    opts.poll_interval = ms(25);
    opts.max_get_failures = 5;
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(None, None), &opts, &ints).await;

    let log = agent.log();
    // waits 10, 20, 40, 80, then capped at 100 ms
    let mut wait = Duration::ZERO;
    let mut expected = vec![Duration::ZERO];
    for _ in 0..5 {
        wait = next_failure_wait(wait, opts.poll_interval);
        expected.push(*expected.last().unwrap() + wait);
    }
    assert_eq!(
        expected,
        [0, 10, 30, 70, 150, 250].map(ms).to_vec(),
        "next_failure_wait changed"
    );
    assert_eq!(log.gets.len(), expected.len(), "{:?}", log.gets);
    for (got, want) in log.gets.iter().zip(&expected) {
        assert_at(*got, *want, "GetTask");
    }
    assert_eq!(ran.ended, *log.gets.last().unwrap());
    let m = match &ran.result {
        Err(Error::Rpc(m)) => m,
        other => panic!("expected Error::Rpc, got {other:?}"),
    };
    assert!(
        m.starts_with("GetTask to in-process failed: Unavailable: agent down"),
        "{m}"
    );
    assert!(
        m.contains("GetTask failed 6 times (budget --max-get-failures 5); giving up without deleting the job"),
        "{m}"
    );
    // the handle: base64 of the resource_meta "job-1", and the command to delete it
    assert!(m.contains("handle: {"), "{m}");
    assert!(m.contains(r#""resource_meta":"am9iLTE=""#), "{m}");
    assert!(m.contains("| agentctl delete -"), "{m}");
    assert!(log.deletes.is_empty(), "{:?}", log.deletes);
    assert_eq!(ran.report.attempts, 1);
}

// 3. the run's --timeout

#[tokio::test(start_paused = true)]
async fn the_run_timeout_deletes_a_job_that_never_ends() {
    let agent = Fake::running();
    let mut opts = options(Some(secs(3)));
    // a run timeout is final: retries left change nothing
    opts.retries = Some(2);
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(None, None), &opts, &ints).await;

    assert_eq!(
        timeout_text(&ran.result),
        "the run timed out after 3s (--timeout); the job was deleted"
    );
    let log = agent.log();
    assert_eq!(log.creates.len(), 1);
    assert_eq!(log.deletes.len(), 1, "{:?}", log.deletes);
    assert_at(log.deletes[0].0, secs(3), "DeleteTask");
    assert_eq!(log.deletes[0].1, b"job-1");
    assert!(log.gets.iter().all(|g| *g < secs(3)), "{:?}", log.gets);
    assert_at(ran.ended, secs(3), "the end");
    assert_eq!(ran.report.attempts, 1);
}

// 4. the template's metadata.timeout

#[tokio::test(start_paused = true)]
async fn the_attempt_timeout_deletes_and_retries() {
    let agent = Fake::running();
    let opts = options(None);
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(Some(secs(2)), Some(1)), &opts, &ints).await;

    assert_eq!(
        timeout_text(&ran.result),
        "the attempt timed out after 2s (the template's metadata.timeout); the job was deleted (after 2 attempts)"
    );
    let log = agent.log();
    // each attempt: created, deleted at its own deadline, then the next created at once
    assert_eq!(log.creates.len(), 2, "{:?}", log.creates);
    assert_eq!(log.creates[0], (Duration::ZERO, 0));
    assert_at(log.creates[1].0, secs(2), "the second CreateTask");
    assert_eq!(
        log.creates[1].1, 1,
        "retry_attempt of the second CreateTask"
    );
    assert_eq!(log.deletes.len(), 2, "{:?}", log.deletes);
    assert_at(log.deletes[0].0, secs(2), "the first DeleteTask");
    assert_eq!(log.deletes[0].1, b"job-1");
    assert_at(log.deletes[1].0, secs(4), "the second DeleteTask");
    assert_eq!(log.deletes[1].1, b"job-2");
    assert_at(ran.ended, secs(4), "the end");
    assert_eq!(ran.report.attempts, 2);
}

#[tokio::test(start_paused = true)]
async fn the_run_timeout_cuts_a_retry_short() {
    let agent = Fake::running();
    let opts = options(Some(secs(3)));
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(Some(secs(2)), Some(3)), &opts, &ints).await;

    // the run deadline ends the run in its second attempt; the message does not count the
    // attempts (only a failure that used up the retries does), the report does
    assert_eq!(
        timeout_text(&ran.result),
        "the run timed out after 3s (--timeout); the job was deleted"
    );
    assert_eq!(ran.report.attempts, 2);
    let log = agent.log();
    assert_eq!(log.creates.len(), 2, "{:?}", log.creates);
    let deleted: Vec<_> = log.deletes.iter().map(|d| d.1.clone()).collect();
    assert_eq!(deleted, [b"job-1".to_vec(), b"job-2".to_vec()]);
    assert_at(log.deletes[0].0, secs(2), "the first DeleteTask");
    assert_at(log.deletes[1].0, secs(3), "the second DeleteTask");
    assert_at(ran.ended, secs(3), "the end");
}

// 5. CreateTask still in flight at the run deadline: a grace of min(--timeout, 10 s)

#[tokio::test(start_paused = true)]
async fn a_create_that_outlasts_the_grace_is_given_up() {
    let mut agent = Fake::running();
    agent.create_takes = Some(secs(3));
    let opts = options(Some(secs(1)));
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(None, None), &opts, &ints).await;

    // the deadline at 1 s starts a 1 s grace; at 2 s the wait ends, the create dropped
    assert_eq!(
        timeout_text(&ran.result),
        "the run timed out (--timeout) and CreateTask had not returned 1s later; a job of type fake may exist on in-process"
    );
    assert_at(ran.ended, secs(2), "the end");
    let log = agent.log();
    assert_eq!(log.creates, vec![(Duration::ZERO, 0)]);
    assert!(log.created.is_empty(), "{:?}", log.created);
    assert!(log.gets.is_empty() && log.deletes.is_empty(), "{log:?}");
    assert!(ran.report.resource_meta.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_create_that_returns_within_the_grace_is_deleted() {
    let mut agent = Fake::running();
    agent.create_takes = Some(ms(1500));
    let opts = options(Some(secs(1)));
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(None, None), &opts, &ints).await;

    assert_eq!(
        timeout_text(&ran.result),
        "the run timed out (--timeout); the job was deleted"
    );
    let log = agent.log();
    assert_eq!(log.created, vec![ms(1500)]);
    assert!(log.gets.is_empty(), "never polled: {:?}", log.gets);
    assert_eq!(log.deletes, vec![(ms(1500), b"job-1".to_vec())]);
    assert_eq!(ran.ended, ms(1500));
    assert_eq!(ran.report.resource_meta, b"job-1");
}

#[tokio::test(start_paused = true)]
async fn the_grace_is_at_most_ten_seconds() {
    let mut agent = Fake::running();
    agent.create_takes = None;
    let opts = options(Some(secs(30)));
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(None, None), &opts, &ints).await;

    let m = timeout_text(&ran.result);
    assert!(m.contains("CreateTask had not returned 10s later"), "{m}");
    assert_at(ran.ended, secs(40), "the end");
    assert!(agent.log().deletes.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_create_that_fails_after_the_deadline_ends_the_run_as_a_timeout() {
    let mut agent = Fake::running();
    agent.create_takes = Some(ms(1500));
    agent.create_fails = Some(tonic::Code::Unavailable);
    let mut opts = options(Some(secs(1)));
    opts.retries = Some(2);
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(None, None), &opts, &ints).await;

    // nothing was created, so nothing to delete, and no retry after the deadline
    assert_eq!(timeout_text(&ran.result), "the run timed out (--timeout)");
    assert_eq!(ran.ended, ms(1500));
    let log = agent.log();
    assert_eq!(log.creates.len(), 1);
    assert!(log.deletes.is_empty() && log.gets.is_empty(), "{log:?}");
}

// 6. Ctrl-C while CreateTask is in flight

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_create_waits_for_it_then_deletes() {
    let mut agent = Fake::running();
    agent.create_takes = Some(secs(2));
    let opts = options(None);
    let ran = go_pressing(&agent, &template(None, None), &opts, &[ms(500)]).await;

    assert_eq!(
        interrupted_text(&ran.result),
        "interrupted; the job was deleted"
    );
    let log = agent.log();
    assert_eq!(log.created, vec![secs(2)]);
    assert!(log.gets.is_empty(), "never polled: {:?}", log.gets);
    assert_eq!(log.deletes, vec![(secs(2), b"job-1".to_vec())]);
    assert_eq!(ran.ended, secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_second_ctrl_c_stops_waiting_for_create() {
    let mut agent = Fake::running();
    agent.create_takes = Some(secs(2));
    let opts = options(None);
    let ran = go_pressing(&agent, &template(None, None), &opts, &[ms(500), secs(1)]).await;

    assert_eq!(
        interrupted_text(&ran.result),
        "interrupted while waiting for CreateTask to return; a job of type fake may exist on in-process"
    );
    assert_eq!(ran.ended, secs(1));
    let log = agent.log();
    assert!(log.created.is_empty(), "{:?}", log.created);
    assert!(log.deletes.is_empty(), "{:?}", log.deletes);
}

#[tokio::test(start_paused = true)]
async fn a_quick_double_ctrl_c_stops_waiting_for_create_at_once() {
    let mut agent = Fake::running();
    agent.create_takes = Some(secs(2));
    let opts = options(None);
    // both presses land before the runner looks again
    let ran = go_pressing(&agent, &template(None, None), &opts, &[ms(500), ms(500)]).await;

    let m = interrupted_text(&ran.result);
    assert!(
        m.starts_with("interrupted while waiting for CreateTask"),
        "{m}"
    );
    assert_eq!(ran.ended, ms(500));
    assert!(agent.log().deletes.is_empty());
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_then_the_deadline_still_bounds_a_create_that_never_returns() {
    let mut agent = Fake::running();
    agent.create_takes = None;
    let opts = options(Some(secs(1)));
    let ran = go_pressing(&agent, &template(None, None), &opts, &[ms(500)]).await;

    // the deadline at 1 s starts the 1 s grace even after a Ctrl-C
    let m = timeout_text(&ran.result);
    assert!(m.contains("CreateTask had not returned 1s later"), "{m}");
    assert_at(ran.ended, secs(2), "the end");
    assert!(agent.log().deletes.is_empty());
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_the_grace_stops_waiting_for_create() {
    let mut agent = Fake::running();
    agent.create_takes = None;
    let opts = options(Some(secs(4)));
    // the deadline at 4 s starts a 4 s grace; one Ctrl-C in it ends the wait
    let ran = go_pressing(&agent, &template(None, None), &opts, &[secs(5)]).await;

    let m = interrupted_text(&ran.result);
    assert!(
        m.starts_with("interrupted while waiting for CreateTask"),
        "{m}"
    );
    assert_eq!(ran.ended, secs(5));
    assert!(agent.log().deletes.is_empty());
}

// Ctrl-C while polling, and DeleteTask's own bound

#[tokio::test(start_paused = true)]
async fn ctrl_c_while_polling_deletes_at_once() {
    let agent = Fake::running();
    let opts = options(None);
    let ran = go_pressing(&agent, &template(None, None), &opts, &[ms(2500)]).await;

    assert_eq!(
        interrupted_text(&ran.result),
        "interrupted; the job was deleted"
    );
    assert_eq!(agent.log().deletes, vec![(ms(2500), b"job-1".to_vec())]);
    assert_eq!(ran.ended, ms(2500));
}

#[tokio::test(start_paused = true)]
async fn a_delete_that_never_answers_is_given_up_after_thirty_seconds() {
    let mut agent = Fake::running();
    agent.delete_takes = None;
    let opts = options(Some(secs(3)));
    let (ints, _tx) = interrupts();
    let ran = go(&agent, &template(None, None), &opts, &ints).await;

    let m = timeout_text(&ran.result);
    assert!(
        m.starts_with("the run timed out after 3s (--timeout); DeleteTask got no answer in 30s — the job may still run."),
        "{m}"
    );
    assert!(m.contains(r#""resource_meta":"am9iLTE=""#), "{m}");
    assert_at(ran.ended, secs(33), "the end");
}

#[tokio::test(start_paused = true)]
async fn a_second_ctrl_c_stops_waiting_for_delete() {
    let mut agent = Fake::running();
    agent.delete_takes = None;
    let opts = options(None);
    let ran = go_pressing(&agent, &template(None, None), &opts, &[secs(1), secs(3)]).await;

    let m = interrupted_text(&ran.result);
    assert!(
        m.starts_with("interrupted again while deleting; the job may still run."),
        "{m}"
    );
    assert!(m.contains(r#""resource_meta":"am9iLTE=""#), "{m}");
    assert_eq!(agent.log().deletes.len(), 1);
    assert_eq!(ran.ended, secs(3));
}
