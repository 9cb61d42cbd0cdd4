//! `agentctl serve`: the built-in agents over real gRPC, called by `agentctl run` and by
//! Flyte's own Python stubs (flyteidl 1.16.8 from PyPI).

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::util::{Run, agentctl, python, redacted, repo, std_agentctl, stderr_of};

pub(crate) struct Serve {
    child: Child,
    pub addr: String,
}

impl Serve {
    pub fn start() -> Self {
        Self::start_with_env(&[])
    }

    /// A server whose agents see these extra environment variables.
    pub fn start_with_env(env: &[(&str, &str)]) -> Self {
        Self::start_with(env, &[])
    }

    /// A server with extra `serve` options.
    pub fn start_with(env: &[(&str, &str)], args: &[&str]) -> Self {
        let mut child = std_agentctl()
            .args(["serve", "--port", "0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        assert!(
            addr.starts_with("127.0.0.1:"),
            "loopback by default, got {addr}"
        );
        Serve { child, addr }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What `agents list` shows a person: the endpoint's health and each agent, sync or async,
/// with its task categories.
#[test]
fn agents_list_shows_the_built_in_agents() {
    let server = Serve::start();
    let text = Run::new(["agents", "list", "--endpoint", &server.addr])
        .run()
        .stdout;
    redacted().bind(|| insta::assert_snapshot!("agents_list_serve", text));
}

#[test]
fn agentctl_run_drives_agentctl_serve() {
    let server = Serve::start();
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("flag");
    std::fs::write(&flag, "").unwrap();
    let sensor = repo().join("fixtures/file_sensor.json");
    let out = agentctl()
        .arg("run")
        .arg(&sensor)
        .arg("--path")
        .arg(&flag)
        .args(["--endpoint", &server.addr, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["phase"], "SUCCEEDED");
}

#[test]
fn flytes_python_stubs_drive_agentctl_serve() {
    let server = Serve::start();
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("flag");
    let out = std::process::Command::new(python())
        .arg(repo().join("tests/python/drive_serve.py"))
        .arg(&server.addr)
        .arg(&flag)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["health"], "SERVING");
    assert_eq!(
        v["agents"],
        serde_json::json!([
            {"name": "Sensor", "supportedTaskTypes": ["sensor"], "supportedTaskCategories": [{"name": "sensor"}]},
            {"name": "Bigquery Connector", "supportedTaskTypes": ["bigquery_query_job_task"], "supportedTaskCategories": [{"name": "bigquery_query_job_task"}]},
            {"name": "Webhook Connector", "supportedTaskTypes": ["webhook"], "supportedTaskCategories": [{"name": "webhook"}], "isSync": true},
            {"name": "Snowflake Connector", "supportedTaskTypes": ["snowflake"], "supportedTaskCategories": [{"name": "snowflake"}]},
            // one agent for both of Databricks' task types, as flytekit's registry lists it
            {"name": "Databricks Connector", "supportedTaskTypes": ["spark", "databricks"], "supportedTaskCategories": [{"name": "spark"}, {"name": "databricks"}]}
        ])
    );
    assert_eq!(v["get_agent"], "Sensor");
    assert_eq!(v["resource_meta"]["sensor_name"], "FileSensor");
    assert_eq!(v["resource_meta"]["inputs"]["path"], flag.to_str().unwrap());
    assert_eq!(v["phase_before"], 2, "RUNNING while the file is missing");
    assert_eq!(v["phase_after"], 3, "SUCCEEDED once it exists");
    assert_eq!(v["phase_by_task_type"], 3);
    assert_eq!(v["deleted"], true);
    assert_eq!(v["unknown_type"], "NOT_FOUND");
    assert_eq!(v["bad_meta"], "INVALID_ARGUMENT");
    assert_eq!(v["execute_sync_on_async_agent"], "INTERNAL");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = Serve::start();
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn reflection_lists_the_agent_services_in_v1_and_v1alpha() {
    let server = Serve::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (v1, v1alpha) = rt.block_on(async {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.addr))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let v1 = {
            use tonic_reflection::pb::v1::{
                ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
                server_reflection_request::MessageRequest,
                server_reflection_response::MessageResponse,
            };
            let req = ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            };
            let mut stream = ServerReflectionClient::new(channel.clone())
                .server_reflection_info(tokio_stream::iter(vec![req]))
                .await
                .unwrap()
                .into_inner();
            match stream.message().await.unwrap().unwrap().message_response {
                Some(MessageResponse::ListServicesResponse(l)) => {
                    l.service.into_iter().map(|s| s.name).collect::<Vec<_>>()
                }
                other => panic!("{other:?}"),
            }
        };
        let v1alpha = {
            use tonic_reflection::pb::v1alpha::{
                ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
                server_reflection_request::MessageRequest,
                server_reflection_response::MessageResponse,
            };
            let req = ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            };
            let mut stream = ServerReflectionClient::new(channel)
                .server_reflection_info(tokio_stream::iter(vec![req]))
                .await
                .unwrap()
                .into_inner();
            match stream.message().await.unwrap().unwrap().message_response {
                Some(MessageResponse::ListServicesResponse(l)) => {
                    l.service.into_iter().map(|s| s.name).collect::<Vec<_>>()
                }
                other => panic!("{other:?}"),
            }
        };
        (v1, v1alpha)
    });
    for services in [&v1, &v1alpha] {
        for s in [
            "flyteidl.service.AsyncAgentService",
            "flyteidl.service.SyncAgentService",
            "flyteidl.service.AgentMetadataService",
            "flyteidl2.connector.AsyncConnectorService",
            "flyteidl2.connector.ConnectorMetadataService",
        ] {
            assert!(
                services.iter().any(|x| x == s),
                "{s} missing from {services:?}"
            );
        }
    }
}

#[test]
fn serving_others_a_bare_variable_is_not_a_secret() {
    // flytekit reads $KEY only in local runs; a server's other variables are not secrets
    let server = Serve::start_with_env(&[("HOOK_TOKEN", "x"), ("_FSEC_API_KEY", "y")]);
    let out = agentctl()
        .arg("run")
        .arg(crate::util::pyfixture("notify_secret.template.json"))
        .args(["--base", "http://127.0.0.1:9", "--item_id", "1"])
        .args(["--endpoint", &server.addr])
        .output()
        .unwrap();
    crate::util::assert_failed(
        &out,
        1,
        &["the secret hook_token is not set: looked for $_FSEC_HOOK_TOKEN or "],
    );
}

#[test]
fn an_agent_failure_is_internal_with_its_message() {
    // the BigQuery agent cannot find credentials: UNAUTHENTICATED in-process, INTERNAL on the
    // wire, as flytekit's server reports any connector error
    let server = Serve::start_with_env(&[(
        "GOOGLE_APPLICATION_CREDENTIALS",
        "/nonexistent/agentctl-creds.json",
    )]);
    let out = agentctl()
        .arg("run")
        .arg(repo().join("fixtures/bigquery.json"))
        .args(["--version", "1", "--endpoint", &server.addr])
        .output()
        .unwrap();
    crate::util::assert_failed(
        &out,
        3,
        &[
            "Internal: no usable Google credentials",
            "/nonexistent/agentctl-creds.json",
        ],
    );
}

#[test]
fn sigterm_stops_the_server_with_idle_connections_open() {
    use std::io::Write as _;
    let mut server = Serve::start();
    // a raw socket that sends nothing, and one that sends only the HTTP/2 preface
    let _idle = std::net::TcpStream::connect(&server.addr).unwrap();
    let mut preface = std::net::TcpStream::connect(&server.addr).unwrap();
    preface
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the server did not stop on SIGTERM while idle connections were open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_idle_connection_is_closed_and_frees_its_place() {
    use std::io::Read as _;
    let server = Serve::start_with(&[], &["--idle-timeout", "1s", "--max-connections", "1"]);
    let mut idle = std::net::TcpStream::connect(&server.addr).unwrap();
    // while it holds the only place, a client is not served
    let out = agentctl()
        .args([
            "agents",
            "list",
            "--endpoint",
            &server.addr,
            "--call-timeout",
            "300ms",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    // the server closes it (EOF) after the idle timeout, not the client
    idle.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let start = std::time::Instant::now();
    let mut buf = [0u8; 64];
    let closed = loop {
        match idle.read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    assert!(
        closed && start.elapsed() < Duration::from_secs(8),
        "not closed: {:?}",
        start.elapsed()
    );
    let out = agentctl()
        .args(["agents", "list", "--endpoint", &server.addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

#[test]
fn an_oversized_message_is_resource_exhausted() {
    let dir = tempfile::tempdir().unwrap();
    let mut t: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo().join("fixtures/file_sensor.json")).unwrap())
            .unwrap();
    t["custom"]["padding"] = "x".repeat(5 * 1024 * 1024).into();
    let path = dir.path().join("big.json");
    std::fs::write(&path, t.to_string()).unwrap();
    let server = Serve::start();
    let out = agentctl()
        .arg("run")
        .arg(&path)
        .args(["--path", "/", "--endpoint", &server.addr, "--wire", "v1"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("ResourceExhausted"), "{err}");
}

#[test]
fn health_answers_serving_for_every_service_of_both_generations() {
    let server = Serve::start();
    for name in [
        "",
        "grpc.health.v1.Health",
        "flyteidl.service.AsyncAgentService",
        "flyteidl.service.SyncAgentService",
        "flyteidl.service.AgentMetadataService",
        "flyteidl2.connector.AsyncConnectorService",
        "flyteidl2.connector.ConnectorMetadataService",
    ] {
        // the flyteidl2 Python stubs' own client (grpcio's health stub)
        let out = std::process::Command::new(crate::util::python2())
            .arg(repo().join("tests/python2/drive_serve2.py"))
            .args(["--endpoint", &server.addr, "health", name])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("\"SERVING\""),
            "{name:?}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn agents_get_on_an_unreachable_endpoint_is_exit_3_not_no_such_agent() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let out = agentctl()
        .args([
            "agents",
            "get",
            "Sensor",
            "--endpoint",
            &closed,
            "--call-timeout",
            "2s",
        ])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(!err.contains("no deployment has an agent named"), "{err}");
}
