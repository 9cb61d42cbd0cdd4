//! The built-in BigQuery agent against a local fake of BigQuery's REST API and Google's token
//! endpoint: the exact requests (method, path, query, body), the credentials each carries
//! (a service account's self-signed JWT, verified with the test key; an authorized user's
//! refreshed token and quota project), polling to DONE, errorResult, and jobs.cancel on abort.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::util::{HttpServer, Received, agentctl, assert_failed, repo, stderr_of};

const PROJECT: &str = "flyte-test-340607";
const CLIENT_EMAIL: &str = "agentctl-test@flyte-test-340607.iam.gserviceaccount.com";
const SCOPE: &str = "https://www.googleapis.com/auth/bigquery";
/// What the fake token endpoint grants for the authorized user's refresh token.
const USER_TOKEN: &str = "ya29.agentctl-user-token";
const REFRESH_TOKEN: &str = "1//agentctl-refresh-token";
const QUOTA_PROJECT: &str = "agentctl-quota-project";

#[derive(Clone, Copy, PartialEq)]
enum Creds {
    ServiceAccount,
    AuthorizedUser,
}

/// Why a request's credentials are not what `creds` produce, if they are not.
fn check_credentials(r: &Received, creds: Creds) -> Result<(), String> {
    let bearer = r
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or("no bearer token")?;
    match creds {
        Creds::AuthorizedUser => {
            if bearer != USER_TOKEN {
                return Err(format!("bearer {bearer:?} is not the refreshed token"));
            }
            if r.header("x-goog-user-project") != Some(QUOTA_PROJECT) {
                return Err("no x-goog-user-project for the quota project".into());
            }
            Ok(())
        }
        Creds::ServiceAccount => check_self_signed_jwt(bearer),
    }
}

/// A service account's access token is a JWT it signs itself (no token endpoint): RS256 by
/// the test key, naming the account and the BigQuery scope, valid now.
fn check_self_signed_jwt(jwt: &str) -> Result<(), String> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(format!("{jwt:?} is not a JWT"));
    };
    let decode = |p: &str| -> Result<Value, String> {
        let bytes = b64.decode(p).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    let (header, claims) = (decode(header)?, decode(claims)?);
    if header != json!({"alg": "RS256", "typ": "JWT", "kid": "test-key"}) {
        return Err(format!("JWT header {header}"));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let ok = claims["iss"] == CLIENT_EMAIL
        && claims["sub"] == CLIENT_EMAIL
        && claims["scope"] == SCOPE
        && claims["iat"].as_i64().is_some_and(|t| t <= now + 60)
        && claims["exp"].as_i64().is_some_and(|t| t > now);
    if !ok {
        return Err(format!("JWT claims {claims}"));
    }
    let pem = std::fs::read_to_string(repo().join("tests/fixtures/test-service-account-key.pem"))
        .unwrap();
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let key = ring::signature::RsaKeyPair::from_pkcs8(
        &base64::engine::general_purpose::STANDARD
            .decode(der)
            .unwrap(),
    )
    .unwrap();
    let signed = &jwt[..jwt.rfind('.').unwrap()];
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        key.public().as_ref(),
    )
    .verify(
        signed.as_bytes(),
        &b64.decode(signature).map_err(|e| e.to_string())?,
    )
    .map_err(|_| "the JWT's signature does not verify with the test key".to_string())
}

/// Serves the token endpoint and BigQuery; `gets_before_done` jobs.get calls answer RUNNING
/// first, and `fail` makes the job end with an errorResult.
fn fake_google(creds: Creds, gets_before_done: u32, fail: bool) -> HttpServer {
    let gets = Arc::new(AtomicU32::new(0));
    HttpServer::start(move |r: &Received| {
        if r.path == "/token" {
            let expected = json!({
                "grant_type": "refresh_token",
                "client_id": "agentctl-client.apps.googleusercontent.com",
                "client_secret": "agentctl-client-secret",
                "refresh_token": REFRESH_TOKEN,
                "scopes": SCOPE,
            });
            if creds != Creds::AuthorizedUser || r.method != "POST" || r.json() != expected {
                return (
                    400,
                    r#"{"error": "invalid_grant", "error_description": "Bad Request"}"#.to_string(),
                );
            }
            return (
                200,
                format!(
                    r#"{{"access_token": "{USER_TOKEN}", "expires_in": 3600, "token_type": "Bearer"}}"#
                ),
            );
        }
        if let Err(why) = check_credentials(r, creds) {
            return (401, json!({"error": {"message": why}}).to_string());
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

/// A credentials file of the given kind, as Google's tools write them, with its token endpoint
/// (where the file has one) at the fake.
fn credentials(dir: &tempfile::TempDir, creds: Creds, token_uri: &str) -> std::path::PathBuf {
    let file = match creds {
        Creds::ServiceAccount => json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "test-key",
            "private_key": std::fs::read_to_string(repo().join("tests/fixtures/test-service-account-key.pem")).unwrap(),
            "client_email": CLIENT_EMAIL,
            "client_id": "1",
            "token_uri": token_uri,
        }),
        // what `gcloud auth application-default login` writes, with the token endpoint moved
        Creds::AuthorizedUser => json!({
            "type": "authorized_user",
            "client_id": "agentctl-client.apps.googleusercontent.com",
            "client_secret": "agentctl-client-secret",
            "refresh_token": REFRESH_TOKEN,
            "quota_project_id": QUOTA_PROJECT,
            "token_uri": token_uri,
            "universe_domain": "googleapis.com",
        }),
    };
    let path = dir.path().join("credentials.json");
    std::fs::write(&path, file.to_string()).unwrap();
    path
}

fn bigquery_run(
    google: &HttpServer,
    creds: Creds,
    dir: &tempfile::TempDir,
    via_env_file: bool,
    extra: &[&str],
) -> std::process::Output {
    let creds = credentials(dir, creds, &format!("{}/token", google.base));
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

/// Runs the fixture's query to success and checks every request the agent made.
fn query_succeeds(creds: Creds, via_env_file: bool) {
    let google = fake_google(creds, 1, false);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, creds, &dir, via_env_file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["phase"], "SUCCEEDED");
    assert_eq!(
        v["outputs"]["results"],
        "bq://flyte-test-340607:_anon.anon_result"
    );
    assert_eq!(
        v["outputs_literal"]["literals"]["results"]["scalar"]["structuredDataset"]["metadata"],
        json!({"structuredDatasetType": {}})
    );
    assert!(
        v["log_links"][0]["uri"]
            .as_str()
            .unwrap()
            .contains("j=bq:US:job_42")
    );
    let meta = String::from_utf8(base64_decode(v["resource_meta"].as_str().unwrap())).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&meta).unwrap(),
        json!({"job_id": "job_42", "project": "flyte-test-340607", "location": "US"})
    );

    let seen = google.seen.lock().unwrap().clone();
    let insert = seen
        .iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/jobs"))
        .expect("jobs.insert");
    assert_eq!(
        insert.json(),
        json!({
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
    for r in seen.iter().filter(|r| r.path != "/token") {
        check_credentials(r, creds).unwrap();
    }
    let token_requests = seen.iter().filter(|r| r.path == "/token").count();
    let expected = if creds == Creds::AuthorizedUser { 1 } else { 0 };
    assert_eq!(
        token_requests, expected,
        "the token is fetched once, and only for a user"
    );
    assert!(
        !seen.iter().any(|r| r.path.contains("cancel")),
        "a finished job is never cancelled"
    );
}

#[test]
fn a_query_runs_with_a_service_account_key_named_in_dotenv() {
    query_succeeds(Creds::ServiceAccount, true);
}

#[test]
fn a_query_runs_as_the_authorized_user_gcloud_logs_in() {
    query_succeeds(Creds::AuthorizedUser, false);
}

#[test]
fn a_refused_refresh_token_fails_before_any_query() {
    // the fake grants tokens to authorized users only: a service-account fake refuses the grant
    let google = fake_google(Creds::ServiceAccount, 0, false);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, Creds::AuthorizedUser, &dir, false, &[]);
    assert_failed(
        &out,
        3,
        &["failed to refresh user access token", "invalid_grant"],
    );
    let seen = google.seen.lock().unwrap().clone();
    assert!(seen.iter().all(|r| r.path == "/token"), "{seen:?}");
}

#[test]
fn a_missing_credentials_file_is_named_and_nothing_is_sent() {
    let google = fake_google(Creds::ServiceAccount, 0, false);
    let out = agentctl()
        .arg("run")
        .arg(repo().join("fixtures/bigquery.json"))
        .args(["--version", "10"])
        .env("AGENTCTL_BIGQUERY_ENDPOINT", &google.base)
        .env(
            "GOOGLE_APPLICATION_CREDENTIALS",
            "/nonexistent/agentctl-creds.json",
        )
        .output()
        .unwrap();
    assert_failed(
        &out,
        3,
        &[
            "/nonexistent/agentctl-creds.json",
            "GOOGLE_APPLICATION_CREDENTIALS",
        ],
    );
    assert!(google.seen.lock().unwrap().is_empty());
}

#[test]
fn an_error_result_fails_with_its_message() {
    let google = fake_google(Creds::ServiceAccount, 0, true);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, Creds::ServiceAccount, &dir, false, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("Unrecognized name: versoin"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_timeout_cancels_the_job() {
    let google = fake_google(Creds::AuthorizedUser, 1000, false);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(
        &google,
        Creds::AuthorizedUser,
        &dir,
        false,
        &["--timeout", "500ms"],
    );
    assert_eq!(out.status.code(), Some(124), "{}", stderr_of(&out));
    let seen = google.seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|r| r.method == "POST"
            && r.path == "/bigquery/v2/projects/flyte-test-340607/jobs/job_42/cancel?location=US"),
        "{seen:?}"
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}
