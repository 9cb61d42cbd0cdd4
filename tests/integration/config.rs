//! Propeller's configmap: routing by override, by discovery and by default across two real
//! deployments (a flytekit connector server and `agentctl serve`), both config sections,
//! per-method deadlines, round-robin, TLS and mutual TLS, metadata, and `agents list`.

use std::sync::atomic::Ordering;
use std::time::Duration;

use agentctl::agent::Agent;
use agentctl::agent::remote::RemoteAgent;
use agentctl::transport::{ConnectOptions, Dial, Target, Transport};
use agentctl::wire::{Wire, detect::Choice};

use crate::faults::{Behaviour, Fake, Served};
use crate::serve::Serve;
use crate::util::{FlytekitServer, Run, agentctl, assert_failed, pyfixture, redacted, stderr_of};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[track_caller]
fn dry_run(config: &str, template: &str, args: &[&str]) -> serde_json::Value {
    Run::new([
        "run",
        template,
        "--config",
        config,
        "--dry-run",
        "-o",
        "json",
    ])
    .args(args)
    .run()
    .json()
}

#[test]
fn routes_by_override_discovery_and_default_as_propeller() {
    let flytekit = FlytekitServer::start();
    let ours = Serve::start();
    let dir = tempfile::tempdir().unwrap();
    // the seed configmap's shape: list-form agentForTaskTypes, per-method timeouts, an anchor
    let config = write(
        &dir,
        "propeller.yaml",
        &format!(
            r#"
tasks:
  task-plugins:
    enabled-plugins: [container, sidecar, agent-service]
plugins:
  agent-service:
    defaultAgent: &flytekit
      endpoint: "dns:///{flytekit}"
      insecure: true
      timeouts:
        CreateTask: 5s
        GetTask: 5s
        ListAgents: 3s
    agents:
      rust-agents:
        <<: *flytekit
        endpoint: "{ours}"
      down:
        endpoint: "127.0.0.1:1"
        insecure: true
        defaultTimeout: 1s
    agentForTaskTypes:
      - agentctl_test_fail: rust-agents
    supportedTaskTypes: [made_up_type]
    pollInterval: 10s
"#,
            flytekit = flytekit.addr,
            ours = ours.addr
        ),
    );
    let success = pyfixture("success.template.json");
    let route = dry_run(
        &config,
        success.to_str().unwrap(),
        &["--x", "1", "--name", "a"],
    );
    assert_eq!(route["deployment"], "defaultAgent");
    assert_eq!(route["plugin"], "agent-service");
    assert!(
        route["why"].as_str().unwrap().contains("discovery answer"),
        "{route}"
    );
    assert_eq!(route["deadlines"]["GetTask"]["timeout"], "5s");
    assert_eq!(
        route["deadlines"]["GetTask"]["set_by"],
        "plugins.agent-service.defaultAgent.timeouts.GetTask"
    );
    assert!(
        route["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("discovery on down")),
        "{route}"
    );

    // the sensor is claimed by both; the named deployment is written last and wins
    let sensor = crate::util::repo().join("fixtures/file_sensor.json");
    let route = dry_run(&config, sensor.to_str().unwrap(), &["--path", "/tmp"]);
    assert_eq!(route["deployment"], "rust-agents");

    let fail = pyfixture("fail.template.json");
    let route = dry_run(&config, fail.to_str().unwrap(), &[]);
    assert_eq!(route["deployment"], "rust-agents");
    assert!(
        route["why"].as_str().unwrap().contains("agentForTaskTypes"),
        "{route}"
    );
    assert_eq!(route["mode"], "async");

    let mut unknown: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fail).unwrap()).unwrap();
    unknown["type"] = "nobody_serves_this".into();
    let unknown_path = write(&dir, "unknown.json", &unknown.to_string());
    let route = dry_run(&config, &unknown_path, &[]);
    assert_eq!(route["deployment"], "defaultAgent");
    assert!(
        route["why"]
            .as_str()
            .unwrap()
            .contains("default deployment"),
        "{route}"
    );

    // and a real run goes where the route says
    let out = agentctl()
        .args([
            "run",
            success.to_str().unwrap(),
            "--config",
            &config,
            "--x",
            "4",
            "--name",
            "cfg",
            "-o",
            "json",
            "-v",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outputs"]["y"], 8);
    assert!(
        stderr_of(&out).contains("agent-service defaultAgent"),
        "{}",
        stderr_of(&out)
    );

    // agents list shows every deployment's health and agents
    let out = agentctl()
        .args(["agents", "list", "--config", &config, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_name = |n: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|d| d["deployment"] == n)
            .cloned()
            .unwrap()
    };
    let fk = by_name("agent-service.defaultAgent");
    assert_eq!(fk["health"], "SERVING");
    assert!(
        fk["agents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "Agentctl Test Echo Connector" && a["sync"] == true),
        "{fk}"
    );
    assert!(by_name("agent-service.down")["error"].is_string());
}

#[test]
fn connector_service_form_routes_too() {
    let flytekit = FlytekitServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        &dir,
        "c.yaml",
        &format!(
            "plugins:\n  connector-service:\n    defaultConnector:\n      endpoint: {}\n      insecure: true\n    connectorForTaskTypes:\n      agentctl_test_success: defaultConnector\n",
            flytekit.addr
        ),
    );
    let success = pyfixture("success.template.json");
    let out = agentctl()
        .args(["run", success.to_str().unwrap(), "--x", "2", "--name", "c"])
        .env("AGENTCTL_CONFIG", &config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "greeting: hello c\ny: 4\n"
    );
}

#[test]
fn a_deadline_names_the_method_deployment_timeout_and_key() {
    let fake = Served::start(Behaviour::Slow(Duration::from_secs(5)));
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        &dir,
        "c.yaml",
        &format!(
            "plugins:\n  agent-service:\n    defaultAgent:\n      endpoint: {}\n      timeouts:\n        GetTask: 300ms\n    supportedTaskTypes: [agentctl_test_forever]\n",
            fake.endpoint()
        ),
    );
    let forever = pyfixture("forever.template.json");
    let out = agentctl()
        .args([
            "run",
            forever.to_str().unwrap(),
            "--config",
            &config,
            "--max-get-failures",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("GetTask to"), "{err}");
    assert!(
        err.contains("300ms RPC deadline of deployment defaultAgent"),
        "{err}"
    );
    assert!(
        err.contains("plugins.agent-service.defaultAgent.timeouts.GetTask"),
        "{err}"
    );
    assert!(err.contains("not the task's timeout"), "{err}");
}

#[test]
fn config_problems_are_one_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let success = pyfixture("success.template.json");
    let s = success.to_str().unwrap();
    let run = |config: &str| {
        agentctl()
            .args(["run", s, "--x", "1", "--name", "a", "--config", config])
            .output()
            .unwrap()
    };
    assert_failed(
        &run("/nonexistent/propeller.yaml"),
        2,
        &["--config /nonexistent/propeller.yaml"],
    );
    let bad = write(
        &dir,
        "bad.yaml",
        "plugins:\n  agent-service:\n    defaultAgent: [\n",
    );
    assert_failed(&run(&bad), 2, &["malformed YAML"]);
    let wrong = write(
        &dir,
        "wrong.yaml",
        "plugins:\n  agent-service:\n    defaultAgent:\n      endpoint: 127.0.0.1:1\n      insecure: maybe\n",
    );
    assert_failed(
        &run(&wrong),
        2,
        &["plugins.agent-service.defaultAgent.insecure, line 5, column 7"],
    );
    let k8s = write(
        &dir,
        "k8s.yaml",
        "plugins:\n  agent-service:\n    defaultAgent:\n      endpoint: k8s://flyteagent.flyte:8000\n",
    );
    assert_failed(&run(&k8s), 2, &["port-forward"]);
}

#[test]
fn dns_targets_spread_calls_round_robin() {
    // two agents on one port, on 127.0.0.1 and 127.0.0.2, behind one name
    let first = Served::start(Behaviour::Phase(
        agentctl::pb::core::task_execution::Phase::Running,
    ));
    let port = first.addr.port();
    let second = Served::start_on(
        format!("127.0.0.2:{port}").parse().unwrap(),
        Fake::new(Behaviour::Phase(
            agentctl::pb::core::task_execution::Phase::Running,
        )),
    );
    let resolver = move |_: &str| {
        Ok(vec![
            format!("127.0.0.1:{port}").parse().unwrap(),
            format!("127.0.0.2:{port}").parse().unwrap(),
        ])
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let transport = Transport::connect_with(
            Target::parse(&format!("dns:///agents.test:{port}")).unwrap(),
            &ConnectOptions::default(),
            Dial::plain(),
            &resolver,
        )
        .unwrap();
        let agent = RemoteAgent::new(transport, Choice::Fixed(Wire::V1, "test".into()));
        let job = agentctl::wire::Job {
            category: agentctl::pb::admin::TaskCategory {
                name: "x".into(),
                version: 0,
            },
            resource_meta: b"{\"job\": 1}".to_vec(),
            output_prefix: String::new(),
            connection: Default::default(),
        };
        for _ in 0..10 {
            agent.get(&job).await.unwrap();
        }
    });
    assert_eq!(first.fake.gets.load(Ordering::SeqCst), 5);
    assert_eq!(second.fake.gets.load(Ordering::SeqCst), 5);
    first.assert_meta_echoed();
    second.assert_meta_echoed();
}

struct Pki {
    dir: tempfile::TempDir,
    server: tonic::transport::ServerTlsConfig,
}

/// A CA, a server certificate for localhost, and a client certificate, all made here.
fn pki(require_client: bool) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client = CertificateParams::new(vec!["agentctl-client".to_string()])
        .unwrap()
        .signed_by(&client_key, &issuer)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.path().join("client.pem"), client.pem()).unwrap();
    std::fs::write(dir.path().join("client.key"), client_key.serialize_pem()).unwrap();
    let mut tls = tonic::transport::ServerTlsConfig::new().identity(
        tonic::transport::Identity::from_pem(server.pem(), server_key.serialize_pem()),
    );
    if require_client {
        tls = tls.client_ca_root(tonic::transport::Certificate::from_pem(ca.pem()));
    }
    Pki { dir, server: tls }
}

#[test]
fn tls_with_a_private_ca_and_metadata_from_the_environment() {
    let pki = pki(false);
    let fake = Served::start_with(
        "127.0.0.1:0".parse().unwrap(),
        Fake::new(Behaviour::Phase(
            agentctl::pb::core::task_execution::Phase::Succeeded,
        )),
        Some(pki.server),
    );
    let endpoint = format!("https://localhost:{}", fake.addr.port());
    let forever = pyfixture("forever.template.json");
    let ca = pki.dir.path().join("ca.pem");
    let out = agentctl()
        .args([
            "run",
            forever.to_str().unwrap(),
            "--endpoint",
            &endpoint,
            "--ca-cert",
        ])
        .arg(&ca)
        .args(["-H", "authorization: Bearer ${AGENT_TOKEN}"])
        .env("AGENT_TOKEN", "t0ken")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        fake.fake.authorizations.lock().unwrap().as_slice(),
        ["Bearer t0ken"]
    );
    assert!(!stderr_of(&out).contains("t0ken"), "a secret was printed");

    // without the CA the certificate is not trusted
    let out = agentctl()
        .args([
            "run",
            forever.to_str().unwrap(),
            "--endpoint",
            &endpoint,
            "--retries",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
}

#[test]
fn mutual_tls_needs_the_client_certificate() {
    let pki = pki(true);
    let fake = Served::start_with(
        "127.0.0.1:0".parse().unwrap(),
        Fake::new(Behaviour::Phase(
            agentctl::pb::core::task_execution::Phase::Succeeded,
        )),
        Some(pki.server),
    );
    let endpoint = format!("https://localhost:{}", fake.addr.port());
    let forever = pyfixture("forever.template.json");
    let d = pki.dir.path();
    let out = agentctl()
        .args([
            "run",
            forever.to_str().unwrap(),
            "--endpoint",
            &endpoint,
            "--ca-cert",
        ])
        .arg(d.join("ca.pem"))
        .arg("--client-cert")
        .arg(d.join("client.pem"))
        .arg("--client-key")
        .arg(d.join("client.key"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = agentctl()
        .args([
            "run",
            forever.to_str().unwrap(),
            "--endpoint",
            &endpoint,
            "--retries",
            "0",
            "--ca-cert",
        ])
        .arg(d.join("ca.pem"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "without a client certificate: {}",
        stderr_of(&out)
    );
}

/// What `--dry-run` tells a person: the deployment a configmap routes the task to, why, and the
/// deadlines each call would get.
#[test]
fn a_dry_run_says_where_the_task_would_go_and_why() {
    let flytekit = FlytekitServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        &dir,
        "propeller.yaml",
        &format!(
            r#"
plugins:
  agent-service:
    defaultAgent:
      endpoint: "dns:///{addr}"
      insecure: true
      defaultTimeout: 3s
      timeouts:
        GetTask: 5s
"#,
            addr = flytekit.addr
        ),
    );
    let text = Run::new(["run"])
        .arg(pyfixture("success.template.json"))
        .args(["--x", "1", "--name", "a", "--config", &config, "--dry-run"])
        .run()
        .stdout;
    redacted().bind(|| insta::assert_snapshot!("dry_run_configmap", text));
    assert!(
        flytekit.records("creates.jsonl").is_empty(),
        "a dry run created a job"
    );
}
