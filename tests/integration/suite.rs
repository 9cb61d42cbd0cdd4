//! `agentctl test` (issue 12): declarative suites, each written into its own temporary directory,
//! run against a flytekit server the suite starts itself, against c0, against a Rust fake (to
//! count creates and deletes), and against the built-in agents; and the reports CI reads (JUnit
//! XML checked against Jenkins' junit-10.xsd, GitHub workflow commands and step summary, JSON).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::faults::{interrupt, slow_agent, wait_for};
use crate::util::{
    Run, Tripwire, clean_env, pyfixtures, pyfixtures2, python, python2, records_in, repo,
    std_agentctl, stderr_of, wait_records_in,
};

/// A suite file in a temporary directory of its own. Placeholders in the YAML:
///
/// * `@FLYTEKIT@`: an `agent:` block starting flytekit's connector server with the test
///   connectors (tests/python/launch_server.py with `--port {port}`), recording into `state/`;
/// * `@C0@`: the same for the Flyte 2 SDK's server (tests/python2/launch_c0.py);
/// * `@FX@`, `@FX2@`: target/pyfixtures and target/pyfixtures2; `@REPO@`: the checkout;
/// * `@DIR@`: the suite's directory; `@AGENTCTL@`: the agentctl binary.
struct Suite {
    dir: tempfile::TempDir,
    path: PathBuf,
    text: String,
}

fn flytekit_agent(state: &Path) -> String {
    format!(
        "agent:\n  command: {} {}/tests/python/launch_server.py --modules test_connectors --prometheus-port -1 --port {{port}}\n  env: {{AGENTCTL_TEST_STATE_DIR: \"{}\", FLYTE_SDK_LOGGING_LEVEL: \"40\"}}\n  startup_timeout: 60s\n",
        python().display(),
        repo().display(),
        state.display()
    )
}

fn c0_agent(state: &Path) -> String {
    format!(
        "agent:\n  command: {} {}/tests/python2/launch_c0.py --modules test_connectors2 --prometheus-port -1 --port {{port}}\n  env: {{AGENTCTL_TEST_STATE_DIR: \"{}\", DO_NOT_TRACK: \"1\"}}\n  startup_timeout: 60s\n",
        python2().display(),
        repo().display(),
        state.display()
    )
}

/// The placeholders of [`Suite`] filled in for a suite in `dir`.
fn expand(yaml: &str, dir: &Path) -> String {
    let state = dir.join("state");
    let mut text = yaml.to_string();
    if text.contains("@FLYTEKIT@") {
        text = text.replace("@FLYTEKIT@\n", &flytekit_agent(&state));
    }
    if text.contains("@C0@") {
        text = text.replace("@C0@\n", &c0_agent(&state));
    }
    if text.contains("@FX@") {
        text = text.replace("@FX@", pyfixtures().to_str().unwrap());
    }
    if text.contains("@FX2@") {
        text = text.replace("@FX2@", pyfixtures2().to_str().unwrap());
    }
    text.replace("@REPO@", repo().to_str().unwrap())
        .replace("@DIR@", dir.to_str().unwrap())
        .replace("@AGENTCTL@", env!("CARGO_BIN_EXE_agentctl"))
}

impl Suite {
    fn new(yaml: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("suite.agentctl.yaml");
        let text = expand(yaml, dir.path());
        std::fs::write(&path, &text).unwrap();
        Suite { dir, path, text }
    }

    fn arg(&self) -> String {
        self.path.to_str().unwrap().to_string()
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes another file beside the suite.
    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.file(name);
        std::fs::write(&p, expand(contents, self.dir.path())).unwrap();
        p
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// The 1-based line of the first line holding `needle`.
    #[track_caller]
    fn line(&self, needle: &str) -> usize {
        self.text
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line holds {needle:?}:\n{}", self.text))
            + 1
    }

    /// `file:line:col` of `key` on the first line holding `needle`.
    #[track_caller]
    fn at(&self, needle: &str, key: &str) -> String {
        let line = self.line(needle);
        let text = self.text.lines().nth(line - 1).unwrap();
        let col = text
            .find(key)
            .unwrap_or_else(|| panic!("{key:?} is not on line {line}: {text}"))
            + 1;
        format!("{}:{line}:{col}", self.path.display())
    }

    /// The line a case starts on (`- name: NAME`).
    #[track_caller]
    fn case_line(&self, name: &str) -> usize {
        self.line(&format!("- name: {name}"))
    }
}

#[track_caller]
fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON ({e}):\n{text}", path.display()))
}

/// A case of a report document, by name.
#[track_caller]
fn case<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("no cases list: {doc}"))
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name:?} in the report: {doc:#}"))
}

fn case_names(doc: &Value) -> Vec<String> {
    doc["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("no cases list: {doc}"))
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The endpoint of the agent a suite started (the report's suite properties).
#[track_caller]
fn started_endpoint(doc: &Value) -> String {
    doc["suites"][0]["properties"]["endpoint"]
        .as_str()
        .unwrap_or_else(|| panic!("no endpoint in the suite's properties: {doc:#}"))
        .to_string()
}

/// Asserts that nothing listens on `endpoint` any more: the suite's server was stopped.
#[track_caller]
fn assert_stopped(endpoint: &str) {
    let addr: std::net::SocketAddr = endpoint.parse().unwrap();
    let start = Instant::now();
    while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the agent server on {endpoint} still accepts connections after agentctl exited"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Live processes (not this one) whose command line holds `needle`.
fn processes_with(needle: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|c| c.is_ascii_digit()) || name == me {
            continue;
        }
        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ");
        if cmdline.contains(needle) {
            found.push(format!("{name}: {cmdline}"));
        }
    }
    found
}

/// A number no other test (or earlier run) uses, for markers in command lines.
fn unique() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    (nanos ^ (u64::from(std::process::id()) << 20)) % 1_000_000_000
}

/// A loopback port nothing listens on.
fn closed_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

// ---------------------------------------------------------------------------------------------
// Expectations, against a flytekit server the suite starts

#[test]
fn every_expectation_kind_passes_and_fails_against_a_flytekit_server_the_suite_starts() {
    let s = Suite::new(
        r#"# every expectation kind once met ("pass …") and once not ("fail …")
defaults:
  timeout: 60s
  poll_interval: 100ms
@FLYTEKIT@
cases:
  - name: pass exact outputs, log links, attempts, exit code and duration
    template: @FX@/success.template.json
    inputs: {x: 21, name: ada}
    expect:
      phase: SUCCEEDED
      exit_code: 0
      outputs: {y: 42, greeting: hello ada}
      log_links: [console]
      attempts: 1
      max_duration: 30s
  - name: pass regex
    template: @FX@/success.template.json
    inputs: {x: 1, name: ada}
    expect:
      outputs:
        greeting: {regex: "^hello a.a$"}
  - name: pass approx and length
    template: @FX@/echo.template.json
    inputs: {i: 7, s: hi, f: 1.5, b: true, l: [1, 2, 3]}
    expect:
      outputs:
        f: {approx: 1.49, tolerance: 0.02}
        l: {length: 3}
        i: 7
        b: true
  - name: pass subset of a dataclass and of maps
    template: @FX@/all_types.template.json
    inputs: all_types.inputs.yaml
    expect:
      outputs:
        point: {subset: {x: 1, label: p1, tags: {length: 2}}}
        mf: {subset: {b: {approx: 2.5, tolerance: 0.001}}}
        anything: {subset: {nested: {subset: {t: true}}}}
  - name: pass a failed task with a message substring
    template: @FX@/fail.template.json
    expect: {phase: FAILED, exit_code: 1, message: "boom"}
  - name: pass message regex
    template: @FX@/fail.template.json
    expect:
      phase: FAILED
      message: {regex: "^boom: .* failed$"}
  - name: pass exit code 3 for a create error
    template: @FX@/create_error.template.json
    expect:
      exit_code: 3
      message: create exploded
  - name: pass attempts of a retried task
    template: @FX@/retryable.template.json
    expect:
      attempts: 2
  - name: pass max duration
    template: @FX@/slow.template.json
    expect:
      max_duration: 20s
  - name: fail phase
    template: @FX@/fail.template.json
  - name: fail exit code
    template: @FX@/fail.template.json
    expect:
      phase: FAILED
      exit_code: 0
  - name: fail exact output
    template: @FX@/success.template.json
    inputs: {x: 21, name: ada}
    expect:
      outputs: {y: 43}
  - name: fail regex
    template: @FX@/success.template.json
    inputs: {x: 21, name: ada}
    expect:
      outputs:
        greeting: {regex: "^bye"}
  - name: fail approx
    template: @FX@/echo.template.json
    inputs: {i: 7, s: hi, f: 1.5, b: true, l: [1, 2, 3]}
    expect:
      outputs:
        f: {approx: 2.0, tolerance: 0.1}
  - name: fail length
    template: @FX@/echo.template.json
    inputs: {i: 7, s: hi, f: 1.5, b: true, l: [1, 2, 3]}
    expect:
      outputs:
        l: {length: 2}
  - name: fail subset
    template: @FX@/all_types.template.json
    inputs: all_types.inputs.yaml
    expect:
      outputs:
        point: {subset: {x: 2}}
  - name: fail message substring
    template: @FX@/fail.template.json
    expect:
      phase: FAILED
      message: kaboom
  - name: fail message regex
    template: @FX@/fail.template.json
    expect:
      phase: FAILED
      message: {regex: "^kaboom"}
  - name: fail log links
    template: @FX@/success.template.json
    inputs: {x: 1, name: ada}
    expect:
      log_links: [grafana]
  - name: fail attempts
    template: @FX@/success.template.json
    inputs: {x: 1, name: ada}
    expect:
      attempts: 2
  - name: fail max duration
    template: @FX@/slow.template.json
    expect:
      max_duration: 200ms
"#,
    );
    s.write(
        "all_types.inputs.yaml",
        r#"i: 10
f: 1.5
s: hi
dt: "2024-01-02T03:04:05"
td: 1h30m
color: green
li: [1, 2, 3]
mf: {a: 1.0, b: 2.5}
point: {x: 1, y: 2.5, label: p1, tags: [a, b]}
anything: {k: [1, a], nested: {t: true}}
either: 5
file: s3://bucket/f
directory: s3://bucket/d
dataset: s3://bucket/sd
"#,
    );
    let report = s.file("report.json");
    let ran = Run::new(["test", &s.arg(), "--report"])
        .arg(&report)
        .expect_code(1)
        .run();
    let doc = read_json(&report);

    // what each failing case must say: what was expected and what came back
    let failures: &[(&str, &[&str])] = &[
        ("fail phase", &["phase: expected SUCCEEDED, got FAILED"]),
        ("fail exit code", &["exit code: expected 0, got 1"]),
        ("fail exact output", &["outputs.y: expected 43, got 42"]),
        (
            "fail regex",
            &["outputs.greeting: expected to match /^bye/", "hello ada"],
        ),
        ("fail approx", &["outputs.f: expected 2", "0.1", "got 1.5"]),
        (
            "fail length",
            &["outputs.l: expected length 2", "got [1,2,3]"],
        ),
        ("fail subset", &["outputs.point: x: expected 2, got 1"]),
        (
            "fail message substring",
            &[
                "message: expected it to contain \"kaboom\"",
                "boom: the job failed",
            ],
        ),
        (
            "fail message regex",
            &[
                "message: expected it to match /^kaboom/",
                "boom: the job failed",
            ],
        ),
        (
            "fail log links",
            &["log_links: expected one named \"grafana\"", "console"],
        ),
        ("fail attempts", &["attempts: expected 2, got 1"]),
        (
            "fail max duration",
            &["duration: expected at most 200ms, took 1."],
        ),
    ];
    let names = case_names(&doc);
    assert_eq!(names.len(), 21, "every case is reported: {names:?}");
    for name in &names {
        let c = case(&doc, name);
        let want = if name.starts_with("pass ") {
            "passed"
        } else {
            "failed"
        };
        assert_eq!(c["status"], want, "{name}: {c:#}");
        assert_eq!(c["line"], s.case_line(name), "{name}: {c:#}");
        for key in [
            "name",
            "status",
            "expected",
            "actual",
            "outputs",
            "attempts",
            "duration_seconds",
            "resource_meta",
            "exit_code",
        ] {
            assert!(c.get(key).is_some(), "{name}: no {key:?} in {c:#}");
        }
    }
    for (name, needles) in failures {
        let c = case(&doc, name);
        let detail = c["detail"].as_str().unwrap_or_default();
        for n in *needles {
            assert!(detail.contains(n), "{name}: detail lacks {n:?}: {c:#}");
        }
        // the terminal summary: the case, where it is written, what was expected and what came
        let header = format!(
            "suite / {name} ({}:{}):",
            s.path.display(),
            s.case_line(name)
        );
        let at = ran
            .stderr
            .find(&header)
            .unwrap_or_else(|| panic!("the summary lacks {header:?}:\n{}", ran.stderr));
        let block = &ran.stderr[at..];
        let block = &block[..block[1..].find("\n\n").map_or(block.len(), |e| e + 1)];
        for n in *needles {
            assert!(
                block.contains(n),
                "{name}: the summary lacks {n:?}:\n{block}"
            );
        }
    }
    assert!(
        ran.stderr.contains("9 passed, 12 failed, 0 errors"),
        "{}",
        ran.stderr
    );
    // not on a terminal: one line per finished case
    let finished = ran
        .stderr
        .lines()
        .filter(|l| l.starts_with("PASS ") || l.starts_with("FAIL "))
        .count();
    assert_eq!(finished, 21, "{}", ran.stderr);

    // the JSON document's facts, case by case
    let ok = case(
        &doc,
        "pass exact outputs, log links, attempts, exit code and duration",
    );
    assert_eq!(ok["outputs"], json!({"y": 42, "greeting": "hello ada"}));
    assert_eq!(ok["attempts"], 1);
    assert_eq!(ok["exit_code"], 0);
    assert_eq!(ok["actual"]["phase"], "SUCCEEDED");
    assert_eq!(ok["expected"]["phase"], "SUCCEEDED");
    assert!(ok["duration_seconds"].as_f64().unwrap() > 0.0, "{ok:#}");
    assert!(
        ok["resource_meta"]
            .as_str()
            .unwrap()
            .contains("agentctl_test_success"),
        "{ok:#}"
    );
    let failed = case(&doc, "fail phase");
    assert_eq!(failed["exit_code"], 1, "{failed:#}");
    assert_eq!(failed["actual"]["phase"], "FAILED", "{failed:#}");
    assert_eq!(failed["actual"]["message"], "boom: the job failed");
    assert_eq!(case(&doc, "pass attempts of a retried task")["attempts"], 2);
    assert_eq!(
        case(&doc, "pass exit code 3 for a create error")["exit_code"],
        3
    );
    let echo = case(&doc, "pass approx and length");
    assert_eq!(echo["outputs"]["l"], json!([1, 2, 3]));
    let slow = case(&doc, "fail max duration");
    assert!(
        slow["duration_seconds"].as_f64().unwrap() >= 1.0,
        "{slow:#}"
    );

    // the suite's facts: the server it started, stopped at the end
    let props = &doc["suites"][0]["properties"];
    assert!(
        props["agent"]
            .as_str()
            .unwrap()
            .contains("launch_server.py"),
        "{props}"
    );
    let endpoint = started_endpoint(&doc);
    assert!(endpoint.starts_with("127.0.0.1:"), "{endpoint}");
    assert_stopped(&endpoint);
}

#[test]
fn a_case_that_times_out_deletes_its_job() {
    let fake = slow_agent(Duration::ZERO, Duration::ZERO);
    let s = Suite::new(
        &r#"defaults:
  endpoint: @EP@
  poll_interval: 100ms
cases:
  - name: never ends
    template: @FX@/forever.template.json
    timeout: 700ms
"#
        .replace("@EP@", &fake.endpoint()),
    );
    let report = s.file("report.json");
    Run::new(["test", &s.arg(), "--report"])
        .arg(&report)
        .expect_code(1)
        .run();
    let c = case(&read_json(&report), "never ends").clone();
    assert_eq!(
        c["status"], "errored",
        "a timeout is an error, not a failure: {c:#}"
    );
    assert_eq!(c["exit_code"], 124, "{c:#}");
    assert_eq!(
        fake.fake.deletes.lock().unwrap().as_slice(),
        &[b"{\"job\": 1}".to_vec()],
        "the job of a case that timed out is deleted"
    );
}

// ---------------------------------------------------------------------------------------------
// The agent under test

#[test]
fn an_agent_that_never_becomes_healthy_is_exit_3_with_its_stderr_and_its_group_stopped() {
    let n = unique();
    // a background grandchild too: only a signal to the whole group stops it
    let (a, b) = (format!("sleep 31.{n}"), format!("sleep 32.{n}"));
    let s = Suite::new(&format!(
        r#"agent:
  command: echo starting-up-{n} >&2; {a} & {b}
  startup_timeout: 1s
cases:
  - name: never runs
    template: @FX@/fail.template.json
"#
    ));
    let start = Instant::now();
    let ran = Run::new(["test", &s.arg()])
        .expect_code(3)
        .stderr_contains(format!("starting-up-{n}"))
        .stderr_contains("did not answer gRPC health SERVING")
        .run();
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "startup_timeout 1s took {:?}",
        start.elapsed()
    );
    assert!(!ran.stderr.contains("PASS"), "{}", ran.stderr);
    let start = Instant::now();
    loop {
        let left = [processes_with(&a), processes_with(&b)].concat();
        if left.is_empty() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the agent's process group outlived agentctl: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_agent_that_exits_at_once_is_exit_3_with_what_it_printed() {
    let s = Suite::new(
        r#"agent:
  command: echo boom >&2; exit 1
  startup_timeout: 30s
cases:
  - name: never runs
    template: @FX@/fail.template.json
"#,
    );
    let start = Instant::now();
    Run::new(["test", &s.arg()])
        .expect_code(3)
        .stderr_contains("boom")
        .run();
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "an agent that exited is not waited for until startup_timeout: {:?}",
        start.elapsed()
    );
}

#[test]
fn an_agent_that_cannot_start_is_an_error_in_the_junit_report() {
    let s = Suite::new(
        r#"agent:
  command: echo boom >&2; exit 1
cases:
  - name: never runs
    template: @FX@/fail.template.json
"#,
    );
    let junit = s.file("junit.xml");
    Run::new(["test", &s.arg(), "--junit"])
        .arg(&junit)
        .expect_code(3)
        .run();
    let xml = std::fs::read_to_string(&junit).unwrap();
    // the issue: "an RPC failure, timeout or setup problem an <error>"
    assert!(
        xml.contains("<error") && xml.contains("boom"),
        "a suite whose agent could not start shows no <error> in JUnit:\n{xml}"
    );
}

#[test]
fn a_suite_named_by_a_bare_file_name_starts_its_agent_in_its_directory() {
    let s = Suite::new(
        r#"agent:
  command: @AGENTCTL@ serve --port {port}
  startup_timeout: 20s
cases:
  - name: finds the root
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
"#,
    );
    // `agentctl test suite.agentctl.yaml` from the suite's own directory
    Run::new(["test", "suite.agentctl.yaml"])
        .current_dir(s.dir.path())
        .stderr_contains("1 passed, 0 failed, 0 errors")
        .run();
}

// ---------------------------------------------------------------------------------------------
// Validation first

struct Bad {
    what: &'static str,
    yaml: &'static str,
    /// The mistake is on the first line holding this, at `key`.
    line_has: &'static str,
    key: &'static str,
}

const BAD_SUITES: &[Bad] = &[
    Bad {
        what: "malformed YAML",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: [oops\n",
        line_has: "[oops",
        key: "[",
    },
    Bad {
        what: "an unknown key in the suite",
        yaml: "defaults:\n  endpoint: @TRIP@\nretries: 2\ncases:\n  - name: a\n    template: @FX@/fail.template.json\n",
        line_has: "retries: 2",
        key: "retries",
    },
    Bad {
        what: "an unknown key in defaults",
        yaml: "defaults:\n  endpoint: @TRIP@\n  colour: red\ncases:\n  - name: a\n    template: @FX@/fail.template.json\n",
        line_has: "colour",
        key: "colour",
    },
    Bad {
        what: "an unknown key in a case",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: @FX@/fail.template.json\n    tempalte: x\n",
        line_has: "tempalte",
        key: "tempalte",
    },
    Bad {
        what: "an unknown expectation",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: @FX@/fail.template.json\n    expect:\n      phase: FAILED\n      outptus: {y: 1}\n",
        line_has: "outptus",
        key: "outptus",
    },
    Bad {
        what: "a missing template",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: missing.template.json\n",
        line_has: "missing.template.json",
        key: "template",
    },
    Bad {
        what: "a template that does not load",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: broken.template.json\n",
        line_has: "broken.template.json",
        key: "template",
    },
    Bad {
        what: "an input that does not convert",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: @FX@/success.template.json\n    inputs:\n      name: ada\n      x: abc\n",
        line_has: "x: abc",
        key: "x",
    },
    Bad {
        what: "an unknown input",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: @FX@/success.template.json\n    inputs:\n      x: 1\n      name: ada\n      zzz: 3\n",
        line_has: "zzz",
        key: "zzz",
    },
    Bad {
        what: "a matcher naming an output the task does not have",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: @FX@/success.template.json\n    inputs: {x: 1, name: ada}\n    expect:\n      outputs:\n        y: 2\n        nope: 1\n",
        line_has: "nope",
        key: "nope",
    },
    Bad {
        what: "an output matcher that does not compile",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: @FX@/echo.template.json\n    inputs: {i: 7, s: hi, f: 1.5, b: true, l: [1]}\n    expect:\n      outputs:\n        s: {regex: \"(\"}\n",
        line_has: "regex",
        key: "s:",
    },
    Bad {
        what: "a bad duration in a case",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: @FX@/fail.template.json\n    expect:\n      phase: FAILED\n      max_duration: soon\n",
        line_has: "max_duration",
        key: "max_duration",
    },
    Bad {
        what: "a bad duration in defaults",
        yaml: "defaults:\n  endpoint: @TRIP@\n  timeout: 10 parsecs\ncases:\n  - name: a\n    template: @FX@/fail.template.json\n",
        line_has: "parsecs",
        key: "timeout",
    },
    Bad {
        what: "an unknown phase",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: @FX@/fail.template.json\n    expect:\n      phase: DONE\n",
        line_has: "DONE",
        key: "phase",
    },
    Bad {
        what: "a message regex that does not compile",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: a\n    template: @FX@/fail.template.json\n    expect:\n      phase: FAILED\n      message: {regex: \"(\"}\n",
        line_has: "message",
        key: "message",
    },
    Bad {
        what: "duplicate case names",
        yaml: "defaults:\n  endpoint: @TRIP@\ncases:\n  - name: twice\n    template: @FX@/fail.template.json\n    expect: {phase: FAILED}\n  - name: once\n    template: @FX@/fail.template.json\n    expect: {phase: FAILED}\n  - name: twice\n    template: @FX@/fail.template.json\n",
        line_has: "- name: twice",
        key: "name",
    },
];

#[test]
fn invalid_suites_are_exit_2_with_file_line_and_column_and_nothing_sent() {
    let mut wrong = Vec::new();
    for bad in BAD_SUITES {
        let trip = Tripwire::new();
        let s = Suite::new(&bad.yaml.replace("@TRIP@", &trip.endpoint()));
        std::fs::write(s.file("broken.template.json"), "{\"not\": \"a template\"}").unwrap();
        // duplicate names: the second `- name: twice`
        let at = if bad.what == "duplicate case names" {
            let line = s
                .text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains(bad.line_has))
                .nth(1)
                .unwrap()
                .0
                + 1;
            format!("{}:{line}:5", s.path.display())
        } else {
            s.at(bad.line_has, bad.key)
        };
        let out = std_agentctl()
            .args(["test", &s.arg()])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = stderr_of(&out);
        if out.status.code() != Some(2) || !err.contains(&format!("{at}:")) {
            wrong.push(format!(
                "{}: expected exit 2 and {at:?}; got exit {:?}:\n{err}",
                bad.what,
                out.status.code()
            ));
        }
        if trip.touched() {
            wrong.push(format!("{}: something was sent", bad.what));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn an_invalid_case_starts_no_agent_and_runs_no_valid_case() {
    let trip = Tripwire::new();
    let s = Suite::new(
        &r#"agent:
  command: touch @DIR@/agent-started; sleep 5
  startup_timeout: 1s
cases:
  - name: valid
    template: @FX@/fail.template.json
    endpoint: @TRIP@
    expect: {phase: FAILED}
  - name: invalid
    template: @FX@/fail.template.json
    expect:
      phase: SOMETIMES
"#
        .replace("@TRIP@", &trip.endpoint()),
    );
    Run::new(["test", &s.arg()])
        .expect_code(2)
        .stderr_contains(format!("{}:", s.at("SOMETIMES", "phase")))
        .run();
    assert!(!s.file("agent-started").exists(), "the agent was started");
    assert!(!trip.touched(), "the valid case was sent");
}

#[test]
fn a_bad_suite_among_good_ones_runs_none_of_them() {
    let trip = Tripwire::new();
    let good = Suite::new(
        &r#"cases:
  - name: good
    template: @FX@/fail.template.json
    endpoint: @TRIP@
"#
        .replace("@TRIP@", &trip.endpoint()),
    );
    let bad = good.write(
        "zz-bad.agentctl.yaml",
        "cases:\n  - name: bad\n    template: nowhere.json\n",
    );
    Run::new(["test", &good.arg()])
        .arg(&bad)
        .expect_code(2)
        .stderr_contains(format!("{}:3:5:", bad.display()))
        .run();
    assert!(!trip.touched(), "a suite ran before all were checked");
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C

#[test]
fn ctrl_c_deletes_every_job_in_flight_reports_what_ran_and_exits_130() {
    let fake = slow_agent(Duration::ZERO, Duration::ZERO);
    let s = Suite::new(
        &r#"defaults:
  endpoint: @EP@
  poll_interval: 100ms
cases:
  - name: forever 1
    template: @FX@/forever.template.json
  - name: forever 2
    template: @FX@/forever.template.json
  - name: forever 3
    template: @FX@/forever.template.json
"#
        .replace("@EP@", &fake.endpoint()),
    );
    let report = s.file("report.json");
    let mut child = std_agentctl()
        .args(["test", &s.arg(), "--jobs", "4", "--report"])
        .arg(&report)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&mut child, "three jobs created and polled", || {
        fake.fake.creates.load(Ordering::SeqCst) == 3 && fake.fake.gets.load(Ordering::SeqCst) >= 3
    });
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert_eq!(
        fake.fake.deletes.lock().unwrap().len(),
        3,
        "every job in flight is deleted: {err}"
    );
    let doc = read_json(&report);
    let mut names = case_names(&doc);
    names.sort();
    assert_eq!(names, ["forever 1", "forever 2", "forever 3"], "{doc:#}");
    for n in &names {
        assert_ne!(case(&doc, n)["status"], "passed", "{doc:#}");
    }
    assert!(err.contains("0 passed"), "the summary of what ran: {err}");
}

#[test]
fn ctrl_c_against_a_flytekit_server_the_suite_started_deletes_its_jobs_then_stops_it() {
    let s = Suite::new(
        r#"defaults:
  timeout: 60s
  poll_interval: 100ms
@FLYTEKIT@
cases:
  - name: slow finishes first
    template: @FX@/slow.template.json
  - name: forever a
    template: @FX@/forever.template.json
  - name: forever b
    template: @FX@/forever.template.json
  - name: forever c
    template: @FX@/forever.template.json
"#,
    );
    let report = s.file("report.json");
    let mut child = std_agentctl()
        .args(["test", &s.arg(), "--jobs", "4", "--report"])
        .arg(&report)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the slow case answers SUCCEEDED after 1 s: by then the forever jobs exist
    let state = s.state();
    let start = Instant::now();
    while records_in(&state, "terminal.jsonl").is_empty() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the slow case never finished");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(400));
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    let forever_deletes = records_in(&state, "deletes.jsonl")
        .into_iter()
        .filter(|d| d["resource_meta"]["task_type"] == "agentctl_test_forever")
        .count();
    assert_eq!(forever_deletes, 3, "every forever job is deleted: {err}");
    let doc = read_json(&report);
    assert_eq!(
        case(&doc, "slow finishes first")["status"],
        "passed",
        "{doc:#}"
    );
    for n in ["forever a", "forever b", "forever c"] {
        assert_ne!(case(&doc, n)["status"], "passed", "{doc:#}");
    }
    assert_stopped(&started_endpoint(&doc));
}

// ---------------------------------------------------------------------------------------------
// Selecting and scheduling cases

#[test]
fn fail_fast_starts_no_case_after_the_first_failure() {
    let trip = Tripwire::new();
    let s = Suite::new(
        &r#"defaults:
  timeout: 10s
cases:
  - name: first passes
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
  - name: second fails
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
    expect: {phase: FAILED}
  - name: third is never started
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
    endpoint: @TRIP@
    timeout: 2s
  - name: fourth is never started
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
    endpoint: @TRIP@
    timeout: 2s
"#
        .replace("@TRIP@", &trip.endpoint()),
    );
    let report = s.file("report.json");
    Run::new(["test", &s.arg(), "--jobs", "1", "--fail-fast", "--report"])
        .arg(&report)
        .expect_code(1)
        .run();
    let doc = read_json(&report);
    assert_eq!(
        case_names(&doc),
        ["first passes", "second fails"],
        "{doc:#}"
    );
    assert!(!trip.touched(), "a case after the failure was started");
}

#[test]
fn filter_runs_only_the_matching_cases() {
    let trip = Tripwire::new();
    let s = Suite::new(
        &r#"cases:
  - name: alpha one
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
  - name: beta
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
    endpoint: @TRIP@
    timeout: 2s
  - name: alpha two
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
"#
        .replace("@TRIP@", &trip.endpoint()),
    );
    let report = s.file("report.json");
    let doc = Run::new([
        "test",
        &s.arg(),
        "--filter",
        "alpha",
        "-o",
        "json",
        "--report",
    ])
    .arg(&report)
    .run()
    .json();
    assert_eq!(
        doc,
        read_json(&report),
        "-o json and --report are one document"
    );
    assert_eq!(case_names(&doc), ["alpha one", "alpha two"], "{doc:#}");
    assert!(!trip.touched(), "a case the filter left out was run");
}

#[test]
fn cases_run_concurrently_up_to_jobs() {
    let s = Suite::new(
        r#"defaults:
  timeout: 60s
  poll_interval: 100ms
@FLYTEKIT@
cases:
  - name: slow 1
    template: @FX@/slow.template.json
  - name: slow 2
    template: @FX@/slow.template.json
  - name: slow 3
    template: @FX@/slow.template.json
  - name: slow 4
    template: @FX@/slow.template.json
"#,
    );
    let report = s.file("report.json");
    Run::new(["test", &s.arg(), "--jobs", "4", "--report"])
        .arg(&report)
        .run();
    let doc = read_json(&report);
    let durations: Vec<f64> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["duration_seconds"].as_f64().unwrap())
        .collect();
    assert_eq!(durations.len(), 4, "{doc:#}");
    assert!(durations.iter().all(|d| *d >= 1.0), "{durations:?}");
    // each slow job answers SUCCEEDED 1 s after its create: one after another they would be
    // 3 s apart at least, together well under 1 s
    let times: Vec<f64> = wait_records_in(&s.state(), "terminal.jsonl", 4, Duration::from_secs(5))
        .iter()
        .map(|r| r["t"].as_f64().unwrap())
        .collect();
    assert_eq!(times.len(), 4, "{times:?}");
    let span = times.iter().cloned().fold(f64::MIN, f64::max)
        - times.iter().cloned().fold(f64::MAX, f64::min);
    assert!(
        span < 1.0,
        "the 4 cases did not overlap: their jobs ended {span:.2}s apart"
    );
}

// ---------------------------------------------------------------------------------------------
// Reports

/// Validates `xml` against tests/fixtures/junit-10.xsd with xmlschema (from the test venv) and
/// returns `{errors: [...], root: {tag, attrib, text, children}}`.
fn junit_checked(xml: &Path) -> Value {
    const SCRIPT: &str = r#"
import json, sys
import xml.etree.ElementTree as ET
try:
    import xmlschema
except ImportError:
    sys.exit("xmlschema is not in the test venv: run scripts/test-env (tests/python/requirements.txt)")
schema = xmlschema.XMLSchema(sys.argv[1])
errors = [f"{e.path}: {e.reason}" for e in schema.iter_errors(sys.argv[2])]
def el(e):
    return {"tag": e.tag, "attrib": dict(e.attrib), "text": e.text or "", "children": [el(c) for c in e]}
print(json.dumps({"errors": errors, "root": el(ET.parse(sys.argv[2]).getroot())}))
"#;
    let out = std::process::Command::new(python())
        .args(["-c", SCRIPT])
        .arg(repo().join("tests/fixtures/junit-10.xsd"))
        .arg(xml)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn children<'a>(e: &'a Value, tag: &str) -> Vec<&'a Value> {
    e["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["tag"] == tag)
        .collect()
}

#[track_caller]
fn testcase<'a>(suite: &'a Value, name: &str) -> &'a Value {
    children(suite, "testcase")
        .into_iter()
        .find(|c| c["attrib"]["name"] == name)
        .unwrap_or_else(|| panic!("no testcase {name:?} in {suite:#}"))
}

#[test]
fn junit_has_a_testsuite_per_file_and_validates_against_jenkins_junit_10_xsd() {
    let s = Suite::new(
        &r#"cases:
  - name: passes
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
  - name: fails
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
    expect: {phase: FAILED}
  - name: errs
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
    endpoint: @CLOSED@
"#
        .replace("@CLOSED@", &closed_port()),
    );
    s.write(
        "zz-flytekit.agentctl.yaml",
        r#"defaults:
  timeout: 60s
  poll_interval: 100ms
@FLYTEKIT@
cases:
  - name: says hello
    template: @FX@/success.template.json
    inputs: {x: 1, name: bob}
    expect:
      outputs: {greeting: hello bob}
  - name: doubles wrongly
    template: @FX@/success.template.json
    inputs: {x: 1, name: bob}
    expect:
      outputs: {y: 3}
"#,
    );
    let junit = s.file("junit.xml");
    Run::new(["test"])
        .arg(s.dir.path())
        .arg("--junit")
        .arg(&junit)
        .expect_code(1)
        .run();
    let checked = junit_checked(&junit);
    let root = &checked["root"];
    assert_eq!(root["tag"], "testsuites", "{root:#}");
    let suites = children(root, "testsuite");
    let names: Vec<&Value> = suites.iter().map(|s| &s["attrib"]["name"]).collect();
    assert_eq!(
        names,
        [&json!("suite"), &json!("zz-flytekit")],
        "one <testsuite> per file"
    );
    let (builtin, flytekit) = (suites[0], suites[1]);
    for (suite, tests, failures, errors) in [(builtin, "3", "1", "1"), (flytekit, "2", "1", "0")] {
        assert_eq!(suite["attrib"]["tests"], tests, "{suite:#}");
        assert_eq!(suite["attrib"]["failures"], failures, "{suite:#}");
        assert_eq!(suite["attrib"]["errors"], errors, "{suite:#}");
        for c in children(suite, "testcase") {
            let time = c["attrib"]["time"].as_str().unwrap_or_default();
            assert!(time.parse::<f64>().is_ok(), "time {time:?}: {c:#}");
        }
    }
    assert!(children(testcase(builtin, "passes"), "failure").is_empty());
    let failure = children(testcase(builtin, "fails"), "failure");
    assert_eq!(failure.len(), 1, "{builtin:#}");
    assert!(
        failure[0]["attrib"]["message"]
            .as_str()
            .unwrap()
            .contains("phase: expected FAILED, got SUCCEEDED"),
        "{failure:?}"
    );
    assert_eq!(
        children(testcase(builtin, "errs"), "error").len(),
        1,
        "an RPC failure is an <error>: {builtin:#}"
    );
    let failure = children(testcase(flytekit, "doubles wrongly"), "failure");
    assert!(
        failure[0]["text"]
            .as_str()
            .unwrap()
            .contains("outputs.y: expected 3, got 2"),
        "the diff is the failure's text: {failure:?}"
    );
    // suite facts in <properties>, case details in <system-out>
    let props: Vec<(String, String)> = children(flytekit, "properties")
        .iter()
        .flat_map(|p| children(p, "property"))
        .map(|p| {
            (
                p["attrib"]["name"].as_str().unwrap().to_string(),
                p["attrib"]["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        props
            .iter()
            .any(|(k, v)| k == "agent" && v.contains("launch_server.py")),
        "{props:?}"
    );
    assert!(
        props
            .iter()
            .any(|(k, v)| k == "endpoint" && v.starts_with("127.0.0.1:")),
        "{props:?}"
    );
    let out = children(testcase(flytekit, "says hello"), "system-out");
    let out = out[0]["text"].as_str().unwrap();
    for n in [
        "task type: agentctl_test_success",
        "generation: v1",
        "attempts: 1",
        "resource_meta: {",
        "hello bob",
    ] {
        assert!(out.contains(n), "<system-out> lacks {n:?}:\n{out}");
    }
    // last, so that the checks above report first: the schema Jenkins validates against
    assert_eq!(
        checked["errors"],
        json!([]),
        "the JUnit XML does not validate against junit-10.xsd:\n{}",
        std::fs::read_to_string(&junit).unwrap()
    );
}

fn github_suite(closed: &str) -> Suite {
    Suite::new(
        &r#"cases:
  - name: passes
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
  - name: fails, wrongly
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
    expect: {phase: FAILED}
  - name: errs
    template: @REPO@/fixtures/file_sensor.json
    inputs: {path: /}
    endpoint: @CLOSED@
"#
        .replace("@CLOSED@", closed),
    )
}

#[test]
fn github_annotations_point_at_failing_cases_and_the_step_summary_gets_a_table() {
    let s = github_suite(&closed_port());
    let summary = s.file("step-summary.md");
    std::fs::write(&summary, "previous step\n").unwrap();
    let ran = Run::new(["test", &s.arg()])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .expect_code(1)
        .run();
    let errors: Vec<&str> = ran
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(
        errors.len(),
        2,
        "one ::error per case that did not pass:\n{}",
        ran.stdout
    );
    let fails = format!(
        "::error file={},line={},title=suite%3A fails%2C wrongly::",
        s.arg(),
        s.case_line("fails, wrongly")
    );
    assert!(
        errors
            .iter()
            .any(|l| l.starts_with(&fails) && l.contains("phase: expected FAILED, got SUCCEEDED")),
        "no {fails:?} in:\n{}",
        ran.stdout
    );
    let errs = format!(
        "::error file={},line={},title=suite%3A errs::",
        s.arg(),
        s.case_line("errs")
    );
    assert!(
        errors.iter().any(|l| l.starts_with(&errs)),
        "no {errs:?} in:\n{}",
        ran.stdout
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("previous step\n"),
        "the summary is appended to:\n{md}"
    );
    assert!(
        md.contains("| suite | case | result | time | message |"),
        "{md}"
    );
    for (case, result) in [
        ("passes", "passed"),
        ("fails, wrongly", "failed"),
        ("errs", "error"),
    ] {
        assert!(
            md.lines()
                .any(|l| l.starts_with("| suite | ") && l.contains(case) && l.contains(result)),
            "no row for {case:?} ({result}):\n{md}"
        );
    }

    // --github asks for the same outside GitHub; without either there are none
    let ran = Run::new(["test", &s.arg(), "--github"])
        .env("GITHUB_ACTIONS", "false")
        .env("GITHUB_STEP_SUMMARY", s.file("other.md"))
        .expect_code(1)
        .run();
    assert!(ran.stdout.contains(&fails), "{}", ran.stdout);
    let ran = Run::new(["test", &s.arg()])
        .env("GITHUB_ACTIONS", "false")
        .expect_code(1)
        .run();
    assert!(!ran.stdout.contains("::error"), "{}", ran.stdout);
}

#[test]
fn json_on_stdout_stays_one_document_under_github_actions() {
    let s = github_suite(&closed_port());
    let summary = s.file("step-summary.md");
    // GitHub sets GITHUB_ACTIONS=true in every step: `agentctl test -o json > report.json` there
    let doc = Run::new(["test", &s.arg(), "-o", "json"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .expect_code(1)
        .run()
        .json();
    assert_eq!(case_names(&doc).len(), 3, "{doc:#}");
}

#[test]
fn quiet_prints_only_the_summary() {
    let s = github_suite(&closed_port());
    let ran = Run::new(["test", &s.arg(), "--quiet"])
        .env("GITHUB_ACTIONS", "false")
        .expect_code(1)
        .run();
    assert!(
        ran.stderr.contains("1 passed, 1 failed, 1 errors"),
        "--quiet prints only the summary; stderr:\n{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("PASS "), "{}", ran.stderr);
}

// ---------------------------------------------------------------------------------------------
// Flyte 2

#[test]
fn a_flyte2_suite_runs_against_c0_started_by_the_suite() {
    let s = Suite::new(
        r#"defaults:
  timeout: 60s
  poll_interval: 100ms
  wire: v2
@C0@
cases:
  - name: says hello
    template: @FX2@/success.pb
    inputs: {x: 21, name: ada}
    expect:
      outputs:
        y: 42
        greeting: {regex: "^hello ada$"}
      log_links: [console]
      max_duration: 30s
  - name: fails cleanly
    template: @FX2@/fail.pb
    expect:
      phase: FAILED
      exit_code: 1
      message: {regex: "^boom"}
  - name: is retried
    template: @FX2@/retryable.pb
    expect: {attempts: 2}
  - name: doubles wrongly
    template: @FX2@/success.pb
    inputs: {x: 1, name: bob}
    expect:
      outputs: {y: 3}
  - name: fails unexpectedly
    template: @FX2@/fail.pb
"#,
    );
    let report = s.file("report.json");
    let junit = s.file("junit.xml");
    let ran = Run::new(["test", &s.arg(), "--report"])
        .arg(&report)
        .arg("--junit")
        .arg(&junit)
        .expect_code(1)
        .stderr_contains("outputs.y: expected 3, got 2")
        .stderr_contains("phase: expected SUCCEEDED, got FAILED")
        .run();
    let doc = read_json(&report);
    for (name, status) in [
        ("says hello", "passed"),
        ("fails cleanly", "passed"),
        ("is retried", "passed"),
        ("doubles wrongly", "failed"),
        ("fails unexpectedly", "failed"),
    ] {
        assert_eq!(case(&doc, name)["status"], status, "{name}: {}", ran.stderr);
    }
    assert_eq!(
        case(&doc, "says hello")["outputs"],
        json!({"y": 42, "greeting": "hello ada"})
    );
    assert_eq!(case(&doc, "is retried")["attempts"], 2);
    let creates = records_in(&s.state(), "creates.jsonl");
    assert!(
        creates
            .iter()
            .any(|c| c["task_type"] == "agentctl2_success"),
        "the cases went to c0: {creates:?}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("generation: v2"), "{xml}");
    assert_stopped(&started_endpoint(&doc));
}

// ---------------------------------------------------------------------------------------------
// The examples

#[test]
fn the_builtin_example_passes() {
    Run::new(["test"])
        .arg(repo().join("examples/builtin.agentctl.yaml"))
        .stderr_contains("2 passed, 0 failed, 0 errors")
        .run();
}

#[test]
fn the_flytekit_example_passes() {
    // the example names ../.venv and ../target/pyfixtures: make sure they are there
    python();
    pyfixtures();
    Run::new(["test"])
        .arg(repo().join("examples/flytekit.agentctl.yaml"))
        .stderr_contains("3 passed, 0 failed, 0 errors")
        .run();
}

/// On a terminal: a live line per running case and a counter, then a line per finished case.
#[test]
fn a_terminal_shows_running_cases_live() {
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("flag");
    let suite = dir.path().join("live.agentctl.yaml");
    std::fs::write(
        &suite,
        format!(
            "cases:\n  - name: waits for the flag\n    template: {}\n    inputs: {{path: {}}}\n    timeout: 20s\n",
            repo().join("fixtures/file_sensor.json").display(),
            flag.display()
        ),
    )
    .unwrap();
    let command = format!(
        "(sleep 1.5; touch {}) & {} test {}",
        flag.display(),
        env!("CARGO_BIN_EXE_agentctl"),
        suite.display()
    );
    let mut script = std::process::Command::new("script");
    clean_env(&mut script)
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let out = script.output().expect("script(1), from util-linux");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("0/1 cases done"), "no counter: {shown:?}");
    assert!(
        shown.contains("live / waits for the flag ["),
        "no live line for the running case: {shown:?}"
    );
    assert!(
        shown.contains("PASS  live / waits for the flag"),
        "{shown:?}"
    );
}
