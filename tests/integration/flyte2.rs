//! agentctl against the Flyte 2 SDK's real connector server, `c0` (flyte[connector] 2.12.1,
//! flyteidl2 2.0.51), serving the test connectors of tests/python2, with task specs the SDK
//! itself serialized (target/pyfixtures2, from tests/python2/gen_fixtures2.py).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::Duration;

use agentctl::pb::v2;
use prost::Message;
use serde_json::{Value, json};

use crate::util::{
    agentctl, assert_failed, pyfixture2, python2, read, records_in, repo, stderr_of, stdout_of,
    wait_records_in,
};

/// The variable secret.pb's `custom.secrets` names for the connector's `api_key`.
const SECRET_ENV: &str = "AGENTCTL2_TEST_API_KEY";
/// A value to look for in every output: it must never be printed.
const SECRET: &str = "agentctl2-Sup3r-s3cret-value-7f3a";

/// The launcher's `listening on` line comes in about 0.4 s; this bound is for a loaded machine.
const START_WITHIN: Duration = Duration::from_secs(30);

/// `tests/python2/launch_c0.py`: c0's own server code with the test connectors, bound to
/// 127.0.0.1 on a port the OS picks, with its own `AGENTCTL_TEST_STATE_DIR`. Killed on drop;
/// its stdin stays open while it lives, so it also ends if the test binary dies.
pub(crate) struct C0 {
    child: Child,
    pub addr: String,
    pub state: tempfile::TempDir,
}

impl C0 {
    #[track_caller]
    pub fn start() -> Self {
        let state = tempfile::tempdir().unwrap();
        // c0's banner, connector table and logs, for the message when it does not start
        let log_path = state.path().join("c0.stderr");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut child = StdCommand::new(python2())
            .arg(repo().join("tests/python2/launch_c0.py"))
            .args([
                "--modules",
                "test_connectors2",
                "--exit-on-stdin-eof",
                "--prometheus-port",
                "-1",
            ])
            .current_dir(repo().join("tests/python2"))
            .env("AGENTCTL_TEST_STATE_DIR", state.path())
            .env("DO_NOT_TRACK", "1")
            .env_remove(SECRET_ENV)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start the Flyte 2 connector server (tests/python2/launch_c0.py)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.trim().to_string());
                }
            }
        });
        // an early exit closes stdout, which ends the wait at once
        let addr = match rx.recv_timeout(START_WITHIN) {
            Ok(a) => a,
            Err(e) => {
                let _ = child.kill();
                let status = child.wait();
                panic!(
                    "c0 did not start within {START_WITHIN:?} ({e}; {status:?}):\n{}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
        };
        assert!(
            addr.starts_with("127.0.0.1:"),
            "c0 must bind loopback only, got {addr}"
        );
        C0 { child, addr, state }
    }

    /// JSON lines the test connectors recorded (`creates.jsonl`, `gets.jsonl`, `deletes.jsonl`).
    pub fn records(&self, file: &str) -> Vec<Value> {
        records_in(self.state.path(), file)
    }

    /// Waits until `file` has at least `n` records, for effects that land after a reply.
    pub fn wait_records(&self, file: &str, n: usize, within: Duration) -> Vec<Value> {
        wait_records_in(self.state.path(), file, n, within)
    }
}

impl Drop for C0 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn f2(name: &str) -> String {
    pyfixture2(name).to_str().unwrap().to_string()
}

#[track_caller]
fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout_of(out),
            stderr_of(out)
        )
    })
}

#[track_caller]
fn assert_ok(out: &std::process::Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(out));
}

/// The method of each call a run's JSON document lists, in order.
fn methods(v: &Value) -> Vec<String> {
    v["calls"]
        .as_array()
        .unwrap_or_else(|| panic!("no calls list: {v}"))
        .iter()
        .map(|c| c["method"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[track_caller]
fn assert_no_secret(out: &std::process::Output) {
    for (stream, text) in [("stdout", stdout_of(out)), ("stderr", stderr_of(out))] {
        assert!(
            !text.contains(SECRET),
            "the secret's value is on {stream}:\n{text}"
        );
    }
}

/// A file's (or a printed) `flyteidl2.task.Inputs` by name. A Flyte 1 `LiteralMap` has the same
/// encoding, so either reads.
fn named_literals(bytes: &[u8]) -> BTreeMap<String, v2::core::Literal> {
    v2::task::Inputs::decode(bytes)
        .unwrap()
        .literals
        .into_iter()
        .map(|l| (l.name, l.value.unwrap_or_default()))
        .collect()
}

static NULL: Value = Value::Null;

/// One literal of a printed input or output map: Flyte 1's map form or Flyte 2's list form.
fn literal_json<'a>(v: &'a Value, name: &str) -> &'a Value {
    match &v["literals"] {
        Value::Array(list) => list
            .iter()
            .find(|l| l["name"] == name)
            .map(|l| &l["value"])
            .unwrap_or(&NULL),
        map => &map[name],
    }
}

#[test]
fn run_sends_the_specs_defaults_and_reports_the_v2_wire() {
    let c0 = C0::start();

    // for people: outputs on stdout; `name` comes from TaskSpec.default_inputs
    let out = agentctl()
        .args([
            "run",
            &f2("success.pb"),
            "--endpoint",
            &c0.addr,
            "--x",
            "21",
        ])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(stdout_of(&out), "greeting: hello world\ny: 42\n");
    let err = stderr_of(&out);
    assert!(
        err.contains("RUNNING: working") && err.contains("SUCCEEDED: done"),
        "{err}"
    );
    assert!(err.contains("log console: http://127.0.0.1/log/"), "{err}");
    // c0 applies no defaults: the client sent `name`
    let creates = c0.records("creates.jsonl");
    assert_eq!(creates.len(), 1, "{creates:?}");
    assert_eq!(creates[0]["task_type"], "agentctl2_success");
    assert_eq!(creates[0]["inputs"], json!({"x": 21, "name": "world"}));
    assert_eq!(
        creates[0]["inputs_received"],
        json!({"x": true, "name": true})
    );

    // for scripts: a flag overrides the default
    let prefix = tempfile::tempdir().unwrap();
    let out = agentctl()
        .args(["run", &f2("success.pb"), "--endpoint", &c0.addr])
        .args([
            "--x",
            "21",
            "--name",
            "bob",
            "-o",
            "json",
            "--output-prefix",
        ])
        .arg(prefix.path())
        .output()
        .unwrap();
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(v["wire"], "v2", "{v}");
    let reason = v["wire_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("health"), "{reason}");
    assert_eq!(v["phase"], "SUCCEEDED");
    assert_eq!(v["message"], "done");
    assert_eq!(v["outputs"], json!({"y": 42, "greeting": "hello bob"}));
    assert_eq!(v["attempts"], 1);
    assert_eq!(v["custom_info"], json!({"k": [1.0, "a"]}));
    assert!(
        v["log_links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "console" && l["linkType"] == "DASHBOARD" && l["ready"] == true),
        "{v}"
    );
    let methods = methods(&v);
    let count = |m: &str| methods.iter().filter(|x| *x == m).count();
    assert_eq!(count("CreateTask"), 1, "{methods:?}");
    assert!(
        count("GetTask") >= 2,
        "success answers RUNNING first: {methods:?}"
    );
    assert_eq!(count("DeleteTask"), 0, "{methods:?}");
    assert!(
        methods.iter().position(|m| m == "CreateTask")
            < methods.iter().position(|m| m == "GetTask"),
        "{methods:?}"
    );
    for call in v["calls"].as_array().unwrap() {
        assert_eq!(call["target"], c0.addr.as_str(), "{call}");
    }
    // like propeller, inline outputs are written to <output_prefix>/outputs.pb
    let written = named_literals(&read(&prefix.path().join("outputs.pb")));
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        ["greeting", "y"],
        "{written:?}"
    );

    // the SDK's own flyteidl2.task.Inputs as the inputs file
    let out = agentctl()
        .args(["run", &f2("success.pb"), "--endpoint", &c0.addr])
        .args(["--inputs", &f2("flyte_inputs.pb")])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(stdout_of(&out), "greeting: hello flyte\ny: 42\n");
}

#[test]
fn the_wire_flag_and_verbose_output_name_flyte_2() {
    let c0 = C0::start();

    // Flyte 1 asked of a Flyte 2 server: a usage error, nothing created
    for how in ["flag", "env"] {
        let mut cmd = agentctl();
        cmd.args(["run", &f2("success.pb"), "--endpoint", &c0.addr, "--x", "1"]);
        if how == "flag" {
            cmd.args(["--wire", "v1"]);
        } else {
            cmd.env("AGENTCTL_WIRE", "v1");
        }
        let out = cmd.output().unwrap();
        assert_failed(&out, 2, &["Flyte 2"]);
        assert_eq!(stdout_of(&out), "", "{how}");
    }
    assert!(
        c0.records("creates.jsonl").is_empty(),
        "{:?}",
        c0.records("creates.jsonl")
    );

    // auto (the default) detects it; -v says which generation was spoken and lists each call
    let out = agentctl()
        .args([
            "-v",
            "run",
            &f2("success.pb"),
            "--endpoint",
            &c0.addr,
            "--x",
            "1",
        ])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(stdout_of(&out), "greeting: hello world\ny: 2\n");
    let err = stderr_of(&out);
    assert!(err.contains("agentctl: spoke Flyte 2"), "{err}");
    let calls: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("agentctl: call "))
        .collect();
    for method in ["CreateTask", "GetTask"] {
        assert!(
            calls
                .iter()
                .any(|l| l.contains(&c0.addr) && l.contains(method)),
            "no {method} line:\n{err}"
        );
    }

    // without -v, none of that
    let out = agentctl()
        .args(["run", &f2("success.pb"), "--endpoint", &c0.addr, "--x", "1"])
        .output()
        .unwrap();
    assert_ok(&out);
    let err = stderr_of(&out);
    assert!(
        !err.contains("agentctl: call ") && !err.contains("agentctl: spoke"),
        "{err}"
    );

    // and --wire v2 is taken as said
    let out = agentctl()
        .args(["run", &f2("success.pb"), "--endpoint", &c0.addr, "--x", "1"])
        .args(["--wire", "v2", "-o", "json"])
        .output()
        .unwrap();
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(v["wire"], "v2");
    assert_eq!(v["outputs"]["y"], 2);
    let reason = v["wire_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("--wire"), "{reason}");
}

#[test]
fn failures_are_exit_1_and_create_errors_exit_3() {
    let c0 = C0::start();

    let out = agentctl()
        .args(["run", &f2("fail.pb"), "--endpoint", &c0.addr])
        .output()
        .unwrap();
    assert_failed(&out, 1, &["FAILED: boom: the job failed"]);

    let out = agentctl()
        .args(["run", &f2("fail.pb"), "--endpoint", &c0.addr, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let v = json_of(&out);
    assert_eq!(v["phase"], "FAILED");
    assert_eq!(v["message"], "boom: the job failed");
    assert_eq!(v["wire"], "v2");

    let out = agentctl()
        .args(["run", &f2("create_error.pb"), "--endpoint", &c0.addr])
        .output()
        .unwrap();
    let failed = format!("CreateTask to {} failed", c0.addr);
    assert_failed(&out, 3, &[failed.as_str(), "Internal", "create exploded"]);
}

#[test]
fn retryable_failures_consume_the_specs_retries() {
    // retryable.pb says retries: 2, and the connector fails the first attempt
    let c0 = C0::start();
    let out = agentctl()
        .args([
            "run",
            &f2("retryable.pb"),
            "--endpoint",
            &c0.addr,
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(v["phase"], "SUCCEEDED");
    assert_eq!(v["attempts"], 2);
    assert_eq!(v["message"], "succeeded after 1 failure(s)");
    let err = stderr_of(&out);
    assert!(
        err.contains("RETRYABLE_FAILED: flaky") && err.contains("retrying"),
        "{err}"
    );
    let creates = c0.records("creates.jsonl");
    let seen: Vec<(Value, Value)> = creates
        .iter()
        .map(|c| (c["retry_attempt"].clone(), c["will_fail"].clone()))
        .collect();
    assert_eq!(
        seen,
        vec![(json!(0), json!(true)), (json!(1), json!(false))],
        "{creates:?}"
    );

    // --retries 0 overrides the spec: the first retryable failure is final
    let c0 = C0::start();
    let out = agentctl()
        .args(["run", &f2("retryable.pb"), "--endpoint", &c0.addr])
        .args(["--retries", "0"])
        .output()
        .unwrap();
    assert_failed(&out, 1, &["RETRYABLE_FAILED"]);
    assert_eq!(c0.records("creates.jsonl").len(), 1);
}

#[test]
fn secrets_come_from_the_environment_and_are_never_shown() {
    let c0 = C0::start();

    // the variable is unset: a usage error before anything is created
    let out = agentctl()
        .env_remove(SECRET_ENV)
        .args(["run", &f2("secret.pb"), "--endpoint", &c0.addr])
        .output()
        .unwrap();
    assert_failed(&out, 2, &[SECRET_ENV]);
    // set but empty is no secret either
    let out = agentctl()
        .env(SECRET_ENV, "")
        .args(["run", &f2("secret.pb"), "--endpoint", &c0.addr])
        .output()
        .unwrap();
    assert_failed(&out, 2, &[SECRET_ENV, "not set or empty"]);
    assert!(
        c0.records("creates.jsonl").is_empty(),
        "{:?}",
        c0.records("creates.jsonl")
    );

    // set: the connector gets api_key at create and at get; only its length comes back
    let out = agentctl()
        .env(SECRET_ENV, SECRET)
        .args([
            "-vv",
            "run",
            &f2("secret.pb"),
            "--endpoint",
            &c0.addr,
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_no_secret(&out);
    let v = json_of(&out);
    assert_eq!(v["phase"], "SUCCEEDED", "{v}");
    assert_eq!(v["outputs"]["key_len"], json!(SECRET.len()));
    let creates = c0.records("creates.jsonl");
    assert_eq!(creates.len(), 1, "{creates:?}");
    assert_eq!(creates[0]["connection_keys"], json!(["api_key"]));
    let gets = c0.records("gets.jsonl");
    assert!(!gets.is_empty());
    assert!(gets.iter().all(|g| g["has_api_key"] == true), "{gets:?}");

    // --secret names another variable
    let out = agentctl()
        .env_remove(SECRET_ENV)
        .env("AGENTCTL2_OTHER_KEY", "other-key-value")
        .args(["run", &f2("secret.pb"), "--endpoint", &c0.addr])
        .args(["--secret", "api_key=AGENTCTL2_OTHER_KEY"])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(stdout_of(&out), "key_len: 15\n");

    // a handle names the variable, never the value
    let out = agentctl()
        .env(SECRET_ENV, SECRET)
        .args(["-vv", "create", &f2("secret.pb"), "--endpoint", &c0.addr])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_no_secret(&out);
    let handle = json_of(&out);
    assert_eq!(handle["wire"], "v2");
    assert_eq!(handle["task_type"], "agentctl2_secret");
    assert_eq!(
        handle["connection"]["secret_env"],
        json!({"api_key": SECRET_ENV}),
        "{handle}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("handle.json");
    std::fs::write(&file, &out.stdout).unwrap();

    // so get reads it again, and fails as usage without it
    let out = agentctl()
        .env_remove(SECRET_ENV)
        .arg("get")
        .arg(&file)
        .output()
        .unwrap();
    assert_failed(&out, 2, &[SECRET_ENV]);
    let out = agentctl()
        .env(SECRET_ENV, SECRET)
        .args(["-vv", "get"])
        .arg(&file)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_no_secret(&out);
    let v = json_of(&out);
    assert_eq!(v["phase"], "SUCCEEDED", "{v}");
    assert_eq!(v["outputs"]["key_len"], json!(SECRET.len()));

    let out = agentctl()
        .env(SECRET_ENV, SECRET)
        .args(["-vv", "delete"])
        .arg(&file)
        .output()
        .unwrap();
    assert_ok(&out);
    assert_no_secret(&out);
    let deletes = c0.wait_records("deletes.jsonl", 1, Duration::from_secs(5));
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!(deletes[0]["connection_keys"], json!(["api_key"]));
    assert_eq!(deletes[0]["resource_meta"]["task_type"], "agentctl2_secret");
}

#[test]
fn a_timeout_deletes_the_job_and_exits_124() {
    let c0 = C0::start();
    let out = agentctl()
        .args(["run", &f2("forever.pb"), "--endpoint", &c0.addr])
        .args(["--timeout", "2s"])
        .output()
        .unwrap();
    assert_failed(&out, 124, &["timed out after 2s"]);
    assert_eq!(c0.records("creates.jsonl").len(), 1);
    let deletes = c0.wait_records("deletes.jsonl", 1, Duration::from_secs(5));
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!(
        deletes[0]["resource_meta"]["task_type"],
        "agentctl2_forever"
    );
}

#[test]
fn create_get_delete_by_a_v2_handle() {
    let c0 = C0::start();
    let out = agentctl()
        .args(["create", &f2("forever.pb"), "--endpoint", &c0.addr])
        .output()
        .unwrap();
    assert_ok(&out);
    let handle = json_of(&out);
    assert_eq!(handle["wire"], "v2", "{handle}");
    assert_eq!(handle["endpoint"], c0.addr.as_str());
    assert_eq!(handle["task_type"], "agentctl2_forever");
    assert_eq!(handle["task_version"], 0);
    assert!(!handle["resource_meta"].as_str().unwrap().is_empty());
    assert_eq!(c0.records("creates.jsonl").len(), 1);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("handle.json");
    std::fs::write(&file, &out.stdout).unwrap();

    // no --wire: the handle says
    let out = agentctl()
        .arg("get")
        .arg(&file)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(v["phase"], "RUNNING", "{v}");
    assert_eq!(v["message"], "still running");
    assert_eq!(v["wire"], "v2");

    // from stdin, as a script pipes it
    let out = agentctl()
        .args(["delete", "-"])
        .write_stdin(std::fs::read(&file).unwrap())
        .output()
        .unwrap();
    assert_ok(&out);
    let deletes = c0.wait_records("deletes.jsonl", 1, Duration::from_secs(5));
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!(
        deletes[0]["resource_meta"]["task_type"],
        "agentctl2_forever"
    );
}

#[test]
fn agents_lists_c0s_connectors() {
    let c0 = C0::start();
    let out = agentctl()
        .args(["agents", "list", "--endpoint", &c0.addr, "-o", "json"])
        .output()
        .unwrap();
    assert_ok(&out);
    let v = json_of(&out);
    let deployments = v.as_array().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(deployments.len(), 1, "{v}");
    let d = &deployments[0];
    assert_eq!(d["endpoint"], c0.addr.as_str());
    assert_eq!(d["wire"], "v2");
    assert_eq!(d["health"], "SERVING");
    assert_eq!(d["error"], Value::Null);
    let agents = d["agents"].as_array().unwrap();
    for (task_type, name) in [
        ("agentctl2_success", "Agentctl2 Test Success Connector"),
        ("agentctl2_fail", "Agentctl2 Test Fail Connector"),
        ("agentctl2_retryable", "Agentctl2 Test Retryable Connector"),
        (
            "agentctl2_create_error",
            "Agentctl2 Test Create Error Connector",
        ),
        ("agentctl2_forever", "Agentctl2 Test Forever Connector"),
        ("agentctl2_secret", "Agentctl2 Test Secret Connector"),
        ("agentctl2_logs", "Agentctl2 Test Logs Connector"),
        ("agentctl2_echo", "Agentctl2 Test Echo Connector"),
        ("agentctl2_slow", "Agentctl2 Test Slow Connector"),
    ] {
        let agent = agents
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not listed: {v}"));
        assert_eq!(
            agent["task_categories"],
            json!([format!("{task_type} v0")]),
            "{agent}"
        );
        assert_eq!(agent["sync"], false, "{agent}");
    }

    let out = agentctl()
        .args(["agents", "get", "Agentctl2 Test Secret Connector"])
        .args(["--endpoint", &c0.addr, "-o", "json"])
        .output()
        .unwrap();
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(v[0]["wire"], "v2");
    let agents = v[0]["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 1, "{v}");
    assert_eq!(agents[0]["name"], "Agentctl2 Test Secret Connector");
    assert_eq!(agents[0]["task_categories"], json!(["agentctl2_secret v0"]));

    let out = agentctl()
        .args(["agents", "get", "Agentctl2 Test Secret Connector"])
        .args(["--endpoint", &c0.addr])
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(
        stdout_of(&out).contains("agentctl2_secret v0"),
        "{}",
        stdout_of(&out)
    );

    let out = agentctl()
        .args(["agents", "get", "Agentctl2 Test Nope Connector"])
        .args(["--endpoint", &c0.addr])
        .output()
        .unwrap();
    assert_failed(&out, 2, &["Agentctl2 Test Nope Connector"]);
}

/// A describe document without what differs by form: the form's name, the example command (it
/// names the file), and whether inputs are required or defaulted (a bare template carries no defaults).
fn same_task(mut d: Value) -> Value {
    let o = d.as_object_mut().unwrap();
    o.remove("form");
    o.remove("example");
    if let Some(inputs) = o.get_mut("inputs").and_then(|i| i.as_object_mut()) {
        for input in inputs.values_mut() {
            let input = input.as_object_mut().unwrap();
            input.remove("required");
            input.remove("default");
        }
    }
    d
}

#[test]
fn every_fixture_form_is_the_same_template() {
    // the SDK's own JSON of the template (MessageToDict)
    let sdk: Value = serde_json::from_slice(&read(&pyfixture2("success.template.json"))).unwrap();
    let keys = |side: &str| -> Vec<String> {
        sdk["interface"][side]["variables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys("inputs"), ["name", "x"]);
    assert_eq!(keys("outputs"), ["greeting", "y"]);

    let forms = [
        ("success.pb", "binary flyteidl2.task.TaskSpec"),
        ("success.json", "JSON flyteidl2.task.TaskSpec"),
        ("success.template.json", "JSON flyteidl2.core.TaskTemplate"),
        ("success.template.pb", "TaskTemplate"),
    ];
    for (file, _) in forms {
        // flyteidl2 JSON: variables as lists, in the interface's order, nothing lost
        let out = agentctl().args(["template", &f2(file)]).output().unwrap();
        assert_ok(&out);
        assert_eq!(json_of(&out), sdk, "{file}");
        // and binary: the template's own bytes
        let out = agentctl()
            .args(["template", &f2(file), "-o", "pb"])
            .output()
            .unwrap();
        assert_ok(&out);
        assert!(
            out.stdout == read(&pyfixture2("success.template.pb")),
            "{file}: `template -o pb` differs from the SDK's success.template.pb"
        );
    }

    let describe = |file: &str| -> Value {
        let out = agentctl()
            .args(["describe", &f2(file), "-o", "json"])
            .output()
            .unwrap();
        assert_ok(&out);
        json_of(&out)
    };
    let spec = describe("success.pb");
    assert_eq!(spec["form"], "binary flyteidl2.task.TaskSpec");
    assert_eq!(spec["name"], "success");
    assert_eq!(spec["type"], "agentctl2_success");
    assert_eq!(spec["version"], 0);
    assert_eq!(spec["id"]["version"], "serialized");
    assert_eq!(spec["retries"], 0);
    assert_eq!(spec["inputs"]["x"]["type"], "integer");
    assert_eq!(spec["inputs"]["name"]["type"], "string");
    assert_eq!(spec["outputs"]["y"]["type"], "integer");
    assert_eq!(spec["outputs"]["greeting"]["type"], "string");
    assert_eq!(spec["inputs"]["x"]["required"], true, "{spec}");
    // `name` has a default in TaskSpec.default_inputs, so `run` does not need it
    assert_eq!(spec["inputs"]["name"]["required"], false, "{spec}");
    let example = spec["example"].as_str().unwrap();
    assert!(
        example.contains("--x") && !example.contains("--name"),
        "{example}"
    );

    for (file, form) in &forms[1..] {
        let d = describe(file);
        let got = d["form"].as_str().unwrap_or_default();
        assert!(got.contains(form), "{file}: form {got:?}");
        assert_eq!(same_task(d), same_task(spec.clone()), "{file}");
    }
    // the JSON spec has the defaults too
    assert_eq!(
        describe("success.json")["inputs"],
        spec["inputs"],
        "success.json"
    );
}

#[test]
fn inputs_reads_flyteidl2_inputs_files() {
    let sdk = named_literals(&read(&pyfixture2("flyte_inputs.pb")));
    assert_eq!(sdk.keys().collect::<Vec<_>>(), ["name", "x"]);
    for file in ["flyte_inputs.pb", "flyte_inputs.json"] {
        let out = agentctl()
            .args([
                "inputs",
                &f2("success.pb"),
                "--inputs",
                &f2(file),
                "-o",
                "pb",
            ])
            .output()
            .unwrap();
        assert_ok(&out);
        assert_eq!(named_literals(&out.stdout), sdk, "{file}");

        let out = agentctl()
            .args(["inputs", &f2("success.pb"), "--inputs", &f2(file)])
            .output()
            .unwrap();
        assert_ok(&out);
        let v = json_of(&out);
        assert_eq!(
            literal_json(&v, "x")["scalar"]["primitive"]["integer"],
            "21",
            "{file}: {v}"
        );
        assert_eq!(
            literal_json(&v, "name")["scalar"]["primitive"]["stringValue"],
            "flyte",
            "{file}: {v}"
        );
    }

    // flags override the file
    let out = agentctl()
        .args([
            "inputs",
            &f2("success.pb"),
            "--inputs",
            &f2("flyte_inputs.json"),
        ])
        .args(["--x", "5"])
        .output()
        .unwrap();
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(
        literal_json(&v, "x")["scalar"]["primitive"]["integer"],
        "5",
        "{v}"
    );
    assert_eq!(
        literal_json(&v, "name")["scalar"]["primitive"]["stringValue"],
        "flyte",
        "{v}"
    );

    // without the file, the spec's default fills `name`
    let out = agentctl()
        .args(["inputs", &f2("success.pb"), "--x", "3"])
        .output()
        .unwrap();
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(
        literal_json(&v, "name")["scalar"]["primitive"]["stringValue"],
        "world",
        "{v}"
    );

    // every type the SDK writes (datetime, duration, collections, a msgpack dataclass, a union
    // of none), from binary and from JSON, unchanged
    let sdk = named_literals(&read(&pyfixture2("all_types.inputs.pb")));
    assert_eq!(sdk.len(), 10, "{sdk:?}");
    for file in ["all_types.inputs.pb", "all_types.inputs.json"] {
        let out = agentctl()
            .args([
                "inputs",
                &f2("all_types.pb"),
                "--inputs",
                &f2(file),
                "-o",
                "pb",
            ])
            .output()
            .unwrap();
        assert_ok(&out);
        assert_eq!(named_literals(&out.stdout), sdk, "{file}");
    }
}

#[test]
fn every_sdk_type_reaches_the_connector_as_its_native_value() {
    let c0 = C0::start();
    let out = agentctl()
        .args(["run", &f2("all_types.pb"), "--endpoint", &c0.addr])
        .args(["--inputs", &f2("all_types.inputs.pb"), "-o", "json"])
        .output()
        .unwrap();
    assert_ok(&out);
    let v = json_of(&out);
    assert_eq!(v["phase"], "SUCCEEDED", "{v}");
    let received: Value = serde_json::from_str(
        v["outputs"]["received"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}")),
    )
    .unwrap();
    assert_eq!(
        received["types"],
        json!({
            "b": "bool", "dsi": "dict", "dt": "datetime", "f": "float", "i": "int",
            "li": "list", "maybe_i": "NoneType", "point": "Point", "s": "str",
            "td": "timedelta"
        }),
        "{received}"
    );
    assert_eq!(
        received["inputs"],
        json!({
            "b": true,
            "dsi": {"a": 1, "b": 2},
            "dt": "2024-01-02T03:04:05+00:00",
            "f": 2.5,
            "i": 7,
            "li": [1, 2, 3],
            "maybe_i": null,
            "point": {"label": "p", "tags": ["t1", "t2"], "x": 1, "y": 2.0},
            "s": "hello",
            "td": 90.5
        }),
        "{received}"
    );
}

#[test]
fn agents_with_the_wrong_wire_names_what_the_server_speaks() {
    let c0 = C0::start();
    let out = agentctl()
        .args(["agents", "list", "--endpoint", &c0.addr, "--wire", "v1"])
        .output()
        .unwrap();
    assert_failed(&out, 2, &["--wire v1", "speaks Flyte 2", "--wire v2"]);
}

#[test]
fn the_same_inputs_encode_to_the_same_bytes() {
    let run = || {
        agentctl()
            .args([
                "inputs",
                &f2("all_types.pb"),
                "--inputs",
                &f2("all_types.inputs.pb"),
                "-o",
                "pb",
            ])
            .output()
            .unwrap()
    };
    let first = run();
    assert_ok(&first);
    for _ in 0..4 {
        assert_eq!(run().stdout, first.stdout, "-o pb changed between runs");
    }
}
