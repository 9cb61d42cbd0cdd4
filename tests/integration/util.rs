//! Helpers shared by the integration tests: running the binary, finding the fixtures that
//! flytekit and the Flyte 2 SDK generated (`scripts/test-env`), and a real flytekit connector
//! server on 127.0.0.1 (the Flyte 2 one, c0, is in `flyte2.rs`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What agentctl, or an agent it runs in-process, reads from its environment: every launch
/// starts without these, so nothing leaks in from the developer's shell.
pub const CLEARED_ENV: &[&str] = &[
    "AGENTCTL_ENDPOINT",
    "AGENTCTL_CONFIG",
    "AGENTCTL_WIRE",
    "AGENTCTL_BIGQUERY_ENDPOINT",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "NO_COLOR",
    // where flytekit's get_connector_secret looks, and the secrets the fixtures ask for by
    // their bare names (a local run's fallback)
    "FLYTE_SECRETS_ENV_PREFIX",
    "FLYTE_SECRETS_DEFAULT_DIR",
    "FLYTE_SECRETS_FILE_PREFIX",
    "HOOK_TOKEN",
    "API_KEY",
    "AGENTCTL2_TEST_API_KEY",
];

/// Every variable whose name starts with one of these is cleared too (`_FSEC_<KEY>`, flytekit's
/// prefixed secrets).
pub const CLEARED_ENV_PREFIXES: &[&str] = &["_FSEC_"];

/// The one place a launch is cleaned: [`CLEARED_ENV`] and [`CLEARED_ENV_PREFIXES`] removed, and
/// a working directory that holds no `.env`. Variables set on `cmd` after this call win.
pub fn clean_env(cmd: &mut StdCommand) -> &mut StdCommand {
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    for (name, _) in std::env::vars_os() {
        if name
            .to_str()
            .is_some_and(|n| CLEARED_ENV_PREFIXES.iter().any(|p| n.starts_with(p)))
        {
            cmd.env_remove(name);
        }
    }
    cmd.current_dir(std::env::temp_dir());
    cmd
}

/// The agentctl binary, cleaned by [`clean_env`]: for runs in the background (`spawn`).
pub fn std_agentctl() -> StdCommand {
    let mut cmd = StdCommand::new(env!("CARGO_BIN_EXE_agentctl"));
    clean_env(&mut cmd);
    cmd
}

/// The agentctl binary, cleaned by [`clean_env`], as an `assert_cmd` command.
pub fn agentctl() -> assert_cmd::Command {
    assert_cmd::Command::from_std(std_agentctl())
}

/// One agentctl run and what it must do, in the spirit of `just`'s `Test`: arguments,
/// environment, working directory and stdin, then the exit code (0 unless told) and what stdout
/// and stderr must hold. [`Run::run`] runs it, checks every expectation and returns what it
/// printed.
///
/// ```ignore
/// Run::new(["run", &template])
///     .tripwire()
///     .expect_code(2)
///     .stderr_contains("2 required inputs are missing")
///     .run();
/// ```
#[must_use = "nothing runs until .run()"]
pub struct Run {
    cmd: StdCommand,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    code: Option<i32>,
    stdout_is: Option<String>,
    stdout_contains: Vec<String>,
    stderr_contains: Vec<String>,
    stderr_lacks: Vec<String>,
    tripwire: Option<Tripwire>,
}

/// What a [`Run`] printed.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub output: std::process::Output,
}

impl Ran {
    /// Stdout as JSON (`-o json`).
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl Run {
    /// `agentctl ARGS` with a clean environment ([`clean_env`]), expected to exit 0.
    pub fn new<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Run {
            cmd: std_agentctl(),
            args: Vec::new(),
            stdin: None,
            code: Some(0),
            stdout_is: None,
            stdout_contains: Vec::new(),
            stderr_contains: Vec::new(),
            stderr_lacks: Vec::new(),
            tripwire: None,
        }
        .args(args)
    }

    pub fn arg(self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.args([arg])
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        for a in args {
            self.args.push(a.as_ref().to_string_lossy().into_owned());
            self.cmd.arg(a);
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// The exit code the run must end with (0 unless told).
    pub fn expect_code(mut self, code: i32) -> Self {
        self.code = Some(code);
        self
    }

    /// Stdout must be exactly `text`.
    pub fn stdout_is(mut self, text: impl Into<String>) -> Self {
        self.stdout_is = Some(text.into());
        self
    }

    pub fn stdout_contains(mut self, needle: impl Into<String>) -> Self {
        self.stdout_contains.push(needle.into());
        self
    }

    pub fn stderr_contains(mut self, needle: impl Into<String>) -> Self {
        self.stderr_contains.push(needle.into());
        self
    }

    pub fn stderr_lacks(mut self, needle: impl Into<String>) -> Self {
        self.stderr_lacks.push(needle.into());
        self
    }

    /// Points `--endpoint` at a [`Tripwire`] (appended last) and, after the run, checks that
    /// nothing connected to it: proof that nothing was sent.
    pub fn tripwire(mut self) -> Self {
        let wire = Tripwire::new();
        self = self.args(["--endpoint", &wire.endpoint()]);
        self.tripwire = Some(wire);
        self
    }

    /// Runs agentctl to the end, checks every expectation, and returns what it printed.
    #[track_caller]
    pub fn run(mut self) -> Ran {
        use std::io::Write as _;
        let cmd = self.args.join(" ");
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("agentctl {cmd}: {e}"));
        let writer = self.stdin.take().map(|bytes| {
            let mut pipe = child.stdin.take().unwrap();
            // a thread, so that a child that prints before it reads cannot deadlock the test
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            })
        });
        let output = child.wait_with_output().unwrap();
        if let Some(w) = writer {
            w.join().unwrap();
        }
        let ran = Ran {
            code: output.status.code(),
            stdout: stdout_of(&output),
            stderr: stderr_of(&output),
            output,
        };
        let context = || {
            format!(
                "agentctl {cmd}\nexit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                ran.code, ran.stdout, ran.stderr
            )
        };
        if let Some(code) = self.code {
            assert_eq!(ran.code, Some(code), "exit code of {}", context());
        }
        if let Some(want) = &self.stdout_is {
            assert_eq!(&ran.stdout, want, "stdout of {}", context());
        }
        for n in &self.stdout_contains {
            assert!(ran.stdout.contains(n), "stdout lacks {n:?}: {}", context());
        }
        for n in &self.stderr_contains {
            assert!(ran.stderr.contains(n), "stderr lacks {n:?}: {}", context());
        }
        for n in &self.stderr_lacks {
            assert!(!ran.stderr.contains(n), "stderr holds {n:?}: {}", context());
        }
        if let Some(wire) = &self.tripwire {
            assert!(!wire.touched(), "something was sent: {}", context());
        }
        ran
    }
}

/// The fixtures flytekit 1.16.31 wrote (see tests/python/gen_fixtures.py).
#[track_caller]
pub fn pyfixtures() -> PathBuf {
    let dir = repo().join("target/pyfixtures");
    assert!(
        dir.join("inputs_cases.json").is_file(),
        "{} is missing: run scripts/test (or scripts/test-env) first, which installs flytekit and generates them",
        dir.display()
    );
    dir
}

#[track_caller]
pub fn pyfixture(name: &str) -> PathBuf {
    pyfixtures().join(name)
}

#[track_caller]
pub fn python() -> PathBuf {
    let venv = std::env::var_os("AGENTCTL_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv"));
    let py = venv.join("bin/python");
    assert!(
        py.is_file(),
        "{} is missing: run scripts/test (or scripts/test-env) first",
        py.display()
    );
    py
}

/// The fixtures the Flyte 2 SDK (flyte 2.12.1) wrote (see tests/python2/gen_fixtures2.py).
#[track_caller]
pub fn pyfixtures2() -> PathBuf {
    let dir = repo().join("target/pyfixtures2");
    assert!(
        dir.join("success.pb").is_file(),
        "{} is missing: run scripts/test (or scripts/test-env) first, which installs flyte 2 and generates them",
        dir.display()
    );
    dir
}

#[track_caller]
pub fn pyfixture2(name: &str) -> PathBuf {
    pyfixtures2().join(name)
}

/// The Flyte 2 venv's python (flyte[connector] 2.12.1, flyteidl2 2.0.51): a venv apart from
/// flytekit's, since the two need different protobuf majors.
#[track_caller]
pub fn python2() -> PathBuf {
    let venv = std::env::var_os("AGENTCTL_TEST_VENV2")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv2"));
    let py = venv.join("bin/python");
    assert!(
        py.is_file(),
        "{} is missing: run scripts/test (or scripts/test-env) first",
        py.display()
    );
    py
}

/// JSON lines a test connector recorded in `dir` (`deletes.jsonl`, `creates.jsonl`); none when
/// the file does not exist yet.
pub fn records_in(dir: &Path, file: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Waits until `file` in `dir` has at least `n` records, for effects that land after a reply.
pub fn wait_records_in(
    dir: &Path,
    file: &str,
    n: usize,
    within: Duration,
) -> Vec<serde_json::Value> {
    let start = Instant::now();
    loop {
        let r = records_in(dir, file);
        if r.len() >= n || start.elapsed() > within {
            return r;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A real `pyflyte serve connector` (flytekit's own server code) with the connectors of
/// tests/python/test_connectors.py and the flytekit plugins the venv has (BigQuery), bound to
/// 127.0.0.1 on a port the OS picks. Stopped on drop.
pub struct FlytekitServer {
    child: Child,
    pub addr: String,
    pub state: tempfile::TempDir,
}

impl FlytekitServer {
    #[track_caller]
    pub fn start() -> Self {
        Self::start_with_env(&[])
    }

    /// A server whose connectors see these extra environment variables.
    #[track_caller]
    pub fn start_with_env(env: &[(&str, &std::ffi::OsStr)]) -> Self {
        let state = tempfile::tempdir().unwrap();
        let mut child = StdCommand::new(python())
            .arg(repo().join("tests/python/launch_server.py"))
            .args(["--modules", "test_connectors", "--exit-on-stdin-eof"])
            .current_dir(repo().join("tests/python"))
            .envs(env.iter().copied())
            .env("AGENTCTL_TEST_STATE_DIR", state.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the flytekit connector server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.trim().to_string());
                }
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!("the flytekit server did not start within 60s");
            }
        };
        assert!(
            addr.starts_with("127.0.0.1:"),
            "the server must bind loopback only, got {addr}"
        );
        FlytekitServer { child, addr, state }
    }

    /// JSON lines the test connectors recorded (`deletes.jsonl`, `creates.jsonl`).
    pub fn records(&self, file: &str) -> Vec<serde_json::Value> {
        records_in(self.state.path(), file)
    }

    /// Waits until `file` has at least `n` records, for effects that land after a reply.
    pub fn wait_records(&self, file: &str, n: usize, within: Duration) -> Vec<serde_json::Value> {
        wait_records_in(self.state.path(), file, n, within)
    }
}

impl Drop for FlytekitServer {
    fn drop(&mut self) {
        // closing stdin asks for a graceful stop; kill if it lingers
        drop(self.child.stdin.take());
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP port on 127.0.0.1 that records whether anything connected: proof that nothing was sent.
pub struct Tripwire {
    listener: std::net::TcpListener,
}

impl Tripwire {
    pub fn new() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Tripwire { listener }
    }

    pub fn endpoint(&self) -> String {
        self.listener.local_addr().unwrap().to_string()
    }

    pub fn touched(&self) -> bool {
        self.listener.accept().is_ok()
    }
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One HTTP request as a local test server received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub method: String,
    /// The path with its query string.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 that answers each request with `handler`'s status and
/// body and records what it received; it serves a bounded number of requests, then stops.
pub struct HttpServer {
    pub base: String,
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

impl HttpServer {
    pub fn start(handler: impl Fn(&Received) -> (u16, String) + Send + 'static) -> Self {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(64) {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (
                    parts.next().unwrap_or_default().to_string(),
                    parts.next().unwrap_or_default().to_string(),
                );
                let mut headers = Vec::new();
                let mut length = 0;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap_or_default();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let Some((k, v)) = h.split_once(':') else {
                        break;
                    };
                    let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
                    if k == "content-length" {
                        length = v.parse().unwrap_or(0);
                    }
                    headers.push((k, v));
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let received = Received {
                    method,
                    path,
                    headers,
                    body,
                };
                let (status, answer) = handler(&received);
                record.lock().unwrap().push(received);
                let reason = if status == 200 { "OK" } else { "Error" };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        HttpServer { base, seen }
    }
}

/// Asserts a run's exit code and that its stderr holds each of `needles`.
#[track_caller]
pub fn assert_failed(out: &std::process::Output, code: i32, needles: &[&str]) {
    let err = stderr_of(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
}

/// insta settings that make a message stable across machines and runs: the checkout and the
/// fixtures' paths, temporary directories, loopback ports, measured durations and timestamps
/// are replaced by placeholders. Use as `redacted().bind(|| insta::assert_snapshot!(..))`.
pub fn redacted() -> insta::Settings {
    fn escape(text: &str) -> String {
        text.chars()
            .flat_map(|c| {
                let special = "\\.+*?()|[]{}^$#&-~".contains(c);
                special.then_some('\\').into_iter().chain([c])
            })
            .collect()
    }
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&escape(&repo().display().to_string()), "[REPO]");
    let tmp = std::env::temp_dir();
    let tmp = tmp.to_str().unwrap().trim_end_matches('/');
    settings.add_filter(&format!(r"{}/\.tmp[A-Za-z0-9]+", escape(tmp)), "[TEMPDIR]");
    // the fresh output prefix of a run given none: <tmp>/agentctl/<pid><nanos>, in hex
    settings.add_filter(
        &format!(r"{}/agentctl/[0-9a-f]+", escape(tmp)),
        "[OUTPUT_PREFIX]",
    );
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    // RFC 3339 timestamps, and durations measured rather than configured (3.6ms, 1.204s)
    settings.add_filter(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
        "[TIMESTAMP]",
    );
    settings.add_filter(r"\b\d+\.\d+(ns|µs|us|ms|s)\b", "[DURATION]");
    settings
}
