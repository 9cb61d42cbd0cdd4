//! `agentctl check`, rule by rule: each rule broken by exactly one test connector (the
//! `agentctl_check` connectors of tests/python/test_connectors.py in a real flytekit server, and
//! for the discovery rules in-test tonic fakes), a well-behaved connector that passes every rule
//! (in flytekit and in c0), flytekit's own built-in agents and `agentctl serve`, the reports
//! (`-o json`, `--junit`), the exit codes, and the jobs `check` leaves behind (none).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agentctl::pb::admin;
use agentctl::pb::core::task_execution::Phase;
use agentctl::pb::service::agent_metadata_service_server::{
    AgentMetadataService, AgentMetadataServiceServer,
};
use agentctl::pb::service::async_agent_service_server::{
    AsyncAgentService, AsyncAgentServiceServer,
};
use serde_json::Value;
use tonic::{Request, Response, Status};
use tonic_health::ServingStatus;

use crate::flyte2::C0;
use crate::serve::Serve;
use crate::util::{
    FlytekitServer, HttpServer, Run, pyfixture, pyfixture2, repo, std_agentctl, stderr_of,
    stdout_of,
};

/// Every rule, in the order `check` reports them.
const RULES: &[&str] = &[
    "serving.health",
    "serving.discovery",
    "serving.get-agent",
    "serving.unknown-type",
    "create.accepted",
    "create.latency",
    "roundtrip.repeatable",
    "roundtrip.forward-only",
    "roundtrip.garbage-meta",
    "outcome.outputs",
    "outcome.failure-message",
    "delete.running",
    "delete.idempotent",
];

/// The rules that need no template.
const SERVING: &[&str] = &[
    "serving.health",
    "serving.discovery",
    "serving.get-agent",
    "serving.unknown-type",
];

/// A fixture flytekit serialized (target/pyfixtures/NAME.template.pb).
fn t1(name: &str) -> String {
    pyfixture(&format!("{name}.template.pb"))
        .to_str()
        .unwrap()
        .to_string()
}

/// One rule's result in `-o json`.
#[derive(Debug, Clone)]
struct Rule {
    id: String,
    template: Option<String>,
    status: String,
    evidence: String,
}

/// One `agentctl check` run.
struct Checked {
    cmd: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    rules: Vec<Rule>,
}

impl Checked {
    /// The rules reported for `template` (None: the serving rules), by id.
    fn of(&self, template: Option<&str>) -> BTreeMap<&str, &Rule> {
        self.rules
            .iter()
            .filter(|r| r.template.as_deref() == template)
            .map(|r| (r.id.as_str(), r))
            .collect()
    }

    /// Every rule's status, keyed `id` (serving) or `id [template]`.
    fn statuses(&self) -> BTreeMap<String, &str> {
        self.rules
            .iter()
            .map(|r| {
                let key = match &r.template {
                    Some(t) => format!("{} [{t}]", r.id),
                    None => r.id.clone(),
                };
                (key, r.status.as_str())
            })
            .collect()
    }

    fn context(&self) -> String {
        format!(
            "agentctl {}\nexit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.cmd, self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `agentctl check ARGS -o json` to the end, whatever its exit code.
fn check(args: &[&str]) -> Checked {
    let out = std_agentctl()
        .arg("check")
        .args(args)
        .args(["-o", "json"])
        .output()
        .unwrap();
    let stdout = stdout_of(&out);
    let rules = serde_json::from_str::<Value>(&stdout)
        .ok()
        .and_then(|v| v["rules"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|r| Rule {
            id: r["id"].as_str().unwrap_or_default().to_string(),
            template: r["template"].as_str().map(str::to_string),
            status: r["status"].as_str().unwrap_or_default().to_string(),
            evidence: r["evidence"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    Checked {
        cmd: format!("check {} -o json", args.join(" ")),
        code: out.status.code(),
        stdout,
        stderr: stderr_of(&out),
        rules,
    }
}

/// `check` that must exit `code`.
#[track_caller]
fn check_exits(code: i32, args: &[&str]) -> Checked {
    let c = check(args);
    assert_eq!(c.code, Some(code), "exit code of {}", c.context());
    c
}

/// Which statuses a run gave, for a message.
fn listing(c: &Checked) -> String {
    c.rules
        .iter()
        .map(|r| {
            format!(
                "  {:<24} {:<28} {:<4} {}",
                r.id,
                r.template.as_deref().unwrap_or("-"),
                r.status,
                r.evidence
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The ids of the connector's jobs that creates.jsonl / deletes.jsonl recorded for `mode`.
fn created(server: &FlytekitServer, mode: &str) -> Vec<String> {
    server
        .records("creates.jsonl")
        .iter()
        .filter(|r| r["breaks"] == mode)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn deleted(server: &FlytekitServer, mode: &str) -> Vec<String> {
    server
        .records("deletes.jsonl")
        .iter()
        .filter(|r| r["resource_meta"]["breaks"] == mode)
        .map(|r| r["resource_meta"]["id"].as_str().unwrap().to_string())
        .collect()
}

// ------------------------------------------------------------------ a well-behaved deployment

/// A connector that keeps the contract passes every rule: check_good (async, SUCCEEDED with its
/// outputs), flytekit's test `fail` connector (a failure with a message) and the sync `echo`
/// connector. Also the reports: `-o json` and `--junit`, one testcase per rule and template.
#[test]
fn a_well_behaved_connector_passes_every_rule() {
    let server = FlytekitServer::start();
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("check.xml");
    let echo_inputs = dir.path().join("echo.yaml");
    std::fs::write(&echo_inputs, "i: 1\ns: a\nf: 1.5\nb: true\nl: [1, 2]\n").unwrap();
    let (good, fail, echo) = (t1("check_good"), t1("fail"), t1("echo"));
    let c = check_exits(
        0,
        &[
            "--endpoint",
            &server.addr,
            &good,
            &fail,
            &echo,
            "--inputs-for",
            &format!("{echo}={}", echo_inputs.display()),
            "--junit",
            junit.to_str().unwrap(),
        ],
    );

    // the JSON document: {"rules": [{"id", "template", "status", "evidence"}], ...}
    let v: Value = serde_json::from_str(&c.stdout).unwrap();
    for r in v["rules"].as_array().unwrap() {
        for key in ["id", "template", "status", "evidence"] {
            assert!(r.get(key).is_some(), "{key} missing from {r}");
        }
        assert!(
            ["pass", "warn", "fail", "skip"].contains(&r["status"].as_str().unwrap()),
            "{r}"
        );
    }
    assert_eq!(v["summary"]["fail"], 0, "{}", c.context());
    assert_eq!(v["summary"]["warn"], 0, "{}", c.context());

    // the serving rules once, with no template; every other rule once per template
    let serving = c.of(None);
    assert_eq!(serving.keys().copied().collect::<Vec<_>>(), {
        let mut s = SERVING.to_vec();
        s.sort();
        s
    });
    for t in ["check_good", "fail", "echo"] {
        let ids: BTreeSet<&str> = c.of(Some(t)).keys().copied().collect();
        let want: BTreeSet<&str> = RULES[4..].iter().copied().collect();
        assert_eq!(ids, want, "{t}:\n{}", listing(&c));
    }
    let all: BTreeMap<String, &str> = c.statuses();
    let want: BTreeMap<String, &str> = [
        ("serving.health", "pass"),
        ("serving.discovery", "pass"),
        ("serving.get-agent", "pass"),
        ("serving.unknown-type", "pass"),
        ("create.accepted [check_good]", "pass"),
        ("create.latency [check_good]", "pass"),
        ("roundtrip.repeatable [check_good]", "pass"),
        ("roundtrip.forward-only [check_good]", "pass"),
        ("roundtrip.garbage-meta [check_good]", "pass"),
        ("outcome.outputs [check_good]", "pass"),
        ("outcome.failure-message [check_good]", "skip"),
        ("delete.running [check_good]", "pass"),
        ("delete.idempotent [check_good]", "pass"),
        ("create.accepted [fail]", "pass"),
        ("create.latency [fail]", "pass"),
        ("roundtrip.repeatable [fail]", "pass"),
        ("roundtrip.forward-only [fail]", "pass"),
        ("roundtrip.garbage-meta [fail]", "pass"),
        ("outcome.outputs [fail]", "skip"),
        ("outcome.failure-message [fail]", "pass"),
        // FAILED at its first answer: no running job to delete
        ("delete.running [fail]", "skip"),
        ("delete.idempotent [fail]", "pass"),
        // sync: ExecuteTaskSync, no job to poll or delete
        ("create.accepted [echo]", "pass"),
        ("create.latency [echo]", "pass"),
        ("roundtrip.repeatable [echo]", "skip"),
        ("roundtrip.forward-only [echo]", "skip"),
        ("roundtrip.garbage-meta [echo]", "skip"),
        ("outcome.outputs [echo]", "pass"),
        ("outcome.failure-message [echo]", "skip"),
        ("delete.running [echo]", "skip"),
        ("delete.idempotent [echo]", "skip"),
    ]
    .into_iter()
    .map(|(k, s)| (k.to_string(), s))
    .collect();
    assert_eq!(all, want, "\n{}", listing(&c));
    let good = c.of(Some("check_good"));
    assert!(
        good["outcome.outputs"]
            .evidence
            .contains("2 declared outputs"),
        "{}",
        listing(&c)
    );
    assert!(
        good["delete.running"].evidence.contains("ABORTED"),
        "{}",
        listing(&c)
    );
    assert!(
        c.of(Some("echo"))["create.accepted"]
            .evidence
            .contains("ExecuteTaskSync"),
        "{}",
        listing(&c)
    );
    assert!(
        c.of(Some("fail"))["outcome.failure-message"]
            .evidence
            .contains("boom: the job failed"),
        "{}",
        listing(&c)
    );

    // every job check made was deleted: the first (finished) one, and the running one
    let made = created(&server, "good");
    assert_eq!(made.len(), 2, "one job, then one to delete while running");
    let gone: BTreeSet<String> = deleted(&server, "good").into_iter().collect();
    for id in &made {
        assert!(gone.contains(id), "job {id} was neither deleted: {gone:?}");
    }

    // JUnit: one testcase per rule and template (a skip is <skipped>, a pass has none)
    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut cases: Vec<&str> = xml
        .split("<testcase name=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    cases.sort();
    let mut want_cases: Vec<String> = SERVING.iter().map(|s| s.to_string()).collect();
    for t in ["check_good", "fail", "echo"] {
        want_cases.extend(RULES[4..].iter().map(|id| format!("{id} [{t}]")));
    }
    want_cases.sort();
    assert_eq!(cases, want_cases, "{xml}");
    assert!(
        xml.contains("tests=\"31\" failures=\"0\" errors=\"0\" skipped=\"9\""),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<testcase name=\"outcome.failure-message [check_good]\" classname=\"agentctl check\""
        ),
        "{xml}"
    );
}

// ------------------------------------------------------------------ one connector per rule

/// A test connector and the one rule it breaks.
struct Breaks {
    template: &'static str,
    extra: &'static [&'static str],
    rule: &'static str,
    /// What the rule's evidence says.
    evidence: &'static [&'static str],
}

const BREAKERS: &[Breaks] = &[
    Breaks {
        template: "check_empty_meta",
        extra: &[],
        rule: "create.accepted",
        evidence: &["empty resource_meta"],
    },
    Breaks {
        template: "check_flaky_get",
        extra: &[],
        rule: "roundtrip.repeatable",
        evidence: &["Internal", "from a fresh connection"],
    },
    Breaks {
        template: "check_backwards",
        extra: &[],
        rule: "roundtrip.forward-only",
        evidence: &["SUCCEEDED then RUNNING"],
    },
    // the garbage meta is never answered; the per-call deadline is shortened to keep the test
    // short (10 s by default)
    Breaks {
        template: "check_hang",
        extra: &["--call-timeout", "2s"],
        rule: "roundtrip.garbage-meta",
        evidence: &["DeadlineExceeded"],
    },
    Breaks {
        template: "check_bad_outputs",
        extra: &[],
        rule: "outcome.outputs",
        evidence: &["s is missing", "y: ", "\"two\""],
    },
    Breaks {
        template: "check_empty_failure",
        extra: &[],
        rule: "outcome.failure-message",
        evidence: &["FAILED with an empty message"],
    },
    Breaks {
        template: "check_aborted",
        extra: &[],
        rule: "outcome.failure-message",
        evidence: &["ABORTED although nothing deleted the job"],
    },
    Breaks {
        template: "check_delete_running_fails",
        extra: &[],
        rule: "delete.running",
        evidence: &["DeleteTask: Internal"],
    },
    Breaks {
        template: "check_delete_finished_fails",
        extra: &[],
        rule: "delete.idempotent",
        evidence: &["on the finished job: Internal"],
    },
    Breaks {
        template: "check_delete_twice_fails",
        extra: &[],
        rule: "delete.idempotent",
        evidence: &[
            "on the finished job: Internal",
            "twice on a running job: Internal",
        ],
    },
];

/// Each misbehaving connector (in a real flytekit server) fails exactly the rule it breaks,
/// exit 1, and no other rule fails or warns.
#[test]
fn each_broken_connector_fails_exactly_its_rule() {
    let server = FlytekitServer::start();
    let mut problems = Vec::new();
    for b in BREAKERS {
        let template = t1(b.template);
        let mut args = vec!["--endpoint", server.addr.as_str(), template.as_str()];
        args.extend(b.extra);
        let c = check(&args);
        let mut wrong = Vec::new();
        if c.code != Some(1) {
            wrong.push(format!("exit {:?}, not 1", c.code));
        }
        match c.of(Some(b.template)).get(b.rule) {
            None => wrong.push(format!("{} was not reported", b.rule)),
            Some(r) => {
                if r.status != "fail" {
                    wrong.push(format!("{} is {}, not fail", b.rule, r.status));
                }
                for e in b.evidence {
                    if !r.evidence.contains(e) {
                        wrong.push(format!("{}'s evidence lacks {e:?}", b.rule));
                    }
                }
            }
        }
        for r in &c.rules {
            if r.id == b.rule && r.template.as_deref() == Some(b.template) {
                continue;
            }
            if r.status != "pass" && r.status != "skip" {
                wrong.push(format!("{} is {}: {}", r.id, r.status, r.evidence));
            }
        }
        for id in SERVING {
            if c.of(None).get(id).map(|r| r.status.as_str()) != Some("pass") {
                wrong.push(format!("{id} did not pass"));
            }
        }
        if !wrong.is_empty() {
            problems.push(format!(
                "{} (breaks {}): {}\n{}",
                b.template,
                b.rule,
                wrong.join("; "),
                listing(&c)
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
}

/// A CreateTask slower than propeller's agent-service default (3 s) is a warning, not a
/// failure: exit 0. (A 10 s create for the failure is not worth its time here.)
#[test]
fn a_slow_create_is_a_warning_and_exit_0() {
    let server = FlytekitServer::start();
    let c = check_exits(0, &["--endpoint", &server.addr, &t1("check_slow_create")]);
    let rules = c.of(Some("check_slow_create"));
    let latency = rules["create.latency"];
    assert_eq!(latency.status, "warn", "{}", listing(&c));
    assert!(
        latency.evidence.contains("CreateTask took 3")
            && latency.evidence.contains("warn above 3s, fail above 10s"),
        "{}",
        listing(&c)
    );
    for r in &c.rules {
        if r.id != "create.latency" {
            assert!(r.status == "pass" || r.status == "skip", "{}", listing(&c));
        }
    }
    assert_eq!(c.rules.len(), RULES.len(), "{}", listing(&c));
}

/// With --config, CreateTask is measured against the deployment's own deadline.
#[test]
fn with_a_configmap_latency_is_measured_against_its_deadline() {
    let server = FlytekitServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("propeller.yaml");
    std::fs::write(
        &config,
        format!(
            "plugins:\n  agent-service:\n    defaultAgent:\n      endpoint: dns:///{}\n      insecure: true\n      timeouts:\n        CreateTask: 5s\n",
            server.addr
        ),
    )
    .unwrap();
    let c = check_exits(
        0,
        &[
            "--config",
            config.to_str().unwrap(),
            &t1("check_good"),
            "--rules",
            "create",
        ],
    );
    let rules = c.of(Some("check_good"));
    assert_eq!(
        rules.keys().copied().collect::<Vec<_>>(),
        ["create.accepted", "create.latency"]
    );
    assert_eq!(rules["create.latency"].status, "pass");
    assert!(
        rules["create.latency"]
            .evidence
            .contains("warn above 2500ms, fail above 5s"),
        "{}",
        listing(&c)
    );
}

// ------------------------------------------------------------------ what check leaves behind

/// A job that does not end within `--timeout` is deleted; so is one Ctrl-C interrupts (exit
/// 130).
#[test]
fn every_job_check_creates_is_finished_or_deleted() {
    let server = FlytekitServer::start();
    let running = t1("check_running");

    // --timeout 2s: the job never ends, so check deletes it
    let t0 = Instant::now();
    let c = check_exits(
        0,
        &["--endpoint", &server.addr, &running, "--timeout", "2s"],
    );
    assert!(t0.elapsed() < Duration::from_secs(15), "{:?}", t0.elapsed());
    let r = c.of(Some("check_running"));
    assert_eq!(
        r["roundtrip.forward-only"].status,
        "skip",
        "{}",
        listing(&c)
    );
    assert!(
        r["roundtrip.forward-only"]
            .evidence
            .contains("the job was deleted"),
        "{}",
        listing(&c)
    );
    let made = created(&server, "running");
    assert_eq!(made.len(), 1);
    assert_eq!(
        deleted(&server, "running"),
        made,
        "the timed-out job is deleted"
    );

    // Ctrl-C while it polls: the job is deleted, exit 130
    let mut child = std_agentctl()
        .args(["check", "--endpoint", &server.addr, &running])
        .args(["--timeout", "60s", "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while created(&server, "running").len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no second create"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // past the first polls, into the poll loop
    std::thread::sleep(Duration::from_millis(500));
    let ok = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("check did not stop within 15s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(130), "{}", stderr_of(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let forward = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "roundtrip.forward-only")
        .cloned()
        .unwrap_or_default();
    assert_eq!(forward["status"], "skip", "{v}");
    assert!(
        forward["evidence"]
            .as_str()
            .unwrap_or_default()
            .contains("interrupted"),
        "{v}"
    );
    let made = created(&server, "running");
    let gone = server.wait_records("deletes.jsonl", 2, Duration::from_secs(5));
    assert!(
        gone.iter()
            .any(|d| d["resource_meta"]["id"] == made[1].as_str()),
        "the interrupted job is deleted: {gone:?}"
    );
}

/// `--rules serving` runs the serving rules only, and creates no job even with a template:
/// "rules that need no template only list and ask health".
#[test]
fn serving_rules_only_list_and_ask_health() {
    let server = FlytekitServer::start();
    let c = check_exits(0, &["--endpoint", &server.addr, "--rules", "serving"]);
    assert_eq!(
        c.rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        SERVING,
        "{}",
        listing(&c)
    );
    assert!(
        c.rules.iter().all(|r| r.status == "pass"),
        "{}",
        listing(&c)
    );
    assert_eq!(created(&server, "good"), Vec::<String>::new());

    // the same with a template: still only the serving rules, and nothing created
    let c = check_exits(
        0,
        &[
            "--endpoint",
            &server.addr,
            &t1("check_good"),
            "--rules",
            "serving",
        ],
    );
    assert_eq!(
        c.rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        SERVING,
        "{}",
        listing(&c)
    );
    assert_eq!(
        created(&server, "good"),
        Vec::<String>::new(),
        "--rules serving created a job"
    );
    assert_eq!(deleted(&server, "good"), Vec::<String>::new());
}

/// Issue #13: each rule prints pass, warn, fail or skip; JUnit holds one testcase per rule and
/// template. A rule that cannot run on a template (the create failed, the job did not end) is
/// still reported, as skipped, with the reason.
#[test]
fn a_rule_that_cannot_run_is_reported_as_skipped() {
    let server = FlytekitServer::start();
    let c = check(&[
        "--endpoint",
        &server.addr,
        &t1("check_empty_meta"),
        &t1("check_running"),
        "--timeout",
        "1s",
    ]);
    let mut missing = Vec::new();
    for t in ["check_empty_meta", "check_running"] {
        let got = c.of(Some(t));
        for id in &RULES[4..] {
            if !got.contains_key(id) {
                missing.push(format!("{id} [{t}]"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not reported: {}\n{}",
        missing.join(", "),
        listing(&c)
    );
}

// ------------------------------------------------------------------ usage and exit codes

#[test]
fn an_unknown_rule_is_a_usage_error() {
    Run::new(["check", "--rules", "nope"])
        .tripwire()
        .expect_code(2)
        .stderr_contains("--rules nope: no rule has that id or prefix")
        .stderr_contains("serving.health")
        .run();
    Run::new(["check", "--rules", "serving,nope"])
        .tripwire()
        .expect_code(2)
        .stderr_contains("--rules nope")
        .run();
}

#[test]
fn an_unreachable_endpoint_is_exit_3() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    // detection cannot tell the generation: serving.health says why, in the document
    let c = check_exits(3, &["--endpoint", &closed]);
    let health = c.of(None)["serving.health"];
    assert_eq!(health.status, "fail");
    assert!(
        health.evidence.contains(&closed) && health.evidence.contains("Unavailable"),
        "{}",
        listing(&c)
    );
    // with the generation given, the serving rules run and say why
    let c = check_exits(3, &["--endpoint", &closed, "--wire", "v1"]);
    let health = c.of(None)["serving.health"];
    assert_eq!(health.status, "fail");
    assert!(health.evidence.contains("Unavailable"), "{}", listing(&c));
}

// ------------------------------------------------------------------ the serving rules, by fakes

/// What a fake agent service gets wrong.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Flaw {
    None,
    /// gRPC health says NOT_SERVING for the metadata service.
    NotServing,
    /// Two agents claim the same category.
    ClaimedTwice,
    /// An agent claims no category at all.
    NoCategory,
    /// GetAgent answers another agent than the list.
    GetAgentDisagrees,
    /// GetAgent does not know a listed agent.
    GetAgentNotFound,
    /// A task type nobody serves is refused with INTERNAL, not NOT_FOUND.
    UnknownInternal,
    /// A task type nobody serves is answered with a phase.
    UnknownAnswered,
}

#[derive(Clone)]
struct Discovery {
    flaw: Flaw,
    /// Every method called, in order.
    calls: Arc<Mutex<Vec<&'static str>>>,
}

impl Discovery {
    fn call(&self, m: &'static str) {
        self.calls.lock().unwrap().push(m);
    }

    #[allow(deprecated)]
    fn agents(&self) -> Vec<admin::Agent> {
        let agent = |name: &str, category: &str, sync: bool| admin::Agent {
            name: name.into(),
            supported_task_types: vec![category.into()],
            is_sync: sync,
            supported_task_categories: vec![admin::TaskCategory {
                name: category.into(),
                version: 0,
            }],
        };
        let mut agents = vec![
            agent("Fake Async Agent", "fake_async", false),
            agent("Fake Sync Agent", "fake_sync", true),
        ];
        match self.flaw {
            Flaw::ClaimedTwice => agents.push(agent("Fake Other Agent", "fake_async", false)),
            Flaw::NoCategory => agents.push(admin::Agent {
                name: "Fake Empty Agent".into(),
                ..Default::default()
            }),
            _ => {}
        }
        agents
    }
}

#[tonic::async_trait]
impl AgentMetadataService for Discovery {
    async fn get_agent(
        &self,
        req: Request<admin::GetAgentRequest>,
    ) -> Result<Response<admin::GetAgentResponse>, Status> {
        self.call("GetAgent");
        let name = req.into_inner().name;
        let mut found = self.agents().into_iter().find(|a| a.name == name);
        match self.flaw {
            Flaw::GetAgentDisagrees => {
                if let Some(a) = found.as_mut() {
                    a.is_sync = !a.is_sync;
                }
            }
            Flaw::GetAgentNotFound => found = None,
            _ => {}
        }
        match found {
            Some(a) => Ok(Response::new(admin::GetAgentResponse { agent: Some(a) })),
            None => Err(Status::not_found(format!("no agent {name:?}"))),
        }
    }

    async fn list_agents(
        &self,
        _: Request<admin::ListAgentsRequest>,
    ) -> Result<Response<admin::ListAgentsResponse>, Status> {
        self.call("ListAgents");
        Ok(Response::new(admin::ListAgentsResponse {
            agents: self.agents(),
        }))
    }
}

#[tonic::async_trait]
impl AsyncAgentService for Discovery {
    async fn create_task(
        &self,
        _: Request<admin::CreateTaskRequest>,
    ) -> Result<Response<admin::CreateTaskResponse>, Status> {
        self.call("CreateTask");
        Ok(Response::new(admin::CreateTaskResponse {
            resource_meta: b"{}".to_vec(),
        }))
    }

    async fn get_task(
        &self,
        req: Request<admin::GetTaskRequest>,
    ) -> Result<Response<admin::GetTaskResponse>, Status> {
        self.call("GetTask");
        let category = req.into_inner().task_category.unwrap_or_default().name;
        let served = ["fake_async", "fake_sync"].contains(&category.as_str());
        match self.flaw {
            _ if served => Ok(Response::new(admin::GetTaskResponse {
                resource: Some(admin::Resource {
                    phase: Phase::Succeeded as i32,
                    ..Default::default()
                }),
            })),
            Flaw::UnknownInternal => Err(Status::internal(format!(
                "failed to get {category} task with error: KeyError"
            ))),
            Flaw::UnknownAnswered => Ok(Response::new(admin::GetTaskResponse {
                resource: Some(admin::Resource {
                    phase: Phase::Running as i32,
                    ..Default::default()
                }),
            })),
            _ => Err(Status::not_found(format!(
                "Cannot find agent for task category: {category}"
            ))),
        }
    }

    async fn delete_task(
        &self,
        _: Request<admin::DeleteTaskRequest>,
    ) -> Result<Response<admin::DeleteTaskResponse>, Status> {
        self.call("DeleteTask");
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

/// A fake Flyte 1 agent service (async service, discovery, gRPC health) on 127.0.0.1, on its
/// own runtime thread; stopped when dropped.
struct FakeDeployment {
    addr: SocketAddr,
    discovery: Discovery,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeDeployment {
    fn start(flaw: Flaw) -> Self {
        let discovery = Discovery {
            flaw,
            calls: Arc::default(),
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let d = discovery.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let (reporter, health) = tonic_health::server::health_reporter();
                reporter
                    .set_service_status(
                        "flyteidl.service.AsyncAgentService",
                        ServingStatus::Serving,
                    )
                    .await;
                let metadata = if flaw == Flaw::NotServing {
                    ServingStatus::NotServing
                } else {
                    ServingStatus::Serving
                };
                reporter
                    .set_service_status("flyteidl.service.AgentMetadataService", metadata)
                    .await;
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                tonic::transport::Server::builder()
                    .add_service(AsyncAgentServiceServer::new(d.clone()))
                    .add_service(AgentMetadataServiceServer::new(d))
                    .add_service(health)
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
        FakeDeployment {
            addr,
            discovery,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    fn calls(&self) -> Vec<&'static str> {
        self.discovery.calls.lock().unwrap().clone()
    }
}

impl Drop for FakeDeployment {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Each discovery-level flaw fails (or warns about) exactly its serving rule; a fake without
/// flaws passes all four. Without a template nothing is created or deleted.
#[test]
fn each_serving_flaw_fails_exactly_its_rule() {
    // flaw, the rule, its status, what its evidence says, the exit code
    let cases: &[(Flaw, &str, &str, &str, i32)] = &[
        (Flaw::None, "", "", "", 0),
        (
            Flaw::NotServing,
            "serving.health",
            "fail",
            "flyteidl.service.AgentMetadataService: NOT_SERVING",
            1,
        ),
        (
            Flaw::ClaimedTwice,
            "serving.discovery",
            "fail",
            "fake_async v0 is claimed by \"Fake Async Agent\" and \"Fake Other Agent\"",
            1,
        ),
        (
            Flaw::NoCategory,
            "serving.discovery",
            "fail",
            "\"Fake Empty Agent\" claims no task category",
            1,
        ),
        (
            Flaw::GetAgentDisagrees,
            "serving.get-agent",
            "fail",
            "\"Fake Async Agent\": GetAgent says",
            1,
        ),
        (
            Flaw::GetAgentNotFound,
            "serving.get-agent",
            "fail",
            "NotFound",
            1,
        ),
        (
            Flaw::UnknownInternal,
            "serving.unknown-type",
            "warn",
            "Internal",
            0,
        ),
        (
            Flaw::UnknownAnswered,
            "serving.unknown-type",
            "fail",
            // the phase is shown as its number ("phase 2"), unlike the garbage-meta rule's name
            "GetTask answered phase",
            1,
        ),
    ];
    let mut problems = Vec::new();
    for &(flaw, rule, status, evidence, code) in cases {
        let fake = FakeDeployment::start(flaw);
        let c = check(&["--endpoint", &fake.endpoint()]);
        let mut wrong = Vec::new();
        if c.code != Some(code) {
            wrong.push(format!("exit {:?}, not {code}", c.code));
        }
        let got = c.of(None);
        if got.keys().copied().collect::<BTreeSet<_>>() != SERVING.iter().copied().collect() {
            wrong.push("not exactly the serving rules".into());
        }
        for id in SERVING {
            let Some(r) = got.get(id) else { continue };
            if *id == rule {
                if r.status != status {
                    wrong.push(format!("{id} is {}, not {status}", r.status));
                }
                if !r.evidence.contains(evidence) {
                    wrong.push(format!("{id}'s evidence lacks {evidence:?}"));
                }
            } else if r.status != "pass" {
                wrong.push(format!("{id} is {}: {}", r.status, r.evidence));
            }
        }
        let calls = fake.calls();
        if calls
            .iter()
            .any(|m| *m == "CreateTask" || *m == "DeleteTask")
        {
            wrong.push(format!("a job was created or deleted: {calls:?}"));
        }
        if !wrong.is_empty() {
            problems.push(format!("{flaw:?}: {}\n{}", wrong.join("; "), listing(&c)));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
}

// ------------------------------------------------------------------ Flyte 2, built-in agents

/// A well-behaved Flyte 2 connector in the real c0 passes every rule (and a failing one shows a
/// message), over the Flyte 2 health names.
#[test]
fn a_well_behaved_flyte_2_connector_passes_every_rule_in_c0() {
    let c0 = C0::start();
    let success = pyfixture2("success.pb").to_str().unwrap().to_string();
    let fail = pyfixture2("fail.pb").to_str().unwrap().to_string();
    let c = check_exits(0, &["--endpoint", &c0.addr, &success, "--x", "21", &fail]);
    let want: BTreeMap<String, &str> = [
        ("serving.health", "pass"),
        ("serving.discovery", "pass"),
        ("serving.get-agent", "pass"),
        ("serving.unknown-type", "pass"),
        ("create.accepted [success]", "pass"),
        ("create.latency [success]", "pass"),
        ("roundtrip.repeatable [success]", "pass"),
        ("roundtrip.forward-only [success]", "pass"),
        ("roundtrip.garbage-meta [success]", "pass"),
        ("outcome.outputs [success]", "pass"),
        ("outcome.failure-message [success]", "skip"),
        ("delete.running [success]", "pass"),
        ("delete.idempotent [success]", "pass"),
        ("create.accepted [fail]", "pass"),
        ("create.latency [fail]", "pass"),
        ("roundtrip.repeatable [fail]", "pass"),
        ("roundtrip.forward-only [fail]", "pass"),
        ("roundtrip.garbage-meta [fail]", "pass"),
        ("outcome.outputs [fail]", "skip"),
        ("outcome.failure-message [fail]", "pass"),
        ("delete.running [fail]", "skip"),
        ("delete.idempotent [fail]", "pass"),
    ]
    .into_iter()
    .map(|(k, s)| (k.to_string(), s))
    .collect();
    assert_eq!(c.statuses(), want, "\n{}", listing(&c));
    assert!(
        c.of(None)["serving.health"]
            .evidence
            .contains("flyteidl2.connector.AsyncConnectorService"),
        "{}",
        listing(&c)
    );
    assert!(
        c.of(Some("success"))["outcome.outputs"]
            .evidence
            .contains("2 declared outputs"),
        "{}",
        listing(&c)
    );
}

/// What flytekit's own built-in agents (the FileSensor, the webhook) and `agentctl serve` pass:
/// everything that applies. A sensor whose file exists ends at its first answer, so
/// delete.running is skipped; a webhook is sync, so the job rules are skipped.
#[test]
fn flytekits_built_in_agents_and_agentctl_serve() {
    let flytekit = FlytekitServer::start();
    let ours = Serve::start();
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("flag");
    std::fs::write(&flag, "").unwrap();
    let sensor = repo().join("fixtures/file_sensor.json");
    let sensor = sensor.to_str().unwrap();
    let hook = HttpServer::start(|_| (200, "{\"ok\": true}".into()));
    let notify = t1("notify");

    let sensor_want: BTreeMap<String, &str> = [
        ("serving.health", "pass"),
        ("serving.discovery", "pass"),
        ("serving.get-agent", "pass"),
        ("serving.unknown-type", "pass"),
        ("create.accepted [wait_for_file]", "pass"),
        ("create.latency [wait_for_file]", "pass"),
        ("roundtrip.repeatable [wait_for_file]", "pass"),
        ("roundtrip.forward-only [wait_for_file]", "pass"),
        ("roundtrip.garbage-meta [wait_for_file]", "pass"),
        ("outcome.outputs [wait_for_file]", "pass"),
        ("outcome.failure-message [wait_for_file]", "skip"),
        ("delete.running [wait_for_file]", "skip"),
        ("delete.idempotent [wait_for_file]", "pass"),
    ]
    .into_iter()
    .map(|(k, s)| (k.to_string(), s))
    .collect();
    let webhook_want: BTreeMap<String, &str> = [
        ("serving.health", "pass"),
        ("serving.discovery", "pass"),
        ("serving.get-agent", "pass"),
        ("serving.unknown-type", "pass"),
        ("create.accepted [notify]", "pass"),
        ("create.latency [notify]", "pass"),
        ("roundtrip.repeatable [notify]", "skip"),
        ("roundtrip.forward-only [notify]", "skip"),
        ("roundtrip.garbage-meta [notify]", "skip"),
        ("outcome.outputs [notify]", "pass"),
        ("outcome.failure-message [notify]", "skip"),
        ("delete.running [notify]", "skip"),
        ("delete.idempotent [notify]", "skip"),
    ]
    .into_iter()
    .map(|(k, s)| (k.to_string(), s))
    .collect();

    let mut problems = Vec::new();
    for (who, addr) in [("flytekit", &flytekit.addr), ("agentctl serve", &ours.addr)] {
        let runs = [
            (
                &sensor_want,
                check(&["--endpoint", addr, sensor, "--path", flag.to_str().unwrap()]),
            ),
            (
                &webhook_want,
                check(&[
                    "--endpoint",
                    addr,
                    &notify,
                    "--base",
                    &hook.base,
                    "--item-id",
                    "5",
                ]),
            ),
        ];
        for (want, c) in &runs {
            if c.code != Some(0) || c.statuses() != **want {
                problems.push(format!("{who}: exit {:?}\n{}", c.code, listing(c)));
            }
        }
        let notify = runs[1].1.of(Some("notify"));
        if !notify
            .get("create.accepted")
            .is_some_and(|r| r.evidence.contains("ExecuteTaskSync answered SUCCEEDED"))
        {
            problems.push(format!("{who}: the webhook did not succeed"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
}
