//! The built-in Databricks agent against a local fake of the Jobs API 2.1, with templates
//! written by flytekitplugins-spark 1.16.31 (`spark` and `databricks` task types) and
//! flyteplugins-databricks 2.12.1: the exact runs/submit body, runs/get polling, the states
//! (SUCCESS, FAILED with the task's error and trace from runs/get-output, INTERNAL_ERROR
//! retried), runs/cancel on Ctrl-C and on --timeout, the token (never printed, never in
//! resource_meta), and the requests of flytekitplugins-spark's own connector, run behind
//! flytekit's server against the same fake.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::serve::Serve;
use crate::util::{
    FlytekitServer, HttpServer, Received, assert_failed, pyfixture, pyfixture2, pyfixtures,
    stderr_of, stdout_of,
};

/// The personal access token the fake accepts.
const TOKEN: &str = "dapi-agentctl-test-token-0123456789";
const INSTANCE: &str = "dbc-agentctl.cloud.databricks.com";
const JOB_ID: u64 = 77;
const FIRST_RUN: u64 = 1_000;
const ERROR: &str = "ZeroDivisionError: division by zero";

/// How the fake's runs end.
#[derive(Clone, Copy, PartialEq)]
enum Ending {
    Success,
    /// TERMINATED with result FAILED: the user's code failed.
    Failed,
    /// The first run ends in life-cycle INTERNAL_ERROR; later runs succeed.
    InternalErrorOnce,
    /// Never ends.
    Never,
}

/// The Jobs API as Databricks answers it: runs/submit starts run 1000, 1001, ...; runs/get
/// answers RUNNING `gets_before_end` times per run, then as `ending` says (with the job id and
/// the failed task's own run); runs/get-output gives that task's error and trace; runs/cancel
/// answers `{}`. Every call must carry the token.
fn fake_jobs_api(gets_before_end: u32, ending: Ending) -> HttpServer {
    let submits = Arc::new(AtomicU32::new(0));
    let gets = Arc::new(Mutex::new(std::collections::HashMap::<u64, u32>::new()));
    HttpServer::start(move |r: &Received| {
        if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return (
                401,
                json!({"error_code": "UNAUTHENTICATED", "message": "Invalid access token."})
                    .to_string(),
            );
        }
        let (path, query) = r.path.split_once('?').unwrap_or((&r.path, ""));
        let run_of = |q: &str| -> u64 {
            q.strip_prefix("run_id=")
                .and_then(|id| id.parse().ok())
                .unwrap_or(0)
        };
        let answer = |v: Value| (200, v.to_string());
        match (r.method.as_str(), path) {
            ("POST", "/api/2.1/jobs/runs/submit") => {
                let n = submits.fetch_add(1, Ordering::SeqCst) as u64;
                answer(json!({"run_id": FIRST_RUN + n}))
            }
            ("GET", "/api/2.1/jobs/runs/get") => {
                let run = run_of(query);
                let n = {
                    let mut g = gets.lock().unwrap();
                    let n = g.entry(run).or_default();
                    *n += 1;
                    *n
                };
                let task_run = run + 500;
                let state = if n <= gets_before_end || ending == Ending::Never {
                    json!({"life_cycle_state": "RUNNING", "state_message": "In run"})
                } else {
                    match ending {
                        Ending::Success => {
                            json!({"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": ""})
                        }
                        Ending::Failed => json!({
                            "life_cycle_state": "TERMINATED",
                            "result_state": "FAILED",
                            "state_message": "Task flyte_task failed with message: Workload failed, see run output for details."
                        }),
                        Ending::InternalErrorOnce if run == FIRST_RUN => json!({
                            "life_cycle_state": "INTERNAL_ERROR",
                            "state_message": "Cluster 0123-abc was terminated: spot instance lost"
                        }),
                        _ => {
                            json!({"life_cycle_state": "TERMINATED", "result_state": "SUCCESS", "state_message": ""})
                        }
                    }
                };
                answer(json!({
                    "job_id": JOB_ID,
                    "run_id": run,
                    "state": state,
                    "run_page_url": format!("https://{INSTANCE}/?o=1#job/{JOB_ID}/run/{run}"),
                    "tasks": [{"run_id": task_run, "task_key": "flyte_task", "state": state}],
                }))
            }
            ("GET", "/api/2.1/jobs/runs/get-output") => answer(json!({
                "metadata": {"run_id": run_of(query)},
                "error": ERROR,
                "error_trace": format!("Traceback (most recent call last):\n  File \"entrypoint.py\", line 9, in <module>\n{ERROR}"),
            })),
            ("POST", "/api/2.1/jobs/runs/cancel") => answer(json!({})),
            _ => (
                404,
                json!({"error_code": "ENDPOINT_NOT_FOUND", "message": format!("no {} {}", r.method, r.path)})
                    .to_string(),
            ),
        }
    })
}

/// agentctl for a Databricks run: none of the machine's Databricks settings, the fake as the
/// endpoint.
fn agentctl_for(fake: &HttpServer) -> std::process::Command {
    let mut cmd = crate::util::std_agentctl();
    for var in [
        "FLYTE_DATABRICKS_ACCESS_TOKEN",
        "FLYTE_DATABRICKS_INSTANCE",
        "FLYTE_DATABRICKS_AUTH_TYPE",
        "DATABRICKS_TOKEN",
        "DATABRICKS_TOKEN_FOR_AGENTCTL",
        "AGENTCTL_ENDPOINT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AGENTCTL_DATABRICKS_ENDPOINT", &fake.base)
        // no secrets dir of the machine's
        .env("FLYTE_SECRETS_DEFAULT_DIR", "/nonexistent/agentctl-secrets");
    cmd
}

fn run(cmd: &mut std::process::Command) -> std::process::Output {
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap()
}

/// `databricks_count` (DatabricksV2, new cluster, one retry) with n=3 and the token in the
/// environment.
fn count_run(fake: &HttpServer, extra: &[&str]) -> std::process::Output {
    run(agentctl_for(fake)
        .arg("run")
        .arg(pyfixture("databricks_count.template.json"))
        .args(["--n", "3", "-o", "json"])
        .args(extra)
        .env("FLYTE_DATABRICKS_ACCESS_TOKEN", TOKEN))
}

fn seen(fake: &HttpServer) -> Vec<Received> {
    fake.seen.lock().unwrap().clone()
}

fn submits(fake: &HttpServer) -> Vec<Value> {
    seen(fake)
        .iter()
        .filter(|r| r.path == "/api/2.1/jobs/runs/submit")
        .map(Received::json)
        .collect()
}

fn resource_meta(out: &std::process::Output) -> Value {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let meta = base64::engine::general_purpose::STANDARD
        .decode(v["resource_meta"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&meta).unwrap()
}

/// The secret appears nowhere agentctl writes.
#[track_caller]
fn token_never_shown(out: &std::process::Output) {
    assert!(!stdout_of(out).contains(TOKEN), "stdout shows the token");
    assert!(!stderr_of(out).contains(TOKEN), "stderr shows the token");
}

/// Takes the random idempotency token out of a runs/submit body (a UUID).
#[track_caller]
fn idempotency_token_of(body: &mut Value) -> String {
    let t = body
        .as_object_mut()
        .and_then(|o| o.remove("idempotency_token"))
        .and_then(|t| t.as_str().map(str::to_string))
        .expect("runs/submit carries an idempotency token");
    let groups: Vec<usize> = t.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{t} is not a UUID");
    t
}

/// Checks the submitted parameters are the fixture's container args, rendered (no `{{...}}`
/// left, the inputs in the run's output prefix), and takes them out of the body.
#[track_caller]
fn take_rendered_args(body: &mut Value, fixture: &str, out: &std::process::Output) {
    let t: Value =
        serde_json::from_str(&std::fs::read_to_string(pyfixture(fixture)).unwrap()).unwrap();
    let template = t["container"]["args"].as_array().unwrap().clone();
    let sent = body["spark_python_task"]
        .as_object_mut()
        .and_then(|t| t.remove("parameters"))
        .and_then(|p| p.as_array().cloned())
        .expect("spark_python_task.parameters");
    assert_eq!(sent.len(), template.len(), "{sent:?}");
    let prefix = serde_json::from_slice::<Value>(&out.stdout).unwrap()["output_prefix"]
        .as_str()
        .unwrap()
        .to_string();
    for (s, t) in sent.iter().zip(&template) {
        let (s, t) = (s.as_str().unwrap(), t.as_str().unwrap());
        match t {
            "{{.input}}" => assert_eq!(s, format!("{prefix}/inputs.pb")),
            "{{.outputPrefix}}" => assert_eq!(s, prefix),
            t if t.contains("{{") => assert!(!s.contains("{{"), "{s} is not rendered"),
            t => assert_eq!(s, t),
        }
    }
}

#[test]
fn a_databricks_v2_task_runs_to_success() {
    let fake = fake_jobs_api(1, Ending::Success);
    let out = count_run(&fake, &[]);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}\n{}", stdout_of(&out), stderr_of(&out)));
    assert_eq!(v["phase"], "SUCCEEDED", "{}", stderr_of(&out));
    token_never_shown(&out);

    let mut body = submits(&fake).remove(0);
    idempotency_token_of(&mut body);
    take_rendered_args(&mut body, "databricks_count.template.json", &out);
    assert_eq!(
        body,
        json!({
            "run_name": "agentctl databricks",
            "new_cluster": {
                "spark_version": "13.3.x-scala2.12",
                "node_type_id": "m5.xlarge",
                "num_workers": 2.0,
                "docker_image": {"url": "ghcr.io/flyteorg/flytekit:py3.11-sqlsuite-1.16.31"},
                "spark_conf": {"spark.driver.memory": "1000M", "spark.executor.instances": "2"},
                "spark_env_vars": {"PYSPARK_PYTHON": "/usr/bin/python3", "FLYTE_FAIL_ON_ERROR": "true"},
            },
            "timeout_seconds": 3600.0,
            "max_retries": 0.0,
            "spark_python_task": {
                "python_file": "flytekitplugins/databricks/entrypoint.py",
                "source": "GIT",
            },
            "git_source": {
                "git_url": "https://github.com/flyteorg/flytetools",
                "git_provider": "gitHub",
                "git_commit": "572298df1f971fb58c258398bd70a6372f811c96",
            },
        })
    );
    // only what get and delete need: no token
    assert_eq!(
        resource_meta(&out),
        json!({"databricks_instance": INSTANCE, "run_id": "1000"})
    );
    assert_eq!(
        v["log_links"][0]["uri"],
        format!("https://{INSTANCE}/#job/{JOB_ID}/run/1000")
    );
    let gets = seen(&fake)
        .iter()
        .filter(|r| r.path == "/api/2.1/jobs/runs/get?run_id=1000" && r.method == "GET")
        .count();
    assert_eq!(gets, 2);
    assert!(
        !seen(&fake).iter().any(|r| r.path.contains("cancel")),
        "a finished run is never cancelled"
    );
}

#[test]
fn a_spark_task_on_an_existing_cluster_takes_the_instance_from_the_environment() {
    let fake = fake_jobs_api(0, Ending::Success);
    let out = run(agentctl_for(&fake)
        .arg("run")
        .arg(pyfixture("databricks_existing.template.json"))
        .args(["--name", "x", "-o", "json", "--poll-interval", "50ms"])
        .env("FLYTE_DATABRICKS_INSTANCE", "adb-42.7.azuredatabricks.net")
        .env("_FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN", TOKEN));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let mut body = submits(&fake).remove(0);
    idempotency_token_of(&mut body);
    assert_eq!(body["existing_cluster_id"], "0123-456789-abcdefgh");
    assert!(body.get("new_cluster").is_none(), "{body}");
    assert_eq!(body["run_name"], "agentctl spark");
    assert_eq!(
        resource_meta(&out)["databricks_instance"],
        "adb-42.7.azuredatabricks.net"
    );
}

#[test]
fn a_failed_run_fails_permanently_with_the_task_s_error_and_trace() {
    let fake = fake_jobs_api(0, Ending::Failed);
    let out = count_run(&fake, &[]);
    assert_failed(
        &out,
        1,
        &[
            "FAILED",
            "Workload failed, see run output for details",
            ERROR,
            "Traceback (most recent call last)",
        ],
    );
    // the error of the failed task's own run, and no retry though the template allows one
    assert!(
        seen(&fake)
            .iter()
            .any(|r| r.path == "/api/2.1/jobs/runs/get-output?run_id=1500"),
        "{:?}",
        seen(&fake)
    );
    assert_eq!(submits(&fake).len(), 1);
    token_never_shown(&out);
}

#[test]
fn an_internal_error_is_retried_under_the_template_s_retries() {
    let fake = fake_jobs_api(0, Ending::InternalErrorOnce);
    let out = count_run(&fake, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["attempts"], 2, "{v}");
    let bodies = submits(&fake);
    assert_eq!(bodies.len(), 2);
    // a new attempt is a new run: not the first one's idempotency token
    assert_ne!(
        bodies[0]["idempotency_token"],
        bodies[1]["idempotency_token"]
    );
    assert_eq!(resource_meta(&out)["run_id"], "1001");
}

#[test]
fn an_internal_error_with_no_retries_left_names_the_cluster_s_message() {
    let fake = fake_jobs_api(0, Ending::InternalErrorOnce);
    let out = count_run(&fake, &["--retries", "0"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr_of(&out).contains("spot instance lost"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_timeout_cancels_the_run() {
    let fake = fake_jobs_api(0, Ending::Never);
    let out = count_run(&fake, &["--timeout", "2s", "--poll-interval", "300ms"]);
    assert_eq!(out.status.code(), Some(124), "{}", stderr_of(&out));
    let cancel = seen(&fake)
        .into_iter()
        .find(|r| r.path == "/api/2.1/jobs/runs/cancel")
        .expect("runs/cancel");
    assert_eq!(cancel.method, "POST");
    assert_eq!(cancel.json(), json!({"run_id": 1000}));
    assert_eq!(
        cancel.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

/// Ctrl-C once the first runs/get has been answered.
fn interrupt_after_first_get(
    mut cmd: std::process::Command,
    fake: &HttpServer,
) -> std::process::Output {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !seen(fake).iter().any(|r| r.method == "GET") {
        assert!(start.elapsed() < Duration::from_secs(30), "no runs/get");
        std::thread::sleep(Duration::from_millis(10));
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    child.wait_with_output().unwrap()
}

#[test]
fn ctrl_c_cancels_the_run() {
    let fake = fake_jobs_api(0, Ending::Never);
    let mut cmd = agentctl_for(&fake);
    cmd.arg("run")
        .arg(pyfixture("databricks_count.template.json"))
        .args(["--n", "3", "-o", "json"])
        .env("FLYTE_DATABRICKS_ACCESS_TOKEN", TOKEN);
    let out = interrupt_after_first_get(cmd, &fake);
    assert_eq!(out.status.code(), Some(130), "{}", stderr_of(&out));
    assert!(
        seen(&fake)
            .iter()
            .any(|r| r.method == "POST" && r.path == "/api/2.1/jobs/runs/cancel"),
        "{:?}",
        seen(&fake)
    );
}

#[test]
fn a_missing_token_fails_before_anything_is_sent_naming_where_it_looked() {
    let fake = fake_jobs_api(0, Ending::Success);
    let out = run(agentctl_for(&fake)
        .arg("run")
        .arg(pyfixture("databricks_count.template.json"))
        .args(["--n", "3"]));
    assert_failed(
        &out,
        3,
        &[
            "no Databricks personal access token",
            "$_FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN",
            "$FLYTE_DATABRICKS_ACCESS_TOKEN",
            "/nonexistent/agentctl-secrets/flyte_databricks_access_token",
        ],
    );
    assert!(seen(&fake).is_empty(), "{:?}", seen(&fake));
}

#[test]
fn oauth_m2m_is_refused_by_name_before_anything_is_sent() {
    let fake = fake_jobs_api(0, Ending::Success);
    let out = run(agentctl_for(&fake)
        .arg("run")
        .arg(pyfixture("databricks_m2m.template.json"))
        .args(["--n", "3"])
        .env("FLYTE_DATABRICKS_ACCESS_TOKEN", TOKEN));
    let err = stderr_of(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("\"oauth_m2m\"") && err.contains("personal access token"),
        "{err}"
    );
    assert!(seen(&fake).is_empty(), "{:?}", seen(&fake));
    token_never_shown(&out);
}

#[test]
fn a_notebook_task_submits_the_notebook_with_the_user_s_git_source() {
    let fake = fake_jobs_api(0, Ending::Success);
    let out = run(agentctl_for(&fake)
        .arg("run")
        .arg(pyfixture("databricks_notebook.template.json"))
        .args(["--n", "3", "-o", "json", "--poll-interval", "50ms"])
        .env("FLYTE_DATABRICKS_ACCESS_TOKEN", TOKEN));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let body = submits(&fake).remove(0);
    assert_eq!(
        body["notebook_task"],
        json!({"notebook_path": "notebooks/count", "base_parameters": {"limit": "10"}, "source": "GIT"})
    );
    assert_eq!(
        body["git_source"]["git_url"],
        "https://github.com/example/notebooks"
    );
    assert!(body.get("spark_python_task").is_none(), "{body}");
}

#[test]
fn describe_shows_instance_cluster_and_entrypoint() {
    let fake = fake_jobs_api(0, Ending::Success);
    let out = run(agentctl_for(&fake)
        .arg("describe")
        .arg(pyfixture("databricks_count.template.json")));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    for needle in [
        INSTANCE,
        "new cluster, 13.3.x-scala2.12, m5.xlarge, 2 workers",
        "flytekitplugins/databricks/entrypoint.py from https://github.com/flyteorg/flytetools@572298df",
    ] {
        assert!(text.contains(needle), "describe lacks {needle:?}:\n{text}");
    }
    assert!(seen(&fake).is_empty());
}

#[test]
fn a_flyte2_template_runs_with_the_connection_s_token() {
    let fake = fake_jobs_api(1, Ending::Success);
    let out = run(agentctl_for(&fake)
        .arg("run")
        .arg(pyfixture2("databricks.pb"))
        .args(["--n", "3", "-o", "json", "--poll-interval", "50ms"])
        .env("DATABRICKS_TOKEN_FOR_AGENTCTL", TOKEN));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    token_never_shown(&out);
    let mut body = submits(&fake).remove(0);
    idempotency_token_of(&mut body);
    // flyteplugins-databricks' spec: its own entrypoint and commit, no FLYTE_FAIL_ON_ERROR
    assert_eq!(
        body["spark_python_task"]["python_file"],
        "flyteplugins/databricks/entrypoint.py"
    );
    assert_eq!(body["spark_python_task"]["parameters"][0], "a0");
    assert_eq!(
        body["git_source"]["git_commit"],
        "194364210c47c49ce66c419e8fb68d6f9c06fd7e"
    );
    assert_eq!(body["new_cluster"]["spark_env_vars"], json!({}));
    assert_eq!(
        body["new_cluster"]["spark_conf"],
        json!({"spark.driver.memory": "1000M"})
    );
    let meta = resource_meta(&out);
    assert_eq!(
        meta,
        json!({"databricks_instance": INSTANCE, "run_id": "1000", "token_secret": "databricks_token"})
    );
}

// ------------------------------------------------------------------------- agentctl serve

/// `agentctl serve` whose Databricks agent calls the fake, with `server_token` as its secret
/// `FLYTE_DATABRICKS_ACCESS_TOKEN` (a bare variable is not a secret under serve).
fn serve_for(fake: &HttpServer, server_token: &str) -> Serve {
    Serve::start_with(
        &[
            ("AGENTCTL_DATABRICKS_ENDPOINT", fake.base.as_str()),
            ("_FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN", server_token),
            ("FLYTE_SECRETS_DEFAULT_DIR", "/nonexistent/agentctl-secrets"),
        ],
        &[],
    )
}

/// agentctl as a client of `server`: no token of its own and no way to the fake, so every
/// Jobs API call the fake sees is the server's.
fn client_of(fake: &HttpServer, server: &Serve) -> std::process::Command {
    let mut cmd = agentctl_for(fake);
    cmd.env_remove("AGENTCTL_DATABRICKS_ENDPOINT")
        .args(["run", "--endpoint", &server.addr]);
    cmd
}

/// Every call the fake saw carried `token`.
#[track_caller]
fn all_calls_carry(fake: &HttpServer, token: &str) {
    let seen = seen(fake);
    assert!(!seen.is_empty(), "the fake saw nothing");
    for r in &seen {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {token}").as_str()),
            "{} {}",
            r.method,
            r.path
        );
    }
}

#[test]
fn a_flyte1_template_runs_through_serve_with_the_server_s_token() {
    let fake = fake_jobs_api(1, Ending::Success);
    let server = serve_for(&fake, TOKEN);
    let out = run(client_of(&fake, &server)
        .arg(pyfixture("databricks_count.template.json"))
        .args(["--n", "3", "-o", "json", "--poll-interval", "50ms"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["phase"], "SUCCEEDED", "{v}");
    token_never_shown(&out);
    all_calls_carry(&fake, TOKEN);
    let mut body = submits(&fake).remove(0);
    idempotency_token_of(&mut body);
    assert_eq!(body["run_name"], "agentctl databricks");
    assert_eq!(
        body["spark_python_task"]["python_file"],
        "flytekitplugins/databricks/entrypoint.py"
    );
    assert_eq!(
        resource_meta(&out),
        json!({"databricks_instance": INSTANCE, "run_id": "1000"})
    );
    assert_eq!(
        v["log_links"][0]["uri"],
        format!("https://{INSTANCE}/#job/{JOB_ID}/run/1000")
    );
}

#[test]
fn a_flyte2_template_runs_through_serve_with_the_connection_s_token() {
    let fake = fake_jobs_api(1, Ending::Success);
    // the server's own token is one the fake refuses: only the connection's will do
    let server = serve_for(&fake, "dapi-the-server-s-own-token");
    let out = run(client_of(&fake, &server)
        .arg(pyfixture2("databricks.pb"))
        .args([
            "--n",
            "3",
            "--wire",
            "v2",
            "-o",
            "json",
            "--poll-interval",
            "50ms",
        ])
        .env("DATABRICKS_TOKEN_FOR_AGENTCTL", TOKEN));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["phase"], "SUCCEEDED", "{v}");
    assert_eq!(v["wire"], "v2", "{v}");
    token_never_shown(&out);
    all_calls_carry(&fake, TOKEN);
    let body = submits(&fake).remove(0);
    assert_eq!(
        body["spark_python_task"]["python_file"],
        "flyteplugins/databricks/entrypoint.py"
    );
    assert_eq!(
        resource_meta(&out),
        json!({"databricks_instance": INSTANCE, "run_id": "1000", "token_secret": "databricks_token"})
    );
}

#[test]
fn ctrl_c_cancels_the_run_through_serve() {
    let fake = fake_jobs_api(0, Ending::Never);
    let server = serve_for(&fake, TOKEN);
    let mut cmd = client_of(&fake, &server);
    cmd.arg(pyfixture("databricks_count.template.json")).args([
        "--n",
        "3",
        "-o",
        "json",
        "--poll-interval",
        "100ms",
    ]);
    let out = interrupt_after_first_get(cmd, &fake);
    assert_eq!(out.status.code(), Some(130), "{}", stderr_of(&out));
    token_never_shown(&out);
    let cancel = seen(&fake)
        .into_iter()
        .find(|r| r.path == "/api/2.1/jobs/runs/cancel")
        .unwrap_or_else(|| panic!("no runs/cancel: {:?}", seen(&fake)));
    assert_eq!(cancel.method, "POST");
    assert_eq!(cancel.json(), json!({"run_id": 1000}));
    assert_eq!(
        cancel.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

// ----------------------------------------------------------- flytekit's connector, same fake

/// The fixture run by flytekitplugins-spark's own connector behind flytekit's server (the
/// plugin from gen_fixtures.py's site-databricks, with a stub pyspark; its https calls sent to
/// the fake), and by agentctl in-process, each against its own fake.
fn ours_and_flytekits(
    fixture: &str,
    args: &[&str],
    ending: Ending,
    interrupt: bool,
) -> [(Vec<Received>, std::process::Output); 2] {
    let go = |fake: &HttpServer, endpoint: Option<&str>| {
        let mut cmd = agentctl_for(fake);
        cmd.arg("run")
            .arg(pyfixture(fixture))
            .args(args)
            .args(["-o", "json"])
            .env("FLYTE_DATABRICKS_INSTANCE", INSTANCE)
            .env("FLYTE_DATABRICKS_ACCESS_TOKEN", TOKEN);
        if let Some(e) = endpoint {
            cmd.args(["--endpoint", e]);
        }
        let out = if interrupt {
            interrupt_after_first_get(cmd, fake)
        } else {
            run(&mut cmd)
        };
        (seen(fake), out)
    };
    let fake = fake_jobs_api(1, ending);
    let ours = go(&fake, None);
    let fake = fake_jobs_api(1, ending);
    let site = pyfixtures().join("site-databricks");
    let flytekit = FlytekitServer::start_with_env(&[
        ("PYTHONPATH", site.as_os_str()),
        ("AGENTCTL_TEST_DATABRICKS_FAKE", fake.base.as_ref()),
        ("FLYTE_DATABRICKS_INSTANCE", INSTANCE.as_ref()),
        ("_FSEC_FLYTE_DATABRICKS_ACCESS_TOKEN", TOKEN.as_ref()),
    ]);
    let theirs = go(&fake, Some(&flytekit.addr));
    [ours, theirs]
}

/// The requests of one run, normalised where agentctl differs on purpose: runs/submit's
/// idempotency token (flytekit sends none) and runs/cancel's run_id (a number, as the API
/// documents it; flytekit sends a string). Repeated polls count once, and nothing after a
/// cancel counts (a poll already running may land after it).
fn requests(seen: &[Received]) -> Vec<(String, String, Value, Option<String>)> {
    let mut out: Vec<(String, String, Value, Option<String>)> = Vec::new();
    for r in seen.iter().filter(|r| !r.method.is_empty()) {
        let mut body = r.json();
        if let Some(o) = body
            .as_object_mut()
            .filter(|_| r.path.ends_with("/runs/submit"))
        {
            o.remove("idempotency_token");
        }
        if r.path.ends_with("/runs/cancel") {
            body["run_id"] = json!(body["run_id"].to_string().trim_matches('"'));
        }
        if out
            .last()
            .is_some_and(|(m, p, _, _)| *m == r.method && *p == r.path)
        {
            continue;
        }
        let cancel = r.path.ends_with("/runs/cancel");
        let auth = r.header("authorization").map(str::to_string);
        out.push((r.method.clone(), r.path.clone(), body, auth));
        if cancel {
            break;
        }
    }
    out
}

#[test]
fn requests_match_flytekits_databricks_connector() {
    let [(ours, our_out), (theirs, their_out)] = ours_and_flytekits(
        "databricks_count.template.json",
        &["--n", "3"],
        Ending::Never,
        true,
    );
    assert_eq!(our_out.status.code(), Some(130), "{}", stderr_of(&our_out));
    assert_eq!(
        their_out.status.code(),
        Some(130),
        "{}",
        stderr_of(&their_out)
    );
    let (ours, theirs) = (requests(&ours), requests(&theirs));
    // the output prefix differs run to run: compare the submit's args apart
    let strip = |mut v: Vec<(String, String, Value, Option<String>)>| {
        let args = v[0].2["spark_python_task"]
            .as_object_mut()
            .and_then(|t| t.remove("parameters"));
        (v, args)
    };
    let ((ours, our_args), (theirs, their_args)) = (strip(ours), strip(theirs));
    assert_eq!(
        ours, theirs,
        "agentctl's Jobs API requests differ from flytekit's connector's"
    );
    let methods: Vec<&str> = ours.iter().map(|(m, _, _, _)| m.as_str()).collect();
    assert_eq!(methods, ["POST", "GET", "POST"], "{ours:?}");
    let shape = |a: Option<Value>| -> Vec<String> {
        a.and_then(|a| a.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|s| {
                let s = s.as_str().unwrap_or_default();
                if s.contains('/') && !s.contains("flytekit.") {
                    "<path>".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect()
    };
    assert_eq!(shape(our_args), shape(their_args));
}

#[test]
fn results_match_flytekits_databricks_connector() {
    for ending in [Ending::Success, Ending::Failed] {
        let [(_, our_out), (_, their_out)] = ours_and_flytekits(
            "databricks_existing.template.json",
            &["--name", "x", "--poll-interval", "50ms"],
            ending,
            false,
        );
        assert_eq!(
            our_out.status.code(),
            their_out.status.code(),
            "ours: {}\ntheirs: {}",
            stderr_of(&our_out),
            stderr_of(&their_out)
        );
        let (o, t): (Value, Value) = (
            serde_json::from_slice(&our_out.stdout).unwrap_or_default(),
            serde_json::from_slice(&their_out.stdout).unwrap_or_default(),
        );
        assert_eq!(o["phase"], t["phase"]);
        assert_eq!(o["log_links"], t["log_links"]);
        if ending == Ending::Success {
            assert_eq!(o["message"], t["message"]);
        }
    }
}
