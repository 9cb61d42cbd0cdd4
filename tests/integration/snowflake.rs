//! The built-in Snowflake agent against a local fake of Snowflake's SQL API v2, with the
//! templates flytekitplugins-snowflake 1.16.31 and flyteplugins-snowflake 2.12.1 write: every
//! request's key-pair JWT (claims, and the RS256 signature checked with the test key's public
//! half), the submit body (statement with `?` placeholders, bindings typed per input), polling
//! (202, then 200), a failed statement (422), cancel on Ctrl-C and on --timeout, a missing key,
//! and what the Python connectors give (their `resource_meta`, output URI and query link,
//! recorded by gen_fixtures against a fake driver) compared with what agentctl gives.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::serve::Serve;
use crate::util::{
    HttpServer, Received, agentctl, assert_failed, pyfixture, pyfixture2, repo, std_agentctl,
    stderr_of, stdout_of,
};

/// `openssl pkey -in tests/fixtures/test-service-account-key.pem -pubout -outform DER |
/// openssl dgst -sha256 -binary | base64`: the fingerprint Snowflake keeps for the key.
const FINGERPRINT: &str = "SHA256:e61+ymzWAzjCFr+WEpF7y6bxa87/vYXG7Iao/x2B3Ho=";
/// The handle the fake gives every statement (the Python connectors were driven with it too).
const QID1: &str = "01b2c3d4-0000-1111-0000-000000000042";
const QID2: &str = "01b2c3d4-0000-2222-0000-000000000042";
/// The environment variable flyteplugins-snowflake's fixtures name for the key.
const FLYTE2_KEY_ENV: &str = "SNOWFLAKE_PK_FOR_AGENTCTL";

fn test_key() -> String {
    std::fs::read_to_string(repo().join("tests/fixtures/test-service-account-key.pem")).unwrap()
}

/// Why a request's key-pair JWT is not one the test key signed for `account`.`user`, if not.
fn check_jwt(r: &Received, sub: &str) -> Result<(), String> {
    if r.header("x-snowflake-authorization-token-type") != Some("KEYPAIR_JWT") {
        return Err("no X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT".into());
    }
    let jwt = r
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or("no bearer token")?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(format!("{jwt:?} is not a JWT"));
    };
    let decode = |p: &str| -> Result<Value, String> {
        serde_json::from_slice(&b64.decode(p).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())
    };
    let (header, claims) = (decode(header)?, decode(claims)?);
    if header["alg"] != "RS256" {
        return Err(format!("JWT header {header}"));
    }
    let pem = test_key();
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let key = ring::signature::RsaKeyPair::from_pkcs8(
        &base64::engine::general_purpose::STANDARD
            .decode(der)
            .unwrap(),
    )
    .unwrap();
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        key.public().as_ref(),
    )
    .verify(
        &jwt.as_bytes()[..jwt.rfind('.').unwrap()],
        &b64.decode(signature).map_err(|e| e.to_string())?,
    )
    .map_err(|_| "the JWT's signature does not verify with the test key".to_string())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (iat, exp) = (claims["iat"].as_i64(), claims["exp"].as_i64());
    let ok = claims["iss"] == format!("{sub}.{FINGERPRINT}")
        && claims["sub"] == sub
        && iat.is_some_and(|t| t <= now + 5 && t >= now - 120)
        && exp.is_some_and(|t| t > now && t <= now + 3600);
    if !ok {
        return Err(format!("JWT claims {claims}"));
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Succeeds,
    Fails,
}

/// Snowflake's SQL API as it answers: the submit gives `qid` (202, running); `gets_before_done`
/// status calls answer 202, then 200 (or 422 when the statement `Fails`); cancel answers 200.
/// Any request whose JWT is not the test key's for `sub` gets 401, as Snowflake answers.
fn fake_snowflake(
    sub: &'static str,
    qid: &'static str,
    gets_before_done: u32,
    outcome: Outcome,
) -> HttpServer {
    let gets = Arc::new(AtomicU32::new(0));
    HttpServer::start(move |r: &Received| {
        if let Err(why) = check_jwt(r, sub) {
            return (401, json!({"code": "390144", "message": why}).to_string());
        }
        let running = json!({
            "code": "333334",
            "message": "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
            "statementHandle": qid,
            "statementStatusUrl": format!("/api/v2/statements/{qid}"),
        });
        let this = format!("/api/v2/statements/{qid}");
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", p) if p.starts_with("/api/v2/statements?async=true&requestId=") => {
                (202, running.to_string())
            }
            ("GET", p) if p == this => {
                let n = gets.fetch_add(1, Ordering::SeqCst) + 1;
                if n <= gets_before_done {
                    (202, running.to_string())
                } else if outcome == Outcome::Fails {
                    (422, json!({
                        "code": "002003",
                        "sqlState": "42S02",
                        "message": "SQL compilation error:\nObject 'FLYTE_DEMO' does not exist or not authorized.",
                        "statementHandle": qid,
                    }).to_string())
                } else {
                    (200, json!({
                        "code": "090001",
                        "sqlState": "00000",
                        "message": "Statement executed successfully.",
                        "statementHandle": qid,
                        "resultSetMetaData": {"numRows": 1, "format": "jsonv2", "rowType": [{"name": "ID", "type": "fixed"}]},
                        "data": [["42"]],
                    }).to_string())
                }
            }
            ("POST", p) if p == format!("{this}/cancel") => (
                200,
                json!({
                    "code": "000000",
                    "sqlState": "00000",
                    "message": "successfully canceled",
                    "statementHandle": qid,
                })
                .to_string(),
            ),
            _ => (
                404,
                json!({"message": format!("unexpected {} {}", r.method, r.path)}).to_string(),
            ),
        }
    })
}

fn connector_json(fixture: std::path::PathBuf) -> Value {
    serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap()
}

fn submits(fake: &HttpServer) -> Vec<Value> {
    let seen = fake.seen.lock().unwrap();
    seen.iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/api/v2/statements?"))
        .map(Received::json)
        .collect()
}

fn count(fake: &HttpServer, method: &str, path: &str) -> usize {
    let seen = fake.seen.lock().unwrap();
    seen.iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// A Flyte 1 run of `fixture` against `fake`, the key in flytekit's connector secret.
fn run1(fake: &HttpServer, fixture: &str, args: &[&str]) -> std::process::Output {
    agentctl()
        .arg("run")
        .arg(pyfixture(fixture))
        .args(args)
        .args(["-o", "json"])
        .env("AGENTCTL_SNOWFLAKE_ENDPOINT", &fake.base)
        .env("_FSEC_SNOWFLAKE_PRIVATE_KEY", test_key())
        .output()
        .unwrap()
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr_of(out)))
}

fn meta_of(v: &Value) -> Value {
    let b = base64::engine::general_purpose::STANDARD
        .decode(v["resource_meta"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&b).unwrap()
}

/// What a run printed that the Python connector's get gave too.
#[track_caller]
fn assert_same_as_connector(v: &Value, python: &Value) {
    assert_eq!(meta_of(v), python["resource_meta"], "resource_meta");
    let links: Vec<Value> = v["log_links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| json!({"name": l["name"], "uri": l["uri"]}))
        .collect();
    let theirs: Vec<Value> = python["get"]["log_links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| json!({"name": l["name"], "uri": l["uri"]}))
        .collect();
    assert_eq!(links, theirs, "log links");
}

#[test]
fn a_query_polls_to_done_and_gives_flytekits_output_uri() {
    let fake = fake_snowflake("AGENTCTL-TEST.AGENTCTL_USER", QID1, 1, Outcome::Succeeds);
    let out = run1(&fake, "snowflake_query.template.pb", &["--id", "42"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v = json_of(&out);
    assert_eq!(v["phase"], "SUCCEEDED");
    assert_eq!(
        submits(&fake),
        [json!({
            "statement": "SELECT * FROM flyte_demo WHERE id = ? LIMIT 10",
            "warehouse": "COMPUTE_WH",
            "database": "FLYTE",
            "schema": "PUBLIC",
            "bindings": {"1": {"type": "FIXED", "value": "42"}},
        })]
    );
    // polled: 202, then 200
    assert_eq!(
        count(&fake, "GET", &format!("/api/v2/statements/{QID1}")),
        2
    );
    assert_eq!(
        count(&fake, "POST", &format!("/api/v2/statements/{QID1}/cancel")),
        0
    );

    let python = connector_json(pyfixture("snowflake_query.connector.json"));
    assert_eq!(
        python["driver"][1]["params"],
        json!({"id": ["int", "42"]}),
        "flytekit's connector passed the driver this"
    );
    assert_eq!(
        v["outputs_literal"]["literals"]["results"], python["get"]["outputs"]["results"],
        "the output literal, URI included, byte for byte"
    );
    assert_eq!(
        v["outputs"]["results"],
        format!("snowflake://agentctl_user:agentctl-test/COMPUTE_WH/FLYTE/PUBLIC/{QID1}")
    );
    assert_same_as_connector(&v, &python);
    // the key is never printed
    let key_line = test_key().lines().nth(1).unwrap().to_string();
    assert!(!stdout_of(&out).contains(&key_line) && !stderr_of(&out).contains(&key_line));
}

#[test]
fn every_input_type_the_plugin_passes_is_bound_not_pasted() {
    let fake = fake_snowflake("AGENTCTL-TEST.AGENTCTL_USER", QID1, 0, Outcome::Succeeds);
    let out = run1(
        &fake,
        "snowflake_types.template.pb",
        &[
            "--n",
            "7",
            "--ratio",
            "10.5",
            "--label",
            "h\u{e9}llo 'x'",
            "--flag",
            "--at",
            "2024-03-01T12:30:45.5",
            "--wait",
            "1h30m",
            "--ids",
            "[1, 2, 3]",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let body = &submits(&fake)[0];
    assert_eq!(
        body["statement"],
        "INSERT INTO flyte_types (n, ratio, label, flag, at, wait, pct) SELECT ?, ?, ?, ?, ?, ?, '100%' WHERE ? IN (?, ?, ?)"
    );
    let b = |ty: &str, v: &str| json!({"type": ty, "value": v});
    assert_eq!(
        body["bindings"],
        json!({
            "1": b("FIXED", "7"),
            "2": b("REAL", "10.5"),
            "3": b("TEXT", "h\u{e9}llo 'x'"),
            "4": b("BOOLEAN", "true"),
            // 2024-03-01T12:30:45.5Z in nanoseconds since the epoch
            "5": b("TIMESTAMP_NTZ", "1709296245500000000"),
            // 1h30m in nanoseconds
            "6": b("TIME", "5400000000000"),
            "7": b("FIXED", "7"),
            "8": b("FIXED", "1"),
            "9": b("FIXED", "2"),
            "10": b("FIXED", "3"),
        })
    );
    // the same values flytekit's connector gave the driver (which pastes them into the text)
    let python = connector_json(pyfixture("snowflake_types.connector.json"));
    let params = &python["driver"][1]["params"];
    let p = |k: &str| params[k][1].as_str().unwrap().to_string();
    assert_eq!(p("n"), "7");
    assert_eq!(p("ratio"), "10.5");
    assert_eq!(p("label"), "h\u{e9}llo 'x'");
    assert_eq!(p("flag"), "True");
    assert_eq!(p("at"), "2024-03-01 12:30:45.500000+00:00");
    assert_eq!(p("wait"), "1:30:00");
    assert_eq!(p("ids"), "[1, 2, 3]");
    assert_eq!(
        chrono::DateTime::parse_from_str(&p("at"), "%Y-%m-%d %H:%M:%S%.f%:z")
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap()
            .to_string(),
        "1709296245500000000"
    );
    // no output declared: none given, as flytekit's connector
    assert_eq!(python["get"]["outputs"], Value::Null);
    let v = json_of(&out);
    assert!(v["outputs"].as_object().is_none_or(|o| o.is_empty()), "{v}");
    assert_same_as_connector(&v, &python);
}

#[test]
fn a_statement_without_inputs_is_sent_as_written() {
    let fake = fake_snowflake("AGENTCTL-TEST.AGENTCTL_USER", QID1, 0, Outcome::Succeeds);
    let out = run1(&fake, "snowflake_insert.template.pb", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let python = connector_json(pyfixture("snowflake_insert.connector.json"));
    assert_eq!(python["driver"][1]["params"], Value::Null);
    assert_eq!(
        submits(&fake)[0]["statement"],
        python["driver"][1]["statement"]
    );
    assert!(submits(&fake)[0].get("bindings").is_none());
}

#[test]
fn a_failed_statement_fails_with_snowflakes_message_and_sql_state() {
    let fake = fake_snowflake("AGENTCTL-TEST.AGENTCTL_USER", QID1, 1, Outcome::Fails);
    let out = run1(&fake, "snowflake_query.template.pb", &["--id", "42"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("Object 'FLYTE_DEMO' does not exist"), "{err}");
    assert!(err.contains("SQL state 42S02"), "{err}");
}

#[test]
fn a_missing_key_is_named_and_nothing_is_sent() {
    let fake = fake_snowflake("AGENTCTL-TEST.AGENTCTL_USER", QID1, 0, Outcome::Succeeds);
    let dir = tempfile::tempdir().unwrap();
    let out = agentctl()
        .arg("run")
        .arg(pyfixture("snowflake_query.template.pb"))
        .args(["--id", "42"])
        .env("AGENTCTL_SNOWFLAKE_ENDPOINT", &fake.base)
        .env_remove("_FSEC_SNOWFLAKE_PRIVATE_KEY")
        .env_remove("SNOWFLAKE_PRIVATE_KEY")
        .env("FLYTE_SECRETS_DEFAULT_DIR", dir.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_failed(
        &out,
        3,
        &["snowflake_private_key", "$_FSEC_SNOWFLAKE_PRIVATE_KEY"],
    );
    assert!(fake.seen.lock().unwrap().is_empty());

    // not a key at all: said so, and the value is not shown
    let out = agentctl()
        .arg("run")
        .arg(pyfixture("snowflake_query.template.pb"))
        .args(["--id", "42"])
        .env("AGENTCTL_SNOWFLAKE_ENDPOINT", &fake.base)
        .env("_FSEC_SNOWFLAKE_PRIVATE_KEY", "hunter2-not-a-key")
        .output()
        .unwrap();
    assert_failed(&out, 3, &["not a PEM private key"]);
    assert!(!stderr_of(&out).contains("hunter2"));
    assert!(fake.seen.lock().unwrap().is_empty());
}

/// Ctrl-C once the first status call has been answered.
fn interrupted(fake: &HttpServer, mut cmd: std::process::Command) -> std::process::Output {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !fake.seen.lock().unwrap().iter().any(|r| r.method == "GET") {
        assert!(start.elapsed() < Duration::from_secs(30), "no status call");
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
fn ctrl_c_cancels_the_statement() {
    let fake = fake_snowflake(
        "AGENTCTL-TEST.AGENTCTL_USER",
        QID1,
        u32::MAX,
        Outcome::Succeeds,
    );
    let mut cmd = std_agentctl();
    cmd.arg("run")
        .arg(pyfixture("snowflake_query.template.pb"))
        .args(["--id", "42"])
        .env("AGENTCTL_SNOWFLAKE_ENDPOINT", &fake.base)
        .env("_FSEC_SNOWFLAKE_PRIVATE_KEY", test_key());
    let out = interrupted(&fake, cmd);
    assert_eq!(out.status.code(), Some(130), "{}", stderr_of(&out));
    assert_eq!(
        count(&fake, "POST", &format!("/api/v2/statements/{QID1}/cancel")),
        1
    );
}

#[test]
fn a_timeout_cancels_the_statement() {
    let fake = fake_snowflake(
        "AGENTCTL-TEST.AGENTCTL_USER",
        QID1,
        u32::MAX,
        Outcome::Succeeds,
    );
    let out = run1(
        &fake,
        "snowflake_query.template.pb",
        &["--id", "42", "--timeout", "2s"],
    );
    assert_eq!(out.status.code(), Some(124), "{}", stderr_of(&out));
    assert_eq!(
        count(&fake, "POST", &format!("/api/v2/statements/{QID1}/cancel")),
        1
    );
}

/// A Flyte 2 run of `fixture`, the key in the variable the template's `custom.secrets` names
/// (it travels as `connection.secrets`), in-process or through `endpoint`.
fn run2(
    fake: &HttpServer,
    fixture: &str,
    args: &[&str],
    endpoint: Option<&str>,
) -> std::process::Output {
    let mut cmd = agentctl();
    cmd.arg("run")
        .arg(pyfixture2(fixture))
        .args(args)
        .args(["-o", "json"])
        .env("AGENTCTL_SNOWFLAKE_ENDPOINT", &fake.base)
        .env(FLYTE2_KEY_ENV, test_key());
    if let Some(e) = endpoint {
        // serve answers both generations and is spoken to as Flyte 1 unless told: only the
        // Flyte 2 wire carries `connection`
        cmd.args(["--endpoint", e, "--wire", "v2"]);
    }
    cmd.output().unwrap()
}

#[test]
fn flyte2_templates_run_in_process_and_through_serve() {
    let python = connector_json(pyfixture2("snowflake2_query.connector.json"));
    let fake = fake_snowflake("AGENTCTL-TEST.AGENTCTL_USER", QID2, 1, Outcome::Succeeds);
    // the server has no key of its own: the caller's connection carries it
    let server = Serve::start_with_env(&[("AGENTCTL_SNOWFLAKE_ENDPOINT", &fake.base)]);
    for endpoint in [None, Some(server.addr.as_str())] {
        let before = submits(&fake).len();
        let out = run2(&fake, "snowflake2_query.pb", &["--id", "42"], endpoint);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{endpoint:?}: {}",
            stderr_of(&out)
        );
        let v = json_of(&out);
        assert_eq!(
            submits(&fake)[before],
            json!({
                "statement": "SELECT * FROM flyte_demo WHERE id = ? LIMIT 10",
                "warehouse": "COMPUTE_WH",
                "database": "FLYTE",
                "schema": "ANALYTICS",
                "role": "AGENTCTL_ROLE",
                "bindings": {"1": {"type": "FIXED", "value": "42"}},
            })
        );
        // flyteplugins-snowflake's own URI (user/account, not flytekit's user:account)
        assert_eq!(
            v["outputs"]["results"],
            python["get"]["outputs"]["results"]["uri"]
        );
        assert_same_as_connector(&v, &python);
    }
}

#[test]
fn flyte2_batch_repeats_the_values_row_as_its_connector_does() {
    let python = connector_json(pyfixture2("snowflake2_batch.connector.json"));
    let fake = fake_snowflake("XY12345.AGENTCTL_USER", QID2, 0, Outcome::Succeeds);
    let out = run2(
        &fake,
        "snowflake2_batch.pb",
        &["--a", "[1, 2]", "--b", "[\"x\", \"y\"]"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let body = &submits(&fake)[0];
    let theirs = python["driver"][1]["statement"].as_str().unwrap();
    assert_eq!(
        body["statement"].as_str().unwrap(),
        regex::Regex::new(r"%\([a-z_0-9]+\)s")
            .unwrap()
            .replace_all(theirs, "?")
    );
    let b = |ty: &str, v: &str| json!({"type": ty, "value": v});
    assert_eq!(
        body["bindings"],
        json!({"1": b("FIXED", "1"), "2": b("TEXT", "x"), "3": b("FIXED", "2"), "4": b("TEXT", "y")})
    );
    assert_same_as_connector(&json_of(&out), &python);
}

#[test]
fn flyte1_through_serve_reads_the_servers_secret() {
    let fake = fake_snowflake("AGENTCTL-TEST.AGENTCTL_USER", QID1, 0, Outcome::Succeeds);
    let key = test_key();
    let server = Serve::start_with_env(&[
        ("AGENTCTL_SNOWFLAKE_ENDPOINT", &fake.base),
        ("_FSEC_SNOWFLAKE_PRIVATE_KEY", &key),
    ]);
    let out = agentctl()
        .arg("run")
        .arg(pyfixture("snowflake_query.template.pb"))
        .args(["--id", "42", "-o", "json", "--endpoint", &server.addr])
        .env_remove("_FSEC_SNOWFLAKE_PRIVATE_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let python = connector_json(pyfixture("snowflake_query.connector.json"));
    assert_eq!(
        json_of(&out)["outputs_literal"]["literals"]["results"],
        python["get"]["outputs"]["results"]
    );
}

#[test]
fn describe_shows_the_statement_and_its_bindings() {
    let out = agentctl()
        .arg("describe")
        .arg(pyfixture("snowflake_types.template.pb"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    for needle in [
        "COMPUTE_WH",
        "SELECT ?, ?, ?, ?, ?, ?, '100%' WHERE ? IN (?)",
        "1: n (FIXED)",
        "5: at (TIMESTAMP_NTZ)",
        "6: wait (TIME)",
        "8: ids (FIXED, one ? per element)",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}
