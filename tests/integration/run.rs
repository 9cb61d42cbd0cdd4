//! `agentctl run` and the low-level verbs against a real flytekit 1.16.31 connector server
//! (`pyflyte serve connector`'s own code) with the test connectors of tests/python.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use agentctl::pb::core;
use prost::Message;

use crate::util::{FlytekitServer, Run, pyfixture, std_agentctl};

fn t(name: &str) -> String {
    pyfixture(&format!("{name}.template.json"))
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn async_success_failure_and_sync() {
    let server = FlytekitServer::start();
    let prefix = tempfile::tempdir().unwrap();

    // success, JSON document
    let v = Run::new(["run", &t("success"), "--x", "21", "--name", "bob"])
        .args(["--endpoint", &server.addr, "-o", "json", "--output-prefix"])
        .arg(prefix.path())
        .run()
        .json();
    assert_eq!(v["phase"], "SUCCEEDED");
    assert_eq!(
        v["outputs"],
        serde_json::json!({"y": 42, "greeting": "hello bob"})
    );
    assert_eq!(
        v["outputs_literal"]["literals"]["y"]["scalar"]["primitive"]["integer"],
        "42"
    );
    assert_eq!(v["attempts"], 1);
    assert_eq!(v["custom_info"], serde_json::json!({"k": [1.0, "a"]}));
    assert!(
        v["log_links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "console"),
        "{v}"
    );
    assert!(v["duration_seconds"].as_f64().unwrap() > 0.0);
    assert!(!v["resource_meta"].as_str().unwrap().is_empty());
    // like propeller, inline outputs are written to <output_prefix>/outputs.pb
    let written = core::LiteralMap::decode(
        std::fs::read(prefix.path().join("outputs.pb"))
            .unwrap()
            .as_slice(),
    )
    .unwrap();
    assert_eq!(written.literals.len(), 2);

    // success, for people: outputs on stdout, progress lines on stderr
    Run::new(["run", &t("success"), "--x", "2", "--name", "amy"])
        .args(["--endpoint", &server.addr])
        .stdout_is("greeting: hello amy\ny: 4\n")
        .stderr_contains("RUNNING: working")
        .stderr_contains("SUCCEEDED")
        .stderr_contains("log console: http://127.0.0.1/log/")
        .run();

    // failure: the agent's message and exit 1
    Run::new(["run", &t("fail"), "--endpoint", &server.addr])
        .expect_code(1)
        .stderr_contains("FAILED: boom: the job failed")
        .run();

    // the sync path: ExecuteTaskSync echoes the inputs back as outputs
    let v = Run::new(["run", &t("echo"), "--endpoint", &server.addr, "-o", "json"])
        .args([
            "--i", "7", "--s", "hi", "--f", "1.5", "--l", "[1, 2]", "--b",
        ])
        .run()
        .json();
    assert_eq!(v["phase"], "SUCCEEDED");
    assert_eq!(v["outputs"]["i"], 7);
    assert_eq!(v["outputs"]["s"], "hi");
    assert_eq!(v["outputs"]["l"], serde_json::json!([1, 2]));
    assert_eq!(v["outputs"]["b"], true);
    assert_eq!(v["polls"], 0, "a sync agent is never polled");
}

#[test]
fn retryable_failures_consume_retries() {
    let server = FlytekitServer::start();
    // the template says retries: 2 and the connector fails once
    let v = Run::new([
        "run",
        &t("retryable"),
        "--endpoint",
        &server.addr,
        "-o",
        "json",
    ])
    .run()
    .json();
    assert_eq!(v["attempts"], 2);
    let creates = server.records("creates.jsonl");
    let attempts: Vec<_> = creates.iter().map(|c| c["retry_attempt"].clone()).collect();
    assert_eq!(
        attempts,
        vec![serde_json::json!(0), serde_json::json!(1)],
        "{creates:?}"
    );

    // --retries 0 overrides the template: the first retryable failure is final
    let server = FlytekitServer::start();
    Run::new(["run", &t("retryable"), "--endpoint", &server.addr])
        .args(["--retries", "0"])
        .expect_code(1)
        .stderr_contains("RETRYABLE_FAILED")
        .run();
}

#[test]
fn create_errors_and_an_unreachable_agent_are_exit_3() {
    let server = FlytekitServer::start();
    Run::new(["run", &t("create_error"), "--endpoint", &server.addr])
        .expect_code(3)
        .stderr_contains(format!("CreateTask to {} failed", server.addr))
        .stderr_contains("Internal")
        .run();

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    Run::new(["run", &t("fail"), "--endpoint", &closed])
        .expect_code(3)
        .stderr_contains(&closed)
        .stderr_contains("Unavailable")
        .run();
}

/// Starts `agentctl run` on the never-ending connector and waits until the job exists.
fn start_forever(
    server: &FlytekitServer,
    extra: &[&str],
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut child = std_agentctl()
        .args(["run", &t("forever"), "--endpoint", &server.addr])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the job never started");
        if line.contains("RUNNING") {
            break;
        }
    }
    (child, rx)
}

fn signal(child: &std::process::Child, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn ctrl_c_and_sigterm_delete_the_job() {
    let server = FlytekitServer::start();
    for (sig, n) in [("-INT", 1), ("-TERM", 2)] {
        let (mut child, rx) = start_forever(&server, &[]);
        signal(&child, sig);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{sig}");
        let rest: Vec<String> =
            std::iter::from_fn(|| rx.recv_timeout(Duration::from_secs(5)).ok()).collect();
        assert!(
            rest.iter().any(|l| l.contains("the job was deleted")),
            "{rest:?}"
        );
        let deletes = server.wait_records("deletes.jsonl", n, Duration::from_secs(5));
        assert_eq!(
            deletes.len(),
            n,
            "{sig}: DeleteTask was not seen by the agent"
        );
        assert_eq!(
            deletes[n - 1]["resource_meta"]["task_type"],
            "agentctl_test_forever"
        );
    }
}

#[test]
fn timeouts_delete_the_job_and_exit_124() {
    let server = FlytekitServer::start();
    Run::new(["run", &t("forever"), "--endpoint", &server.addr])
        .args(["--timeout", "1s"])
        .expect_code(124)
        .stderr_contains("timed out after 1s")
        .run();
    assert_eq!(
        server
            .wait_records("deletes.jsonl", 1, Duration::from_secs(5))
            .len(),
        1
    );

    // metadata.timeout bounds each attempt; each expired attempt is deleted, then retried
    let mut template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t("forever")).unwrap()).unwrap();
    template["metadata"]["timeout"] = "0.5s".into();
    template["metadata"]["retries"] = serde_json::json!({"retries": 1});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forever-timeout.json");
    std::fs::write(&path, template.to_string()).unwrap();
    let v = Run::new(["run"])
        .arg(&path)
        .args(["--endpoint", &server.addr, "-o", "json"])
        .expect_code(124)
        .run()
        .json();
    assert_eq!(v["attempts"], 2);
    assert_eq!(
        server
            .wait_records("deletes.jsonl", 3, Duration::from_secs(5))
            .len(),
        3
    );
}

#[test]
fn create_get_delete_by_handle() {
    let server = FlytekitServer::start();
    let created = Run::new(["create", &t("forever"), "--endpoint", &server.addr]).run();
    let handle = created.json();
    assert_eq!(handle["endpoint"], server.addr.as_str());
    assert_eq!(handle["task_type"], "agentctl_test_forever");
    assert_eq!(handle["task_version"], 0);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("handle.json");
    std::fs::write(&file, &created.stdout).unwrap();
    let v = Run::new(["get"])
        .arg(&file)
        .args(["-o", "json"])
        .run()
        .json();
    assert_eq!(v["phase"], "RUNNING");

    // from stdin, as a script pipes it
    Run::new(["delete", "-"])
        .stdin(std::fs::read(&file).unwrap())
        .run();
    let deletes = server.wait_records("deletes.jsonl", 1, Duration::from_secs(5));
    assert_eq!(deletes.len(), 1);

    // and with the parts given as flags
    Run::new(["delete", "--endpoint", &server.addr])
        .args(["--task-type", "agentctl_test_forever", "--resource-meta"])
        .arg(handle["resource_meta"].as_str().unwrap())
        .run();
    assert_eq!(
        server
            .wait_records("deletes.jsonl", 2, Duration::from_secs(5))
            .len(),
        2
    );
}
