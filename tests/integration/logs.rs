//! `agentctl logs`, `agentctl metrics` and `run --logs`: against the Flyte 2 SDK's real `c0`
//! (`agentctl2_logs` streams 3 token-addressed pages), the real flytekit 1.16.31 server (whose
//! GetTaskLogs answers an empty stream), `agentctl serve` (the FileSensor says what it waits
//! for, over either wire) and a Rust fake of the Flyte 1 service (paging, following, Ctrl-C).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agentctl::pb::admin;
use agentctl::pb::core::task_execution::Phase;
use agentctl::pb::service::async_agent_service_server::{
    AsyncAgentService, AsyncAgentServiceServer,
};
use base64::Engine as _;
use serde_json::{Value, json};
use tonic::{Request, Response, Status};

use crate::faults::{interrupt, wait_for};
use crate::flyte2::C0;
use crate::serve::Serve;
use crate::util::{FlytekitServer, Ran, Run, pyfixture, pyfixture2, repo, std_agentctl};

/// What `agentctl2_logs` (tests/python2/test_connectors2.py) streams: its 3 pages in order,
/// as (originator, message); the three progress lines end in CR.
const C0_LINES: &[(&str, &str)] = &[
    ("SYSTEM", "job accepted"),
    ("USER", "step 1/3: download"),
    ("USER", "progress  10%\r"),
    ("USER", "progress  55%\r"),
    ("USER", "progress 100%\r"),
    ("USER", "download complete"),
    ("USER", "step 2/3: compute"),
    ("SYSTEM", "warning: node is busy"),
    ("USER", "computed 42 rows"),
    ("USER", "step 3/3: upload"),
    ("UNKNOWN", "done"),
];

/// A message as a plain (non-terminal) line shows it: without the CR.
fn plain(message: &str) -> &str {
    message.trim_end_matches('\r')
}

/// `agentctl create ARGS` and its handle, written to `dir/name.json`.
#[track_caller]
fn create(dir: &Path, name: &str, args: &[&str]) -> (PathBuf, Value) {
    let ran = Run::new(["create"]).args(args).run();
    let handle = ran.json();
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, &ran.output.stdout).unwrap();
    (file, handle)
}

/// The JSON object a handle's base64 `resource_meta` holds (the test connectors' metas are
/// JSON).
fn meta_of(handle: &Value) -> Value {
    let b64 = handle["resource_meta"].as_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Each plain line of `logs` output split into (timestamp, originator, message).
#[track_caller]
fn parsed(stdout: &str) -> Vec<(String, String, String)> {
    stdout
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let (ts, who, msg) = (parts.next(), parts.next(), parts.next());
            match (ts, who, msg) {
                (Some(t), Some(o), Some(m)) => (t.to_string(), o.to_string(), m.to_string()),
                _ => panic!("not `TIMESTAMP ORIGINATOR MESSAGE`: {l:?}\n{stdout}"),
            }
        })
        .collect()
}

/// The messages of `logs` output, in order.
fn messages(stdout: &str) -> Vec<String> {
    parsed(stdout).into_iter().map(|(_, _, m)| m).collect()
}

/// `-o json` output: every stdout line is one JSON object with exactly timestamp, originator
/// and message; nothing else is on stdout.
#[track_caller]
fn ndjson(ran: &Ran) -> Vec<Value> {
    assert!(
        ran.stdout.is_empty() || ran.stdout.ends_with('\n'),
        "{:?}",
        ran.stdout
    );
    ran.stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("a stdout line is not JSON ({e}): {l:?}"));
            let keys: Vec<&str> = v
                .as_object()
                .unwrap_or_else(|| panic!("not an object: {l}"))
                .keys()
                .map(String::as_str)
                .collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(sorted, ["message", "originator", "timestamp"], "{l}");
            v
        })
        .collect()
}

fn rfc3339(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn f2(name: &str) -> String {
    pyfixture2(name).to_str().unwrap().to_string()
}

fn f1(name: &str) -> String {
    pyfixture(name).to_str().unwrap().to_string()
}

// ------------------------------------------------------------------------------------------
// Flyte 2: the real c0

#[test]
fn c0_pages_come_in_order_as_text_ndjson_and_last_n() {
    let c0 = C0::start();
    let dir = tempfile::tempdir().unwrap();
    let (handle, h) = create(
        dir.path(),
        "logs",
        &[&f2("logs.pb"), "--endpoint", &c0.addr],
    );
    assert_eq!(h["wire"], "v2", "{h}");
    assert_eq!(h["task_type"], "agentctl2_logs");
    let created_at = meta_of(&h)["created_at"].as_f64().unwrap();

    // for people: all 11 lines of the 3 pages, in order; off a terminal a CR line is a plain
    // line and no control byte is printed
    let ran = Run::new(["logs"]).arg(&handle).run();
    let lines = parsed(&ran.stdout);
    let want: Vec<(&str, &str)> = C0_LINES.iter().map(|(o, m)| (*o, plain(m))).collect();
    let got: Vec<(&str, &str)> = lines
        .iter()
        .map(|(_, o, m)| (o.as_str(), m.as_str()))
        .collect();
    assert_eq!(got, want, "{}", ran.stdout);
    assert!(
        !ran.stdout.contains('\r') && !ran.stdout.contains('\x1b'),
        "{:?}",
        ran.stdout
    );
    // the connector dates line i at create + i seconds
    for (i, (ts, _, _)) in lines.iter().enumerate() {
        let t = rfc3339(ts).timestamp_nanos_opt().unwrap() as f64 / 1e9;
        let expected = created_at + i as f64;
        assert!(
            (t - expected).abs() < 0.001,
            "line {i} is dated {ts}, expected {expected}"
        );
    }

    // for scripts: NDJSON, one object a line and nothing else on stdout
    let ran = Run::new(["logs"]).arg(&handle).args(["-o", "json"]).run();
    let docs = ndjson(&ran);
    assert_eq!(docs.len(), C0_LINES.len(), "{}", ran.stdout);
    for (doc, (who, msg)) in docs.iter().zip(C0_LINES) {
        assert_eq!(doc["originator"], *who, "{doc}");
        assert_eq!(plain(doc["message"].as_str().unwrap()), plain(msg), "{doc}");
        rfc3339(doc["timestamp"].as_str().unwrap());
    }

    // --lines N: the last N
    let ran = Run::new(["logs"]).arg(&handle).args(["--lines", "3"]).run();
    assert_eq!(
        messages(&ran.stdout),
        ["computed 42 rows", "step 3/3: upload", "done"],
        "{}",
        ran.stdout
    );
    let ran = Run::new(["logs"])
        .arg(&handle)
        .args(["-n", "1", "-o", "json"])
        .run();
    let docs = ndjson(&ran);
    assert_eq!(docs.len(), 1, "{}", ran.stdout);
    assert_eq!(docs[0]["message"], "done");

    // a since longer than the job's life shows everything
    let ran = Run::new(["logs"])
        .arg(&handle)
        .args(["--since", "1h"])
        .run();
    assert_eq!(
        messages(&ran.stdout).len(),
        C0_LINES.len(),
        "{}",
        ran.stdout
    );

    // --follow on a finished job: every line once, then it ends by itself
    let start = Instant::now();
    let ran = Run::new(["logs"]).arg(&handle).arg("--follow").run();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    let got = messages(&ran.stdout);
    let want: Vec<&str> = C0_LINES.iter().map(|(_, m)| plain(m)).collect();
    assert_eq!(got, want, "{}", ran.stdout);
    assert!(
        c0.records("deletes.jsonl").is_empty(),
        "logs never deletes the job"
    );
}

/// On a terminal, a line ending in CR is redrawn in place by the next (`script` gives agentctl
/// a pseudo-terminal for stdout).
#[test]
fn c0_progress_lines_are_redrawn_in_place_on_a_terminal() {
    let c0 = C0::start();
    let dir = tempfile::tempdir().unwrap();
    let (handle, _) = create(
        dir.path(),
        "logs",
        &[&f2("logs.pb"), "--endpoint", &c0.addr],
    );
    let cmd = format!(
        "{} logs {}",
        env!("CARGO_BIN_EXE_agentctl"),
        handle.display()
    );
    let mut script = std::process::Command::new("script");
    crate::util::clean_env(&mut script);
    let out = script
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run `script` (util-linux), which gives agentctl a terminal");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text:?}");
    // a redraw is CR + erase-line; the terminal turns each \n into \r\n
    let redraw = "\r\x1b[2K";
    let pos = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {text:?}"))
    };
    for m in [
        "progress  10%",
        "progress  55%",
        "progress 100%",
        "download complete",
    ] {
        let before = &text[..pos(m)];
        let redrawn = before.rfind(redraw);
        assert!(
            redrawn.is_some() && redrawn > before.rfind('\n'),
            "{m:?} is not drawn over the line before: {text:?}"
        );
    }
    // the line before the first progress line ends as usual; the progress lines overwrite one
    // another up to the next plain line, which ends with a newline
    let step1 = pos("step 1/3: download") + "step 1/3: download".len();
    assert!(text[step1..].starts_with("\r\n"), "{text:?}");
    let between = &text[pos("progress  10%")..pos("download complete")];
    assert!(!between.contains('\n'), "{between:?}");
    let done = pos("download complete") + "download complete".len();
    assert!(text[done..].starts_with("\r\n"), "{text:?}");
    assert_eq!(text.matches(redraw).count(), 4, "{text:?}");
}

/// The connector dates its lines one a second from create, so right after create most are
/// still ahead of the clock; once the job is a few seconds old, a short --since hides the
/// older ones.
#[test]
fn c0_a_short_since_hides_the_older_lines() {
    let c0 = C0::start();
    let dir = tempfile::tempdir().unwrap();
    let (handle, h) = create(
        dir.path(),
        "logs",
        &[&f2("logs.pb"), "--endpoint", &c0.addr],
    );
    let created_at = meta_of(&h)["created_at"].as_f64().unwrap();
    // wait until create + 4.5 s: lines 0..=3 are then over a second old
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
    };
    let wait = created_at + 4.5 - now();
    if wait > 0.0 {
        std::thread::sleep(Duration::from_secs_f64(wait));
    }
    let ran = Run::new(["logs"])
        .arg(&handle)
        .args(["--since", "1s"])
        .run();
    let got = messages(&ran.stdout);
    // the cut is at (agentctl's start - 1 s) >= create + 3.5 s: lines 0..=3 are gone; lines
    // 4 and 5 depend on how fast agentctl started; from line 6 (create + 6 s) on all are shown
    for (_, m) in &C0_LINES[..4] {
        assert!(!got.contains(&plain(m).to_string()), "{m:?} shown: {got:?}");
    }
    let tail: Vec<String> = C0_LINES[6..].iter().map(|(_, m)| plain(m).into()).collect();
    assert!(got.ends_with(&tail), "{got:?}");
    assert!(got.len() <= 7, "{got:?}");
}

#[test]
fn c0_metrics_json_is_the_connectors_data() {
    let c0 = C0::start();
    let dir = tempfile::tempdir().unwrap();
    let (handle, h) = create(
        dir.path(),
        "logs",
        &[&f2("logs.pb"), "--endpoint", &c0.addr],
    );
    let meta = meta_of(&h);
    let ran = Run::new(["metrics"])
        .arg(&handle)
        .args(["--query", "cpu", "-o", "json"])
        .run();
    let v = ran.json();
    assert_eq!(
        v,
        json!([{
            "metric": "cpu",
            "data": {
                "resultType": "matrix",
                "result": [{
                    "metric": {"task": meta["id"]},
                    "values": [
                        [meta["created_at"], "0.25"],
                        [meta["created_at"].as_f64().unwrap() + 1.0, "0.75"],
                    ],
                }],
            },
        }]),
    );
    // for people: the metric's name, then its data
    let ran = Run::new(["metrics"])
        .arg(&handle)
        .args(["--query", "cpu"])
        .run();
    assert!(ran.stdout.starts_with("cpu\n"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("\"resultType\": \"matrix\""),
        "{}",
        ran.stdout
    );
}

#[test]
fn c0_a_connector_without_logs_is_exit_3() {
    let c0 = C0::start();
    let dir = tempfile::tempdir().unwrap();
    let (handle, _) = create(
        dir.path(),
        "success",
        &[&f2("success.pb"), "--endpoint", &c0.addr, "--x", "1"],
    );
    Run::new(["logs"])
        .arg(&handle)
        .expect_code(3)
        .stdout_is("")
        .stderr_contains("does not implement GetTaskLogs")
        .stderr_contains(&c0.addr)
        .run();
    // following makes no difference
    Run::new(["logs"])
        .arg(&handle)
        .args(["--follow", "-o", "json"])
        .expect_code(3)
        .stdout_is("")
        .stderr_contains("does not implement GetTaskLogs")
        .run();
}

#[test]
fn c0_run_logs_prints_the_lines_on_stderr() {
    let c0 = C0::start();
    let ran = Run::new(["run", &f2("logs.pb"), "--endpoint", &c0.addr, "--logs"])
        .stderr_lacks("does not implement GetTaskLogs")
        .run();
    assert_eq!(ran.stdout, "", "the task has no outputs");
    // every line once, in order, with its originator
    let mut rest = ran.stderr.as_str();
    for (who, m) in C0_LINES {
        let needle = format!("{who} {}", plain(m));
        let at = rest
            .find(&needle)
            .unwrap_or_else(|| panic!("{needle:?} missing or out of order:\n{}", ran.stderr));
        rest = &rest[at + needle.len()..];
        assert_eq!(
            ran.stderr.matches(&needle).count(),
            1,
            "{needle:?} twice:\n{}",
            ran.stderr
        );
    }
    assert!(!ran.stderr.contains('\r'), "{:?}", ran.stderr);
    // -o json: the report stays alone on stdout, the lines stay on stderr
    let ran = Run::new(["run", &f2("logs.pb"), "--endpoint", &c0.addr, "--logs"])
        .args(["-o", "json"])
        .stderr_contains("computed 42 rows")
        .run();
    assert_eq!(ran.json()["phase"], "SUCCEEDED");
    assert!(!ran.stdout.contains("computed 42 rows"));
}

#[test]
fn c0_run_logs_of_a_connector_without_logs_notes_it_once_and_goes_on() {
    let c0 = C0::start();
    let ran = Run::new(["run", &f2("success.pb"), "--endpoint", &c0.addr])
        .args(["--x", "2", "--logs", "--poll-interval", "100ms"])
        .stdout_is("greeting: hello world\ny: 4\n")
        .stderr_contains("no logs for this run")
        .stderr_contains("SUCCEEDED")
        .run();
    assert_eq!(
        ran.stderr.matches("does not implement GetTaskLogs").count(),
        1,
        "{}",
        ran.stderr
    );
    assert_eq!(ran.stderr.matches("no logs for this run").count(), 1);
    // the note comes with the first poll (RUNNING), and the run still polled to the end
    let note = ran.stderr.find("does not implement GetTaskLogs").unwrap();
    assert!(
        ran.stderr.find("RUNNING").unwrap() < note && note < ran.stderr.find("SUCCEEDED").unwrap(),
        "{}",
        ran.stderr
    );
}

// ------------------------------------------------------------------------------------------
// Flyte 1: the real flytekit 1.16.31 server

#[test]
fn flytekit_logs_is_an_empty_stream_and_metrics_answer() {
    let server = FlytekitServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (handle, h) = create(
        dir.path(),
        "logs",
        &[&f1("logs.template.json"), "--endpoint", &server.addr],
    );
    assert_eq!(h["wire"], "v1", "{h}");
    assert_eq!(h["task_type"], "agentctl_test_logs");
    let meta = meta_of(&h);

    // flytekit's GetTaskLogs awaits the connector's get_logs and sends nothing of it: an empty
    // stream with status OK, which is no lines and exit 0
    Run::new(["logs"]).arg(&handle).stdout_is("").run();
    Run::new(["logs"])
        .arg(&handle)
        .args(["-o", "json"])
        .stdout_is("")
        .run();
    Run::new(["logs"])
        .arg(&handle)
        .args(["--follow", "--lines", "5"])
        .stdout_is("")
        .run();
    // ... although the connector was asked each time
    let asked = server.records("logs.jsonl");
    assert!(asked.len() >= 3, "{asked:?}");
    assert!(asked.iter().all(|r| r["id"] == meta["id"]), "{asked:?}");

    // GetTaskMetrics is unary, and answers the connector's data
    let v = Run::new(["metrics"])
        .arg(&handle)
        .args(["--query", "cpu", "-o", "json"])
        .run()
        .json();
    assert_eq!(
        v,
        json!([{
            "metric": "cpu",
            "data": {
                "resultType": "matrix",
                "result": [{
                    "metric": {"task": meta["id"]},
                    "values": [
                        [meta["created_at"], "0.25"],
                        [meta["created_at"].as_f64().unwrap() + 1.0, "0.75"],
                    ],
                }],
            },
        }]),
    );
    assert_eq!(server.records("metrics.jsonl").len(), 1);

    // run --logs: nothing to show, and nothing to note either
    Run::new([
        "run",
        &f1("logs.template.json"),
        "--endpoint",
        &server.addr,
        "--logs",
    ])
    .stderr_contains("SUCCEEDED")
    .stderr_lacks("GetTaskLogs")
    .stderr_lacks("no logs for this run")
    .run();

    // a connector without get_logs/get_metrics raises NotImplementedError: exit 3
    let (forever, _) = create(
        dir.path(),
        "forever",
        &[&f1("forever.template.json"), "--endpoint", &server.addr],
    );
    Run::new(["logs"])
        .arg(&forever)
        .expect_code(3)
        .stdout_is("")
        .stderr_contains("does not implement GetTaskLogs")
        .run();
    Run::new(["metrics"])
        .arg(&forever)
        .args(["--query", "cpu"])
        .expect_code(3)
        .stdout_is("")
        .stderr_contains("GetTaskMetrics")
        .run();
    assert!(
        server.records("deletes.jsonl").is_empty(),
        "logs and metrics never delete"
    );
}

// ------------------------------------------------------------------------------------------
// agentctl serve: the built-in sensor says what it waits for, over either wire

#[test]
fn serve_sensor_logs_say_what_it_waits_for_on_both_wires() {
    let server = Serve::start();
    let dir = tempfile::tempdir().unwrap();
    let sensor = repo().join("fixtures/file_sensor.json");
    for wire in ["v1", "v2"] {
        let flag = dir.path().join(format!("flag-{wire}"));
        let path = flag.to_str().unwrap();
        let (handle, h) = create(
            dir.path(),
            wire,
            &[
                sensor.to_str().unwrap(),
                "--path",
                path,
                "--endpoint",
                &server.addr,
                "--wire",
                wire,
            ],
        );
        assert_eq!(h["wire"], wire, "{h}");

        let ran = Run::new(["logs"]).arg(&handle).run();
        let lines = parsed(&ran.stdout);
        assert_eq!(lines.len(), 1, "{wire}: {}", ran.stdout);
        assert_eq!(lines[0].1, "SYSTEM");
        assert_eq!(
            lines[0].2,
            format!("FileSensor: waiting for {path} to exist"),
            "{wire}"
        );

        std::fs::write(&flag, "").unwrap();
        let ran = Run::new(["logs"]).arg(&handle).args(["-o", "json"]).run();
        let docs = ndjson(&ran);
        // the sensor's last word (whether or not the page keeps the line before it)
        let last = docs
            .last()
            .unwrap_or_else(|| panic!("{wire}: no lines once the file exists"));
        assert_eq!(last["originator"], "SYSTEM");
        let m = last["message"].as_str().unwrap();
        assert!(
            m.starts_with(&format!("FileSensor: {path} exists")),
            "{wire}: {m}"
        );
    }
}

#[test]
fn serve_answers_unimplemented_for_agents_without_logs_on_both_wires() {
    let server = Serve::start();
    for wire in ["v1", "v2"] {
        // BigQuery keeps no logs; `{}` as its meta is never read
        Run::new(["logs", "--task-type", "bigquery_query_job_task"])
            .args(["--resource-meta", "e30=", "--endpoint", &server.addr])
            .args(["--wire", wire])
            .expect_code(3)
            .stdout_is("")
            .stderr_contains("does not implement GetTaskLogs")
            .stderr_contains("Unimplemented")
            .run();
        Run::new(["metrics", "--task-type", "bigquery_query_job_task"])
            .args(["--resource-meta", "e30=", "--endpoint", &server.addr])
            .args(["--wire", wire, "--query", "cpu"])
            .expect_code(3)
            .stderr_contains("GetTaskMetrics")
            .run();
    }
}

/// `logs --follow` of a sensor on serve until the file appears: the sensor's last word
/// ("PATH exists") is shown before following ends. (Fails as of b8bf653: serve's sensor page is
/// a one-line snapshot under token "" whose line changes, while the follower skips as many
/// lines of a page as it has already shown, so the changed line is never printed.)
#[test]
fn serve_following_a_sensor_shows_the_line_it_ends_with() {
    let server = Serve::start();
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("flag");
    let path = flag.to_str().unwrap().to_string();
    let sensor = repo().join("fixtures/file_sensor.json");
    let (handle, _) = create(
        dir.path(),
        "sensor",
        &[
            sensor.to_str().unwrap(),
            "--path",
            &path,
            "--endpoint",
            &server.addr,
        ],
    );
    let mut child = std_agentctl()
        .arg("logs")
        .arg(&handle)
        .args(["--follow", "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // the first line comes at once; then the file appears
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|e| {
            let _ = child.kill();
            panic!("no first line: {e}")
        });
    assert!(
        first.contains(&format!("waiting for {path} to exist")),
        "{first}"
    );
    std::fs::write(&flag, "").unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("--follow did not end once the sensor was done");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let rest: Vec<String> = rx.iter().collect();
    assert!(
        rest.iter()
            .any(|l| l.contains(&format!("FileSensor: {path} exists"))),
        "following a sensor never showed that the file exists; after {first:?} came {rest:?}"
    );
    // asking again while it waits does not repeat the line
    assert!(
        !rest.iter().any(|l| l.contains("waiting for")),
        "the waiting line came again: {rest:?}"
    );
}

// ------------------------------------------------------------------------------------------
// Flyte 1 paging with a Rust fake

/// The fake's job (`--resource-meta`), base64 of `{"job": "logs"}`.
const META: &[u8] = b"{\"job\": \"logs\"}";

fn meta_b64() -> String {
    base64::engine::general_purpose::STANDARD.encode(META)
}

/// A Flyte 1 agent whose GetTaskLogs serves two pages by token: `""` is a header naming
/// `"p2"`, a body of 2 structured lines (the 2nd ends in CR) and a body with one plain
/// (deprecated `results`) line; `"p2"` is a header with no further token and a body that
/// grows: `"three"` and then one `"tick K"` for each GetTask so far, at most `running_for`.
/// GetTask answers RUNNING `running_for` times, then SUCCEEDED.
#[derive(Clone)]
struct LogsFake {
    running_for: u32,
    gets: Arc<AtomicU32>,
    /// (token, lines) of each GetTaskLogs.
    log_requests: Arc<Mutex<Vec<(String, u64)>>>,
    /// The resource_meta of every call but DeleteTask, for the test's thread to check.
    metas: Arc<Mutex<Vec<Vec<u8>>>>,
    deletes: Arc<Mutex<Vec<Vec<u8>>>>,
    metrics: Arc<Mutex<Vec<admin::GetTaskMetricsRequest>>>,
}

impl LogsFake {
    fn new(running_for: u32) -> Self {
        LogsFake {
            running_for,
            gets: Arc::default(),
            log_requests: Arc::default(),
            metas: Arc::default(),
            deletes: Arc::default(),
            metrics: Arc::default(),
        }
    }

    /// Every line the job has once it ended, in order.
    fn all_lines(&self) -> Vec<String> {
        first_lines(4 + self.running_for as usize)
    }
}

/// The first `n` lines [`LogsFake`] shows, as printed (no CR).
fn first_lines(n: usize) -> Vec<String> {
    ["one", "two", "legacy plain line", "three"]
        .map(String::from)
        .into_iter()
        .chain((1..).map(|k| format!("tick {k}")))
        .take(n)
        .collect()
}

fn line(seconds: i64, message: &str, originator: i32) -> admin::LogLine {
    admin::LogLine {
        timestamp: Some(prost_types::Timestamp { seconds, nanos: 0 }),
        message: message.into(),
        originator,
    }
}

fn part(p: admin::get_task_logs_response::Part) -> Result<admin::GetTaskLogsResponse, Status> {
    Ok(admin::GetTaskLogsResponse { part: Some(p) })
}

#[tonic::async_trait]
impl AsyncAgentService for LogsFake {
    async fn create_task(
        &self,
        _: Request<admin::CreateTaskRequest>,
    ) -> Result<Response<admin::CreateTaskResponse>, Status> {
        Err(Status::unimplemented("the logs fake creates nothing"))
    }

    async fn get_task(
        &self,
        req: Request<admin::GetTaskRequest>,
    ) -> Result<Response<admin::GetTaskResponse>, Status> {
        self.metas
            .lock()
            .unwrap()
            .push(req.into_inner().resource_meta);
        let n = self.gets.fetch_add(1, Ordering::SeqCst) + 1;
        let phase = if n <= self.running_for {
            Phase::Running
        } else {
            Phase::Succeeded
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
        self.deletes
            .lock()
            .unwrap()
            .push(req.into_inner().resource_meta);
        Ok(Response::new(admin::DeleteTaskResponse {}))
    }

    async fn get_task_metrics(
        &self,
        req: Request<admin::GetTaskMetricsRequest>,
    ) -> Result<Response<admin::GetTaskMetricsResponse>, Status> {
        let req = req.into_inner();
        self.metas.lock().unwrap().push(req.resource_meta.clone());
        let results = req
            .queries
            .iter()
            .map(|q| agentctl::pb::core::ExecutionMetricResult {
                metric: q.clone(),
                data: Some(prost_types::Struct {
                    fields: [(
                        "query".to_string(),
                        prost_types::Value {
                            kind: Some(prost_types::value::Kind::StringValue(q.clone())),
                        },
                    )]
                    .into(),
                }),
            })
            .collect();
        self.metrics.lock().unwrap().push(req);
        Ok(Response::new(admin::GetTaskMetricsResponse { results }))
    }

    type GetTaskLogsStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<admin::GetTaskLogsResponse, Status>>>;

    async fn get_task_logs(
        &self,
        req: Request<admin::GetTaskLogsRequest>,
    ) -> Result<Response<Self::GetTaskLogsStream>, Status> {
        use admin::get_task_logs_response::Part;
        let req = req.into_inner();
        self.metas.lock().unwrap().push(req.resource_meta.clone());
        self.log_requests
            .lock()
            .unwrap()
            .push((req.token.clone(), req.lines));
        let t0 = 1_700_000_000;
        let parts = match req.token.as_str() {
            "" => {
                #[allow(deprecated)]
                let legacy = admin::GetTaskLogsResponseBody {
                    results: vec!["legacy plain line".into()],
                    ..Default::default()
                };
                vec![
                    part(Part::Header(admin::GetTaskLogsResponseHeader {
                        token: "p2".into(),
                    })),
                    part(Part::Body(admin::GetTaskLogsResponseBody {
                        structured_lines: vec![line(t0, "one", 2), line(t0 + 1, "two\r", 1)],
                        ..Default::default()
                    })),
                    part(Part::Body(legacy)),
                ]
            }
            "p2" => {
                let ticks = self.gets.load(Ordering::SeqCst).min(self.running_for);
                let mut lines = vec![line(t0 + 2, "three", 1)];
                lines.extend((1..=ticks).map(|k| line(t0 + 2 + k as i64, &format!("tick {k}"), 1)));
                vec![
                    part(Part::Header(admin::GetTaskLogsResponseHeader {
                        token: String::new(),
                    })),
                    part(Part::Body(admin::GetTaskLogsResponseBody {
                        structured_lines: lines,
                        ..Default::default()
                    })),
                ]
            }
            other => vec![Err(Status::invalid_argument(format!(
                "unknown token {other:?}"
            )))],
        };
        Ok(Response::new(tokio_stream::iter(parts)))
    }
}

/// A [`LogsFake`] served on 127.0.0.1 on its own runtime thread; stops when dropped, and then
/// checks that every call carried the job's resource_meta.
struct ServedLogs {
    addr: SocketAddr,
    fake: LogsFake,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServedLogs {
    fn start(fake: LogsFake) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
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
        ServedLogs {
            addr,
            fake,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// `agentctl logs|metrics` of the fake's job, by resource_meta, over the Flyte 1 wire.
    fn job_args(&self, command: &str) -> Vec<String> {
        [
            command,
            "--task-type",
            "fake_logs",
            "--resource-meta",
            &meta_b64(),
            "--endpoint",
            &self.endpoint(),
            "--wire",
            "v1",
        ]
        .map(String::from)
        .to_vec()
    }

    fn tokens(&self) -> Vec<String> {
        self.fake
            .log_requests
            .lock()
            .unwrap()
            .iter()
            .map(|(t, _)| t.clone())
            .collect()
    }
}

impl Drop for ServedLogs {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if !std::thread::panicking() {
            for m in self.fake.metas.lock().unwrap().iter() {
                assert_eq!(m.as_slice(), META, "resource_meta is sent byte for byte");
            }
        }
    }
}

#[test]
fn v1_logs_follow_reads_every_page_once_and_ends_with_the_job() {
    let fake = ServedLogs::start(LogsFake::new(3));
    let start = Instant::now();
    let ran = Run::new(fake.job_args("logs")).arg("--follow").run();
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    let lines = parsed(&ran.stdout);
    let got: Vec<&str> = lines.iter().map(|(_, _, m)| m.as_str()).collect();
    assert_eq!(got, fake.fake.all_lines(), "{}", ran.stdout);
    // structured lines carry their time and originator; the plain one has neither
    assert_eq!(
        lines[0],
        (
            "2023-11-14T22:13:20Z".to_string(),
            "SYSTEM".to_string(),
            "one".to_string()
        )
    );
    assert_eq!(lines[1].1, "USER");
    assert_eq!(lines[2].0, "-");
    assert_eq!(lines[2].1, "UNKNOWN");
    assert!(!ran.stdout.contains('\r'), "{:?}", ran.stdout);
    // it followed until the job ended: every RUNNING, then the SUCCEEDED
    assert_eq!(fake.fake.gets.load(Ordering::SeqCst), 4);
    let tokens = fake.tokens();
    assert_eq!(
        tokens[..2],
        ["", "p2"],
        "the header's token names the next page"
    );
    assert!(
        tokens.len() >= 3,
        "pages are read again while following: {tokens:?}"
    );
    assert!(fake.fake.deletes.lock().unwrap().is_empty());

    // without --follow: what there is now, one pass over the pages, no GetTask
    let fake = ServedLogs::start(LogsFake::new(3));
    let ran = Run::new(fake.job_args("logs")).args(["-o", "json"]).run();
    let docs = ndjson(&ran);
    let got: Vec<&str> = docs
        .iter()
        .map(|d| plain(d["message"].as_str().unwrap()))
        .collect();
    assert_eq!(got, ["one", "two", "legacy plain line", "three"]);
    assert_eq!(docs[2]["timestamp"], Value::Null, "{}", docs[2]);
    assert_eq!(docs[0]["timestamp"], "2023-11-14T22:13:20Z");
    assert_eq!(fake.tokens(), ["", "p2"]);
    assert_eq!(fake.fake.gets.load(Ordering::SeqCst), 0);
}

#[test]
fn v1_lines_n_asks_for_n_and_shows_the_last_n() {
    let fake = ServedLogs::start(LogsFake::new(0));
    let ran = Run::new(fake.job_args("logs")).args(["--lines", "2"]).run();
    assert_eq!(messages(&ran.stdout), ["legacy plain line", "three"]);
    let requests = fake.fake.log_requests.lock().unwrap().clone();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|(_, lines)| *lines == 2),
        "GetTaskLogsRequest.lines carries N: {requests:?}"
    );
}

#[test]
fn v1_ctrl_c_while_following_exits_0_and_deletes_nothing() {
    let fake = ServedLogs::start(LogsFake::new(u32::MAX));
    let mut child = std_agentctl()
        .args(fake.job_args("logs"))
        .arg("--follow")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // following: pages read and GetTask asked at least twice
    wait_for(&mut child, "two GetTask while following", || {
        fake.fake.gets.load(Ordering::SeqCst) >= 2
    });
    interrupt(&child);
    let pressed = Instant::now();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        pressed.elapsed() < Duration::from_secs(5),
        "Ctrl-C stops following at once: {:?}",
        pressed.elapsed()
    );
    // give a delete that was sent time to land
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        fake.fake.deletes.lock().unwrap().is_empty(),
        "following never deletes the job"
    );
    // what was shown was shown once, in order
    let got = messages(&stdout);
    assert_eq!(got, first_lines(got.len()), "{stdout}");
    assert!(got.len() >= 5, "{stdout}");
}

#[test]
fn v1_metrics_sends_the_queries_and_times() {
    let fake = ServedLogs::start(LogsFake::new(0));
    let v = Run::new(fake.job_args("metrics"))
        .args(["--query", "cpu", "--query", "memory"])
        .args([
            "--start",
            "2024-01-02T03:04:05Z",
            "--end",
            "2024-01-02T04:04:05Z",
        ])
        .args(["--step", "30s", "-o", "json"])
        .run()
        .json();
    assert_eq!(
        v,
        json!([
            {"metric": "cpu", "data": {"query": "cpu"}},
            {"metric": "memory", "data": {"query": "memory"}},
        ])
    );
    let reqs = fake.fake.metrics.lock().unwrap().clone();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.queries, ["cpu", "memory"]);
    assert_eq!(r.start_time.map(|t| t.seconds), Some(1_704_164_645));
    assert_eq!(r.end_time.map(|t| t.seconds), Some(1_704_168_245));
    assert_eq!(r.step.map(|d| (d.seconds, d.nanos)), Some((30, 0)));
    #[allow(deprecated)]
    let task_type = r.task_type.clone();
    assert_eq!(task_type, "fake_logs");
    assert_eq!(
        r.task_category.as_ref().map(|c| c.name.as_str()),
        Some("fake_logs")
    );
}
