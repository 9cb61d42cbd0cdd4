//! Reliability fixes, each pinned by a test: per-call deadlines on `get`, the `-v` call log,
//! whole agent error messages, `--timeout` over discovery, Ctrl-C during `create`, `get`'s exit
//! codes, `inputs.pb`, sync webhooks in a dry run, `--no_X` bool flags, handle validation, a
//! malformed `.env`, handles beating `AGENTCTL_ENDPOINT`, bad output prefixes, control bytes and
//! echoed header values in what agents answer.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agentctl::pb::admin;
use agentctl::pb::core;
use agentctl::pb::core::task_execution::Phase;
use agentctl::pb::service::async_agent_service_server::{
    AsyncAgentService, AsyncAgentServiceServer,
};
use prost::Message;
use tonic::{Request, Response, Status};

use crate::faults::{Behaviour, Served, interrupt, slow_agent, wait_for};
use crate::util::{
    FlytekitServer, Tripwire, agentctl, assert_failed, pyfixture, std_agentctl, stderr_of,
    stdout_of,
};

/// base64 of `{"job": 1}`, the resource_meta the faults fake hands out.
const JOB: &str = "eyJqb2IiOiAxfQ==";

fn t(name: &str) -> String {
    pyfixture(&format!("{name}.template.json"))
        .to_str()
        .unwrap()
        .to_string()
}

/// `agentctl create forever --endpoint <endpoint>`, its handle saved in `dir`.
#[track_caller]
fn create_handle(dir: &Path, endpoint: &str) -> PathBuf {
    let out = agentctl()
        .args(["create", &t("forever"), "--endpoint", endpoint])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let handle: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(handle["endpoint"], endpoint);
    let path = dir.join("handle.json");
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// A handle written by hand: `fields` are laid over a valid one for the forever job.
fn handle_with(dir: &Path, endpoint: &str, fields: serde_json::Value) -> PathBuf {
    let mut h = serde_json::json!({
        "endpoint": endpoint,
        "wire": "v1",
        "task_type": "agentctl_test_forever",
        "task_version": 0,
        "resource_meta": JOB,
        "output_prefix": "",
    });
    for (k, v) in fields.as_object().unwrap() {
        h[k] = v.clone();
    }
    let path = dir.join("handle.json");
    std::fs::write(&path, h.to_string()).unwrap();
    path
}

/// An agent answering what the test scripts; `{auth}` in a message is replaced by the
/// `authorization` metadata the call carried, as an agent echoing a credential would.
#[derive(Clone, Default)]
struct Scripted {
    /// GetTask's phase, as a raw number (so that phases no enum knows can be sent).
    phase: i32,
    /// GetTask's message.
    message: String,
    /// When set, CreateTask fails with INTERNAL and this message.
    create_error: Option<String>,
    /// The `authorization` metadata of every call.
    authorizations: Arc<Mutex<Vec<String>>>,
    deletes: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Scripted {
    fn answering(phase: i32, message: &str) -> Self {
        Scripted {
            phase,
            message: message.into(),
            ..Default::default()
        }
    }

    fn failing_create(message: &str) -> Self {
        Scripted {
            create_error: Some(message.into()),
            ..Default::default()
        }
    }

    fn fill<T>(&self, req: &Request<T>, text: &str) -> String {
        let auth = req
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        self.authorizations.lock().unwrap().push(auth.clone());
        text.replace("{auth}", &auth)
            .replace("{token}", auth.strip_prefix("Bearer ").unwrap_or(&auth))
    }
}

#[tonic::async_trait]
impl AsyncAgentService for Scripted {
    async fn create_task(
        &self,
        req: Request<admin::CreateTaskRequest>,
    ) -> Result<Response<admin::CreateTaskResponse>, Status> {
        match &self.create_error {
            Some(m) => Err(Status::internal(self.fill(&req, m))),
            None => {
                self.fill(&req, "");
                Ok(Response::new(admin::CreateTaskResponse {
                    resource_meta: b"{\"job\": 1}".to_vec(),
                }))
            }
        }
    }

    async fn get_task(
        &self,
        req: Request<admin::GetTaskRequest>,
    ) -> Result<Response<admin::GetTaskResponse>, Status> {
        Ok(Response::new(admin::GetTaskResponse {
            resource: Some(admin::Resource {
                phase: self.phase,
                message: self.fill(&req, &self.message),
                ..Default::default()
            }),
        }))
    }

    async fn delete_task(
        &self,
        req: Request<admin::DeleteTaskRequest>,
    ) -> Result<Response<admin::DeleteTaskResponse>, Status> {
        self.deletes
            .lock()
            .unwrap()
            .push(req.into_inner().resource_meta);
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

/// A [`Scripted`] agent on 127.0.0.1, on its own runtime thread; stops when dropped.
struct ScriptedAgent {
    addr: SocketAddr,
    agent: Scripted,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ScriptedAgent {
    fn start(agent: Scripted) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let svc = AsyncAgentServiceServer::new(agent.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                tonic::transport::Server::builder()
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
        ScriptedAgent {
            addr,
            agent,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    fn endpoint(&self) -> String {
        self.addr.to_string()
    }
}

impl Drop for ScriptedAgent {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections and holds them open without ever
/// writing a byte: an agent that hangs before the HTTP/2 handshake. Stops when dropped.
struct BlackHole {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BlackHole {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, stopping) = (accepted.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(s) = stream {
                    count.fetch_add(1, Ordering::SeqCst);
                    held.push(s);
                }
            }
        });
        BlackHole {
            addr,
            accepted,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // wakes the accept so that the thread sees the flag
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The `agentctl: call <target> <Method> <ms>ms <Status>` lines of a `-v` stderr, as
/// (target, method, status); panics on a call line of another shape.
#[track_caller]
fn call_lines(err: &str) -> Vec<(String, String, String)> {
    err.lines()
        .filter(|l| l.starts_with("agentctl: call "))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 6, "a call line of another shape: {l:?}");
            let ms = f[4]
                .strip_suffix("ms")
                .unwrap_or_else(|| panic!("no ms duration in {l:?}"));
            assert!(
                ms.parse::<f64>().is_ok_and(|m| m >= 0.0),
                "the duration is not a number of milliseconds in {l:?}"
            );
            (f[2].to_string(), f[3].to_string(), f[5].to_string())
        })
        .collect()
}

// 1. a GetTask that never answers ends at the per-call deadline

#[test]
fn get_without_an_answer_ends_at_the_call_timeout() {
    let fake = Served::start(Behaviour::Slow(Duration::from_secs(60)));
    let dir = tempfile::tempdir().unwrap();
    let handle = create_handle(dir.path(), &fake.endpoint());
    let start = Instant::now();
    let out = agentctl()
        .arg("get")
        .arg(&handle)
        .args(["--call-timeout", "300ms"])
        .output()
        .unwrap();
    let took = start.elapsed();
    assert_failed(
        &out,
        3,
        &[
            "no answer within the 300ms per-call deadline of --call-timeout",
            "not the task's timeout",
        ],
    );
    assert!(
        took < Duration::from_secs(3),
        "--call-timeout 300ms took {took:?}"
    );
    assert!(
        fake.fake.gets.load(Ordering::SeqCst) >= 1,
        "GetTask was sent"
    );
}

#[test]
fn the_call_timeout_defaults_to_10s() {
    for verb in ["get", "run", "create", "delete"] {
        let out = agentctl().args([verb, "--help"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let help = stdout_of(&out);
        let at = help
            .find("--call-timeout")
            .unwrap_or_else(|| panic!("{verb} --help lacks --call-timeout:\n{help}"));
        let rest = &help[at..];
        let entry = &rest[..rest.find("\n  -").unwrap_or(rest.len())];
        assert!(
            entry.contains("default: 10s"),
            "{verb} --help does not give 10s as --call-timeout's default:\n{entry}"
        );
    }
}

// 2. -v prints one line per RPC; -o json lists them; header values never appear

#[test]
fn verbose_prints_each_call_and_json_lists_them_without_header_values() {
    let server = FlytekitServer::start();
    let secret = "hdr-value-7f3a9c";
    let out = agentctl()
        .args(["run", &t("success"), "--x", "3", "--name", "v"])
        .args(["--endpoint", &server.addr, "-v", "-o", "json"])
        .args(["-H", &format!("x-api-key: {secret}")])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let lines = call_lines(&err);
    for method in ["Check", "ListAgents", "CreateTask", "GetTask"] {
        assert!(
            lines
                .iter()
                .any(|(target, m, _)| m == method && *target == server.addr),
            "no call line for {method} to {}:\n{err}",
            server.addr
        );
    }
    assert!(
        lines.iter().any(|(_, m, s)| m == "CreateTask" && s == "OK"),
        "{err}"
    );
    assert!(!err.contains(secret), "a header value was printed:\n{err}");

    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let calls = v["calls"].as_array().expect("-o json has a calls array");
    assert_eq!(
        calls.len(),
        lines.len(),
        "one JSON entry per -v line: {calls:?}"
    );
    for c in calls {
        assert!(c["method"].is_string(), "{c}");
        assert_eq!(c["target"], server.addr.as_str(), "{c}");
        assert!(c["duration_ms"].as_f64().is_some_and(|d| d >= 0.0), "{c}");
        assert!(c["status"].is_string(), "{c}");
    }
    let methods: Vec<&str> = calls
        .iter()
        .map(|c| c["method"].as_str().unwrap())
        .collect();
    for method in ["Check", "ListAgents", "CreateTask", "GetTask"] {
        assert!(
            methods.contains(&method),
            "{method} missing from {methods:?}"
        );
    }
    assert!(
        !stdout_of(&out).contains(secret),
        "a header value was printed:\n{}",
        stdout_of(&out)
    );
}

// 3. an agent error's whole message is kept, cause lines included

#[test]
fn a_create_error_keeps_its_cause_on_later_lines() {
    let server = FlytekitServer::start();
    let out = agentctl()
        .args(["run", &t("create_error"), "--endpoint", &server.addr])
        .output()
        .unwrap();
    assert_failed(
        &out,
        3,
        &[
            "failed to create agentctl_test_create_error task",
            "create exploded",
        ],
    );

    let out = agentctl()
        .args([
            "run",
            &t("create_error"),
            "--endpoint",
            &server.addr,
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = v["error"].as_str().expect("an error string");
    assert!(error.contains("create exploded"), "{error}");
}

// 4. --timeout bounds discovery

#[test]
fn the_timeout_bounds_discovery_of_an_agent_that_never_answers() {
    let hole = BlackHole::start();
    let start = Instant::now();
    let out = agentctl()
        .args(["run", &t("forever"), "--endpoint", &hole.addr.to_string()])
        .args(["--timeout", "1s", "-o", "json"])
        .output()
        .unwrap();
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(124), "{}", stderr_of(&out));
    assert!(took < Duration::from_secs(3), "--timeout 1s ran {took:?}");
    assert!(
        hole.accepted.load(Ordering::SeqCst) >= 1,
        "agentctl never connected"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["exit_code"], 124);
    assert_eq!(v["attempts"], 0, "{v}");
    assert_eq!(v["resource_meta"], "", "nothing was created: {v}");
    assert!(
        !v["calls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["method"] == "CreateTask"),
        "{v}"
    );
}

#[test]
fn a_zero_timeout_is_bad_input() {
    let wire = Tripwire::new();
    let out = agentctl()
        .args(["run", &t("forever"), "--endpoint", &wire.endpoint()])
        .args(["--timeout", "0s"])
        .output()
        .unwrap();
    assert_failed(&out, 2, &["--timeout"]);
    assert!(!wire.touched(), "something was sent");
}

// 5. Ctrl-C during `create`'s CreateTask: wait for it, then delete the job

#[test]
fn ctrl_c_during_create_deletes_the_job_it_made() {
    let fake = slow_agent(Duration::from_secs(2), Duration::ZERO);
    let mut child = std_agentctl()
        .args(["create", &t("forever"), "--endpoint", &fake.endpoint()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&mut child, "CreateTask", || {
        fake.fake.creates.load(Ordering::SeqCst) == 1
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert_eq!(
        fake.fake.deletes.lock().unwrap().as_slice(),
        &[b"{\"job\": 1}".to_vec()],
        "the job CreateTask made is deleted, not orphaned: {err}"
    );
    assert!(err.contains("deleted"), "{err}");
}

// 6. `get` fails as `run` does for RETRYABLE_FAILED and an unknown phase

#[test]
fn get_exits_1_for_a_retryable_failure_and_an_unknown_phase() {
    let dir = tempfile::tempdir().unwrap();

    let retryable = Served::start(Behaviour::Phase(Phase::RetryableFailed));
    let handle = create_handle(dir.path(), &retryable.endpoint());
    let out = agentctl().arg("get").arg(&handle).output().unwrap();
    assert_failed(&out, 1, &["RETRYABLE_FAILED"]);
    let out = agentctl()
        .arg("get")
        .arg(&handle)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["phase"], "RETRYABLE_FAILED");

    let unknown = ScriptedAgent::start(Scripted::answering(42, "from the future"));
    let handle = create_handle(dir.path(), &unknown.endpoint());
    let out = agentctl().arg("get").arg(&handle).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));

    // and a running job is still exit 0
    let running = Served::start(Behaviour::Phase(Phase::Running));
    let handle = create_handle(dir.path(), &running.endpoint());
    let out = agentctl().arg("get").arg(&handle).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

// 7. `create` writes <output_prefix>/inputs.pb

#[test]
fn create_writes_the_inputs_under_the_output_prefix() {
    let fake = Served::start(Behaviour::Phase(Phase::Running));
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("job");
    let out = agentctl()
        .args(["create", &t("success"), "--x", "21", "--name", "bob"])
        .args(["--endpoint", &fake.endpoint(), "--output-prefix"])
        .arg(&prefix)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let bytes = std::fs::read(prefix.join("inputs.pb"))
        .unwrap_or_else(|e| panic!("{}/inputs.pb: {e}", prefix.display()));
    let written = core::LiteralMap::decode(bytes.as_slice()).expect("inputs.pb is a LiteralMap");

    let out = agentctl()
        .args([
            "inputs",
            &t("success"),
            "--x",
            "21",
            "--name",
            "bob",
            "-o",
            "pb",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let expected = core::LiteralMap::decode(out.stdout.as_slice()).unwrap();
    assert_eq!(written, expected);
    assert_eq!(written.literals.len(), 2, "{written:?}");
    assert!(format!("{written:?}").contains("bob"), "{written:?}");
}

// 8. the in-process webhook agent is sync in a dry run

#[test]
fn a_dry_run_of_a_webhook_says_sync() {
    let out = agentctl()
        .args([
            "run",
            &t("notify"),
            "--base",
            "http://127.0.0.1:9",
            "--item_id",
            "1",
        ])
        .args(["--dry-run", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["endpoint"], "in-process", "{v}");
    assert_eq!(v["mode"], "sync", "{v}");
}

// 9. --no_X of a bool input named no_X sets that input, not X

#[test]
fn a_no_prefixed_bool_input_is_its_own_flag() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("cache.json");
    std::fs::write(
        &template,
        serde_json::json!({
            "id": {"resourceType": "TASK", "name": "cache"},
            "type": "agentctl_test_success",
            "interface": {"inputs": {"variables": {
                "cache": {"type": {"simple": "BOOLEAN"}},
                "no_cache": {"type": {"simple": "BOOLEAN"}},
            }}},
        })
        .to_string(),
    )
    .unwrap();
    let bools = |flag: &str| {
        let out = agentctl()
            .arg("inputs")
            .arg(&template)
            .arg(flag)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", stderr_of(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let b = |name: &str| {
            v["literals"][name]["scalar"]["primitive"]["boolean"]
                .as_bool()
                .unwrap_or_else(|| panic!("{flag}: no bool {name} in {v}"))
        };
        (b("cache"), b("no_cache"))
    };
    assert_eq!(bools("--no_cache"), (false, true), "--no_cache");
    assert_eq!(bools("--cache"), (true, false), "--cache");
}

// 10. a handle's task_version must be a 32-bit integer

#[test]
fn a_handle_with_a_task_version_out_of_range_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let wire = Tripwire::new();
    for version in [serde_json::json!(4294967297u64), serde_json::json!("1")] {
        let handle = handle_with(
            dir.path(),
            &wire.endpoint(),
            serde_json::json!({ "task_version": version }),
        );
        for verb in ["get", "delete"] {
            let out = agentctl().arg(verb).arg(&handle).output().unwrap();
            assert_failed(&out, 2, &["task_version"]);
        }
    }
    assert!(!wire.touched(), "a bad handle was sent");
}

// 11. a malformed .env is reported without its text

#[test]
fn a_malformed_env_file_is_reported_without_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "secret-value-123";
    std::fs::write(
        dir.path().join(".env"),
        format!("GOOD=1\nBAD LINE with {secret}\n"),
    )
    .unwrap();
    let template = t("success");
    // ./.env, read by default
    let out = agentctl()
        .current_dir(dir.path())
        .args(["inputs", &template, "--x", "1", "--name", "a"])
        .output()
        .unwrap();
    assert_failed(&out, 2, &[".env"]);
    assert!(!stderr_of(&out).contains(secret), "{}", stderr_of(&out));
    assert!(!stdout_of(&out).contains(secret), "{}", stdout_of(&out));
    // and named with --env-file
    let out = agentctl()
        .arg("--env-file")
        .arg(dir.path().join(".env"))
        .args(["inputs", &template, "--x", "1", "--name", "a"])
        .output()
        .unwrap();
    assert_failed(&out, 2, &["--env-file"]);
    assert!(!stderr_of(&out).contains(secret), "{}", stderr_of(&out));
    assert!(!stdout_of(&out).contains(secret), "{}", stdout_of(&out));
}

// 12. a handle's endpoint beats AGENTCTL_ENDPOINT

#[test]
fn a_handle_goes_to_its_own_endpoint_whatever_agentctl_endpoint_says() {
    let fake = Served::start(Behaviour::Phase(Phase::Running));
    let elsewhere = Tripwire::new();
    let dir = tempfile::tempdir().unwrap();
    let handle = create_handle(dir.path(), &fake.endpoint());
    for verb in ["get", "delete"] {
        let out = agentctl()
            .arg(verb)
            .arg(&handle)
            .args(["--call-timeout", "1s"])
            .env("AGENTCTL_ENDPOINT", elsewhere.endpoint())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{verb}: {}", stderr_of(&out));
    }
    assert_eq!(
        fake.fake.deletes.lock().unwrap().as_slice(),
        &[b"{\"job\": 1}".to_vec()],
        "the delete reached the handle's endpoint"
    );
    assert!(fake.fake.gets.load(Ordering::SeqCst) >= 1);
    assert!(!elsewhere.touched(), "AGENTCTL_ENDPOINT was called");
}

// 13. an empty output prefix, or one that is a file, is bad input

#[test]
fn an_empty_or_regular_file_output_prefix_is_bad_input() {
    let wire = Tripwire::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    for verb in ["run", "create"] {
        let out = agentctl()
            .args([verb, &t("forever"), "--endpoint", &wire.endpoint()])
            .args(["--output-prefix", ""])
            .output()
            .unwrap();
        assert_failed(&out, 2, &["--output-prefix"]);

        let out = agentctl()
            .args([verb, &t("forever"), "--endpoint", &wire.endpoint()])
            .arg("--output-prefix")
            .arg(&file)
            .output()
            .unwrap();
        assert_failed(&out, 2, &[file.to_str().unwrap()]);
    }
    assert!(!wire.touched(), "something was sent");
    assert_eq!(std::fs::read(&file).unwrap(), b"x", "the file was changed");
}

// 14. control bytes in what an agent says never reach the terminal raw

#[track_caller]
fn assert_no_control_bytes(out: &std::process::Output) {
    for (name, bytes) in [("stderr", &out.stderr), ("stdout", &out.stdout)] {
        assert!(
            !bytes.iter().any(|b| *b == 0x1b || *b == 0x07),
            "raw ESC or BEL on {name}: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    // the message is still shown, its control bytes made harmless
    assert!(
        stderr_of(out).contains("[2J"),
        "the agent's message is missing: {}",
        stderr_of(out)
    );
}

#[test]
fn control_bytes_in_an_agent_message_are_not_printed_raw() {
    let evil = "ok\x1b[2J\x07";
    let agent = ScriptedAgent::start(Scripted::answering(Phase::Succeeded as i32, evil));
    let out = agentctl()
        .args(["run", &t("forever"), "--endpoint", &agent.endpoint()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_no_control_bytes(&out);

    let dir = tempfile::tempdir().unwrap();
    let handle = create_handle(dir.path(), &agent.endpoint());
    let out = agentctl().arg("get").arg(&handle).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_no_control_bytes(&out);

    let failing = ScriptedAgent::start(Scripted::answering(Phase::Failed as i32, evil));
    let out = agentctl()
        .args(["run", &t("forever"), "--endpoint", &failing.endpoint()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_no_control_bytes(&out);

    let refusing = ScriptedAgent::start(Scripted::failing_create(evil));
    let out = agentctl()
        .args(["run", &t("forever"), "--endpoint", &refusing.endpoint()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert_no_control_bytes(&out);
}

// 15. a header value an agent echoes back is masked

const TOKEN: &str = "tok-abcdef123";

/// Runs `args` with `-H 'authorization: Bearer <TOKEN>'`, in human form with -v and in JSON,
/// and asserts the token is printed in neither; returns both outputs.
#[track_caller]
fn run_masked(args: &[&str], code: i32) -> [std::process::Output; 2] {
    let header = format!("authorization: Bearer {TOKEN}");
    let human = agentctl()
        .args(args)
        .args(["-v", "-H", &header])
        .output()
        .unwrap();
    let json = agentctl()
        .args(args)
        .args(["-o", "json", "-H", &header])
        .output()
        .unwrap();
    for out in [&human, &json] {
        assert_eq!(out.status.code(), Some(code), "{}", stderr_of(out));
        assert!(!stderr_of(out).contains(TOKEN), "{}", stderr_of(out));
        assert!(!stdout_of(out).contains(TOKEN), "{}", stdout_of(out));
    }
    [human, json]
}

#[test]
fn an_echoed_authorization_header_is_masked() {
    let forever = t("forever");

    // echoed in a phase message
    let agent = ScriptedAgent::start(Scripted::answering(
        Phase::Failed as i32,
        "rejected credentials {auth}",
    ));
    let [_, json] = run_masked(&["run", &forever, "--endpoint", &agent.endpoint()], 1);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("rejected credentials"),
        "{v}"
    );
    assert!(
        agent
            .agent
            .authorizations
            .lock()
            .unwrap()
            .iter()
            .any(|a| a.contains(TOKEN)),
        "the header never reached the agent"
    );

    // echoed in a CreateTask error
    let refusing = ScriptedAgent::start(Scripted::failing_create("denied for {auth}"));
    let [human, json] = run_masked(&["run", &forever, "--endpoint", &refusing.endpoint()], 3);
    assert!(
        stderr_of(&human).contains("denied for"),
        "{}",
        stderr_of(&human)
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("denied for"), "{v}");

    // and in what `get` prints
    let dir = tempfile::tempdir().unwrap();
    let handle = create_handle(dir.path(), &agent.endpoint());
    run_masked(&["get", handle.to_str().unwrap()], 1);
}

#[test]
fn an_echoed_bearer_token_alone_is_masked() {
    // agents often echo the credential without its scheme: "invalid token tok-…"
    let forever = t("forever");
    let agent = ScriptedAgent::start(Scripted::answering(
        Phase::Failed as i32,
        "invalid token {token}",
    ));
    run_masked(&["run", &forever, "--endpoint", &agent.endpoint()], 1);
    let refusing = ScriptedAgent::start(Scripted::failing_create("invalid token {token}"));
    run_masked(&["run", &forever, "--endpoint", &refusing.endpoint()], 3);
}
