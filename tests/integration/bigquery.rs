//! The built-in BigQuery agent against a local fake of BigQuery's REST API and Google's token
//! endpoint: the exact requests (method, path, query, body), the bearer token the service
//! account's credentials produce, polling to DONE, errorResult, and jobs.cancel on abort.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::util::{HttpServer, Received, agentctl, repo, stderr_of};

const TOKEN: &str = "ya29.agentctl-test-token";

/// Serves the token endpoint and BigQuery; `gets_before_done` jobs.get calls answer RUNNING
/// first, and `fail` makes the job end with an errorResult.
fn fake_google(gets_before_done: u32, fail: bool) -> HttpServer {
    let gets = Arc::new(AtomicU32::new(0));
    HttpServer::start(move |r: &Received| {
        if r.path == "/token" {
            let form = String::from_utf8_lossy(&r.body).to_string();
            assert!(
                form.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"),
                "{form}"
            );
            assert!(form.contains("assertion="), "{form}");
            return (
                200,
                format!(
                    r#"{{"access_token": "{TOKEN}", "expires_in": 3600, "token_type": "Bearer"}}"#
                ),
            );
        }
        if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return (
                401,
                r#"{"error": {"message": "no or wrong bearer token"}}"#.into(),
            );
        }
        let job_ref = r#"{"projectId": "flyte-test-340607", "jobId": "job_42", "location": "US"}"#;
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", "/bigquery/v2/projects/flyte-test-340607/jobs") => (
                200,
                format!(r#"{{"jobReference": {job_ref}, "status": {{"state": "PENDING"}}}}"#),
            ),
            ("GET", "/bigquery/v2/projects/flyte-test-340607/jobs/job_42?location=US") => {
                let n = gets.fetch_add(1, Ordering::SeqCst) + 1;
                if n <= gets_before_done {
                    (
                        200,
                        format!(
                            r#"{{"jobReference": {job_ref}, "status": {{"state": "RUNNING"}}}}"#
                        ),
                    )
                } else if fail {
                    (
                        200,
                        format!(
                            r#"{{"jobReference": {job_ref}, "status": {{"state": "DONE", "errorResult": {{"reason": "invalidQuery", "message": "Unrecognized name: versoin"}}}}}}"#
                        ),
                    )
                } else {
                    let dest = r#"{"projectId": "flyte-test-340607", "datasetId": "_anon", "tableId": "anon_result"}"#;
                    (
                        200,
                        format!(
                            r#"{{"jobReference": {job_ref}, "status": {{"state": "DONE"}}, "configuration": {{"query": {{"destinationTable": {dest}}}}}}}"#
                        ),
                    )
                }
            }
            ("POST", "/bigquery/v2/projects/flyte-test-340607/jobs/job_42/cancel?location=US") => {
                (200, format!(r#"{{"job": {{"jobReference": {job_ref}}}}}"#))
            }
            _ => (
                404,
                format!(
                    r#"{{"error": {{"message": "unexpected {} {}"}}}}"#,
                    r.method, r.path
                ),
            ),
        }
    })
}

fn credentials(dir: &tempfile::TempDir, token_uri: &str) -> std::path::PathBuf {
    let key = std::fs::read_to_string(repo().join("tests/fixtures/test-service-account-key.pem"))
        .unwrap();
    let creds = serde_json::json!({
        "type": "service_account",
        "project_id": "flyte-test-340607",
        "private_key_id": "test-key",
        "private_key": key,
        "client_email": "agentctl-test@flyte-test-340607.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    });
    let path = dir.path().join("sa.json");
    std::fs::write(&path, creds.to_string()).unwrap();
    path
}

fn bigquery_run(
    google: &HttpServer,
    dir: &tempfile::TempDir,
    via_env_file: bool,
    extra: &[&str],
) -> std::process::Output {
    let creds = credentials(dir, &format!("{}/token", google.base));
    let mut cmd = agentctl();
    cmd.arg("run")
        .arg(repo().join("fixtures/bigquery.json"))
        .args(["--version", "10", "-o", "json"])
        .args(extra)
        .env("AGENTCTL_BIGQUERY_ENDPOINT", &google.base);
    if via_env_file {
        // credentials from a .env file, as users keep them
        std::fs::write(
            dir.path().join(".env"),
            format!("GOOGLE_APPLICATION_CREDENTIALS={}\n", creds.display()),
        )
        .unwrap();
        cmd.current_dir(dir.path());
    } else {
        cmd.env("GOOGLE_APPLICATION_CREDENTIALS", &creds);
    }
    cmd.output().unwrap()
}

#[test]
fn a_query_runs_with_named_parameters_and_returns_its_table() {
    let google = fake_google(1, false);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, &dir, true, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["phase"], "SUCCEEDED");
    assert_eq!(
        v["outputs"]["results"],
        "bq://flyte-test-340607:_anon.anon_result"
    );
    assert_eq!(
        v["outputs_literal"]["literals"]["results"]["scalar"]["structuredDataset"]["metadata"],
        serde_json::json!({"structuredDatasetType": {}})
    );
    assert!(
        v["log_links"][0]["uri"]
            .as_str()
            .unwrap()
            .contains("j=bq:US:job_42")
    );
    let meta = String::from_utf8(base64_decode(v["resource_meta"].as_str().unwrap())).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&meta).unwrap(),
        serde_json::json!({"job_id": "job_42", "project": "flyte-test-340607", "location": "US"})
    );

    let seen = google.seen.lock().unwrap().clone();
    let insert = seen
        .iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/jobs"))
        .expect("jobs.insert");
    assert_eq!(
        insert.json(),
        serde_json::json!({
            "jobReference": {"projectId": "flyte-test-340607", "location": "US"},
            "configuration": {"query": {
                "query": "SELECT * FROM `bigquery-public-data.crypto_dogecoin.transactions` WHERE version = @version LIMIT 10;",
                "useLegacySql": false,
                "parameterMode": "NAMED",
                "queryParameters": [{"name": "version", "parameterType": {"type": "INT64"}, "parameterValue": {"value": "10"}}]
            }}
        })
    );
    assert_eq!(
        seen.iter()
            .filter(|r| r
                .path
                .starts_with("/bigquery/v2/projects/flyte-test-340607/jobs/job_42?location=US"))
            .count(),
        2
    );
    assert!(seen.iter().all(|r| r.path == "/token"
        || r.header("authorization") == Some(&format!("Bearer {TOKEN}") as &str)));
    assert!(
        !seen.iter().any(|r| r.path.contains("cancel")),
        "a finished job is never cancelled"
    );
}

#[test]
fn an_error_result_fails_with_its_message() {
    let google = fake_google(0, true);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, &dir, false, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("Unrecognized name: versoin"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_timeout_cancels_the_job() {
    let google = fake_google(1000, false);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, &dir, false, &["--timeout", "500ms"]);
    assert_eq!(out.status.code(), Some(124), "{}", stderr_of(&out));
    let seen = google.seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|r| r.method == "POST"
            && r.path == "/bigquery/v2/projects/flyte-test-340607/jobs/job_42/cancel?location=US"),
        "{seen:?}"
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}
