//! Faults no real server produces on demand, from an in-test tonic agent on 127.0.0.1: bursts
//! of UNAVAILABLE, answers slower than the run's timeout, a server restarted mid-poll, an empty
//! Resource, and slow CreateTask/DeleteTask calls to interrupt.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use agentctl::pb::admin;
use agentctl::pb::core::task_execution::Phase;
use agentctl::pb::service::async_agent_service_server::{
    AsyncAgentService, AsyncAgentServiceServer,
};
use tonic::{Request, Response, Status};

use crate::util::{Run, pyfixture, redacted};

/// The `resource_meta` the fake's CreateTask hands out.
const JOB_META: &[u8] = b"{\"job\": 1}";

#[derive(Clone, Copy)]
pub(crate) enum Behaviour {
    /// GetTask answers UNAVAILABLE this many times, then SUCCEEDED.
    Unavailable(u32),
    /// GetTask takes this long to answer RUNNING.
    Slow(Duration),
    /// GetTask answers an empty Resource.
    Empty,
    /// GetTask answers this phase.
    Phase(Phase),
}

#[derive(Clone)]
pub(crate) struct Fake {
    pub behaviour: Behaviour,
    pub gets: Arc<AtomicU32>,
    /// The `resource_meta` each GetTask carried, checked on the test's thread
    /// (`Served::assert_meta_echoed`, and when a `Served` is dropped): an assertion in the
    /// handler would reach the test only as an opaque RPC error.
    pub get_metas: Arc<Mutex<Vec<Vec<u8>>>>,
    pub deletes: Arc<Mutex<Vec<Vec<u8>>>>,
    /// The `authorization` metadata each CreateTask carried.
    pub authorizations: Arc<Mutex<Vec<String>>>,
    /// CreateTask calls received (counted on arrival, before `create_delay`).
    pub creates: Arc<AtomicU32>,
    /// How long CreateTask and DeleteTask take to answer.
    pub create_delay: Duration,
    pub delete_delay: Duration,
}

impl Fake {
    pub fn new(behaviour: Behaviour) -> Self {
        Fake {
            behaviour,
            gets: Arc::default(),
            get_metas: Arc::default(),
            deletes: Arc::default(),
            authorizations: Arc::default(),
            creates: Arc::default(),
            create_delay: Duration::ZERO,
            delete_delay: Duration::ZERO,
        }
    }
}

#[tonic::async_trait]
impl AsyncAgentService for Fake {
    async fn create_task(
        &self,
        req: Request<admin::CreateTaskRequest>,
    ) -> Result<Response<admin::CreateTaskResponse>, Status> {
        if let Some(v) = req.metadata().get("authorization") {
            self.authorizations
                .lock()
                .unwrap()
                .push(v.to_str().unwrap_or_default().to_string());
        }
        self.creates.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.create_delay).await;
        Ok(Response::new(admin::CreateTaskResponse {
            resource_meta: JOB_META.to_vec(),
        }))
    }

    async fn get_task(
        &self,
        req: Request<admin::GetTaskRequest>,
    ) -> Result<Response<admin::GetTaskResponse>, Status> {
        self.get_metas
            .lock()
            .unwrap()
            .push(req.into_inner().resource_meta);
        let n = self.gets.fetch_add(1, Ordering::SeqCst) + 1;
        let phase = match self.behaviour {
            Behaviour::Unavailable(k) if n <= k => {
                return Err(Status::unavailable("agent overloaded"));
            }
            Behaviour::Unavailable(_) => Phase::Succeeded,
            Behaviour::Slow(d) => {
                tokio::time::sleep(d).await;
                Phase::Running
            }
            Behaviour::Empty => {
                return Ok(Response::new(admin::GetTaskResponse {
                    resource: Some(admin::Resource::default()),
                }));
            }
            Behaviour::Phase(p) => p,
        };
        Ok(Response::new(admin::GetTaskResponse {
            resource: Some(admin::Resource {
                phase: phase as i32,
                ..Default::default()
            }),
        }))
    }

    async fn delete_task(
        &self,
        req: Request<admin::DeleteTaskRequest>,
    ) -> Result<Response<admin::DeleteTaskResponse>, Status> {
        // recorded on arrival: a delete that never finishes was still sent
        self.deletes
            .lock()
            .unwrap()
            .push(req.into_inner().resource_meta);
        tokio::time::sleep(self.delete_delay).await;
        Ok(Response::new(admin::DeleteTaskResponse {}))
    }

    async fn get_task_metrics(
        &self,
        _: Request<admin::GetTaskMetricsRequest>,
    ) -> Result<Response<admin::GetTaskMetricsResponse>, Status> {
        Err(Status::unimplemented("no metrics"))
    }

    type GetTaskLogsStream = tokio_stream::Empty<Result<admin::GetTaskLogsResponse, Status>>;

    async fn get_task_logs(
        &self,
        _: Request<admin::GetTaskLogsRequest>,
    ) -> Result<Response<Self::GetTaskLogsStream>, Status> {
        Ok(Response::new(tokio_stream::empty()))
    }
}

/// A fake agent served on its own runtime thread; stops when dropped.
pub(crate) struct Served {
    pub addr: SocketAddr,
    pub fake: Fake,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    pub fn start(behaviour: Behaviour) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), Fake::new(behaviour))
    }

    pub fn start_on(addr: SocketAddr, fake: Fake) -> Self {
        Self::start_with(addr, fake, None)
    }

    /// Serves over TLS when `tls` is given (for the TLS and mutual-TLS tests).
    pub fn start_with(
        addr: SocketAddr,
        fake: Fake,
        tls: Option<tonic::transport::ServerTlsConfig>,
    ) -> Self {
        let listener = std::net::TcpListener::bind(addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let svc = AsyncAgentServiceServer::new(fake.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let mut builder = tonic::transport::Server::builder();
                if let Some(tls) = tls {
                    builder = builder.tls_config(tls).unwrap();
                }
                builder
                    .add_service(svc)
                    .serve_with_incoming_shutdown(
                        tokio_stream::wrappers::TcpListenerStream::new(listener),
                        async {
                            let _ = rx.await;
                        },
                    )
                    .await
                    .unwrap();
            });
        });
        Served {
            addr,
            fake,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// Asserts that every GetTask so far carried the `resource_meta` CreateTask handed out,
    /// byte for byte.
    #[track_caller]
    pub fn assert_meta_echoed(&self) {
        let metas = self.fake.get_metas.lock().unwrap();
        for meta in metas.iter() {
            assert_eq!(
                meta.as_slice(),
                JOB_META,
                "resource_meta is echoed byte for byte: got {:?}",
                String::from_utf8_lossy(meta)
            );
        }
    }

    pub fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Served {
    /// Stops the server, then checks what its GetTask calls carried (unless the test is already
    /// failing), so that every test polling a fake checks it on the test's own thread.
    fn drop(&mut self) {
        self.stop();
        if !std::thread::panicking() {
            self.assert_meta_echoed();
        }
    }
}

fn forever() -> String {
    pyfixture("forever.template.json")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_burst_of_unavailable_within_the_budget_is_ridden_out() {
    let fake = Served::start(Behaviour::Unavailable(3));
    Run::new(["run", &forever(), "--endpoint", &fake.endpoint()])
        .args(["--poll-interval", "100ms"])
        .run();
    assert_eq!(fake.fake.gets.load(Ordering::SeqCst), 4);
    fake.assert_meta_echoed();
    assert!(
        fake.fake.deletes.lock().unwrap().is_empty(),
        "a finished job is never deleted"
    );
}

#[test]
fn a_spent_get_budget_is_exit_3_with_the_handle() {
    let fake = Served::start(Behaviour::Unavailable(1000));
    let ran = Run::new(["run", &forever(), "--endpoint", &fake.endpoint()])
        .args(["--poll-interval", "100ms", "--max-get-failures", "2"])
        .expect_code(3)
        .stderr_contains("GetTask failed 3 times")
        .stderr_contains("agent overloaded")
        .stderr_contains(fake.endpoint())
        .stderr_contains("\"resource_meta\":\"eyJqb2IiOiAxfQ==\"")
        .stderr_contains("agentctl delete -")
        .run();
    assert_eq!(
        fake.fake.gets.load(Ordering::SeqCst),
        3,
        "propeller gives up at the failure after the budget"
    );
    fake.assert_meta_echoed();
    redacted().bind(|| insta::assert_snapshot!("get_budget_spent", ran.stderr));
}

#[test]
fn an_answer_slower_than_the_timeout_still_times_out_and_deletes() {
    let fake = Served::start(Behaviour::Slow(Duration::from_secs(20)));
    Run::new(["run", &forever(), "--endpoint", &fake.endpoint()])
        .args(["--timeout", "700ms"])
        .expect_code(124)
        .run();
    assert_eq!(
        fake.fake.deletes.lock().unwrap().as_slice(),
        &[JOB_META.to_vec()]
    );
    fake.assert_meta_echoed();
}

#[test]
fn an_empty_resource_is_a_retryable_failure() {
    let fake = Served::start(Behaviour::Empty);
    let v = Run::new(["run", &forever(), "--endpoint", &fake.endpoint()])
        .args(["--retries", "1", "-o", "json"])
        .expect_code(1)
        .run()
        .json();
    assert_eq!(v["phase"], "RETRYABLE_FAILED");
    assert_eq!(v["attempts"], 2);
    fake.assert_meta_echoed();
}

#[test]
fn a_server_restarted_mid_poll_is_polled_again() {
    let mut first = Served::start(Behaviour::Phase(Phase::Running));
    let addr = first.addr;
    let mut child = crate::util::std_agentctl()
        .args([
            "run",
            &forever(),
            "--endpoint",
            &first.endpoint(),
            "--poll-interval",
            "200ms",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while first.fake.gets.load(Ordering::SeqCst) < 2 {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("agentctl never polled the first server");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    first.stop();
    std::thread::sleep(Duration::from_millis(300));
    let second = Served::start_on(addr, Fake::new(Behaviour::Phase(Phase::Succeeded)));
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(second.fake.gets.load(Ordering::SeqCst) >= 1);
    first.assert_meta_echoed();
    second.assert_meta_echoed();
}

/// An agent whose jobs keep RUNNING, slow to answer CreateTask and DeleteTask.
pub(crate) fn slow_agent(create_delay: Duration, delete_delay: Duration) -> Served {
    let mut fake = Fake::new(Behaviour::Phase(Phase::Running));
    fake.create_delay = create_delay;
    fake.delete_delay = delete_delay;
    Served::start_on("127.0.0.1:0".parse().unwrap(), fake)
}

/// `agentctl run forever --endpoint <fake>` in the background, its stderr captured.
fn spawn_run(fake: &Served, extra: &[&str]) -> std::process::Child {
    crate::util::std_agentctl()
        .args(["run", &forever(), "--endpoint", &fake.endpoint()])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (up to 20 s) until `cond` holds; kills `child` and fails if it never does.
#[track_caller]
pub(crate) fn wait_for(child: &mut std::process::Child, what: &str, cond: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !cond() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("{what} never happened");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub(crate) fn interrupt(child: &std::process::Child) {
    let ok = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn ctrl_c_during_create_waits_for_the_job_then_deletes_it() {
    // long enough that the interrupt surely lands while CreateTask is in flight
    let fake = slow_agent(Duration::from_secs(2), Duration::ZERO);
    let mut child = spawn_run(&fake, &[]);
    wait_for(&mut child, "CreateTask", || {
        fake.fake.creates.load(Ordering::SeqCst) == 1
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("waiting for CreateTask to return"), "{err}");
    assert!(err.contains("the job was deleted"), "{err}");
    assert_eq!(
        fake.fake.deletes.lock().unwrap().as_slice(),
        &[b"{\"job\": 1}".to_vec()],
        "the job CreateTask made is deleted, not orphaned"
    );
    assert_eq!(
        fake.fake.gets.load(Ordering::SeqCst),
        0,
        "no polling after an interrupt"
    );
}

#[test]
fn a_second_ctrl_c_during_delete_exits_with_the_handle() {
    let fake = slow_agent(Duration::ZERO, Duration::from_secs(30));
    let mut child = spawn_run(&fake, &[]);
    wait_for(&mut child, "a GetTask", || {
        fake.fake.gets.load(Ordering::SeqCst) >= 1
    });
    interrupt(&child);
    wait_for(&mut child, "DeleteTask", || {
        !fake.fake.deletes.lock().unwrap().is_empty()
    });
    let second = std::time::Instant::now();
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        second.elapsed() < Duration::from_secs(10),
        "the second Ctrl-C did not stop waiting for the delete"
    );
    assert!(err.contains("interrupted again while deleting"), "{err}");
    assert!(
        err.contains("\"resource_meta\":\"eyJqb2IiOiAxfQ==\"") && err.contains("agentctl delete -"),
        "{err}"
    );
}

#[test]
fn a_create_that_never_answers_does_not_outlive_the_timeout_by_much() {
    let fake = slow_agent(Duration::from_secs(60), Duration::ZERO);
    let start = std::time::Instant::now();
    let out = spawn_run(&fake, &["--timeout", "500ms"])
        .wait_with_output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(124), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "--timeout 500ms ran {:?}",
        start.elapsed()
    );
    assert!(
        err.contains("CreateTask had not returned 500ms later")
            && err.contains("a job of type agentctl_test_forever may exist on"),
        "{err}"
    );
}

/// Waits (up to 20 s) for a line of the child's stderr holding `needle`; the rest of stderr,
/// once the child ends, comes from the returned receiver.
#[track_caller]
fn wait_for_line(
    child: &mut std::process::Child,
    needle: &str,
) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) if line.contains(needle) => return rx,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("no stderr line with {needle:?}");
            }
        }
    }
}

#[test]
fn ctrl_c_after_a_timeout_stops_waiting_for_create() {
    let fake = slow_agent(Duration::from_secs(60), Duration::ZERO);
    // a long grace (as long as the timeout), so the Ctrl-C surely lands inside it
    let mut child = spawn_run(&fake, &["--timeout", "3s"]);
    let rest = wait_for_line(&mut child, "timed out during CreateTask");
    let pressed = std::time::Instant::now();
    interrupt(&child);
    let status = child.wait().unwrap();
    let err: Vec<String> = rest.iter().collect();
    assert_eq!(status.code(), Some(130), "{err:?}");
    assert!(
        pressed.elapsed() < Duration::from_secs(2),
        "one Ctrl-C stops the wait"
    );
    assert!(
        err.iter()
            .any(|l| l.contains("a job of type agentctl_test_forever may exist on")),
        "{err:?}"
    );
}

#[test]
fn a_timeout_after_ctrl_c_still_ends_a_create_that_never_answers() {
    let fake = slow_agent(Duration::from_secs(60), Duration::ZERO);
    let start = std::time::Instant::now();
    // the Ctrl-C must come before the deadline, however slowly the run starts
    let mut child = spawn_run(&fake, &["--timeout", "3s"]);
    wait_for(&mut child, "CreateTask", || {
        fake.fake.creates.load(Ordering::SeqCst) == 1
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(124), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert!(err.contains("interrupted: waiting for CreateTask"), "{err}");
    assert!(
        err.contains("CreateTask had not returned 3s later"),
        "{err}"
    );
}
