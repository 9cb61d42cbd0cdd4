//! The built-in BigQuery agent against a local fake of BigQuery's REST API and Google's token
//! endpoint: the exact requests (method, path, query, body), the credentials each carries
//! (a service account's self-signed JWT, verified with the test key; an authorized user's
//! refreshed token and quota project), polling to DONE, errorResult, and jobs.cancel on abort.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::util::{
    FlytekitServer, HttpServer, Received, agentctl, assert_failed, pyfixture, repo, stderr_of,
};

const PROJECT: &str = "flyte-test-340607";
const CLIENT_EMAIL: &str = "agentctl-test@flyte-test-340607.iam.gserviceaccount.com";
const SCOPE: &str = "https://www.googleapis.com/auth/bigquery";
/// What the fake token endpoint grants for the authorized user's refresh token.
const USER_TOKEN: &str = "ya29.agentctl-user-token";
const REFRESH_TOKEN: &str = "1//agentctl-refresh-token";
const QUOTA_PROJECT: &str = "agentctl-quota-project";

/// What the fake accepts, and so what the credentials must produce.
#[derive(Clone, Copy, PartialEq)]
enum Creds {
    /// A service-account key signing its own JWT access tokens (google-cloud-auth's way).
    ServiceAccount,
    /// A service-account key trading a signed assertion for a token at its `token_uri`
    /// (Python google-auth's way, which flytekit's connector uses).
    ServiceAccountGrant,
    /// An authorized user's refresh token traded at the file's `token_uri`.
    AuthorizedUser,
}

/// The token the fake grants for a service account's assertion.
const GRANTED_SA_TOKEN: &str = "ya29.agentctl-service-account-token";

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
        Creds::ServiceAccountGrant if bearer == GRANTED_SA_TOKEN => Ok(()),
        Creds::ServiceAccountGrant => Err(format!("bearer {bearer:?} was not granted")),
        Creds::ServiceAccount => check_self_signed_jwt(bearer),
    }
}

/// A service account's access token is a JWT it signs itself (no token endpoint): signed by
/// the test key, naming the account and the BigQuery scope, valid now.
fn check_self_signed_jwt(jwt: &str) -> Result<(), String> {
    let (header, claims) = verify_jwt(jwt)?;
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
    Ok(())
}

/// The header and claims of a JWT whose RS256 signature verifies with the test key.
fn verify_jwt(jwt: &str) -> Result<(Value, Value), String> {
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
    if header["alg"] != "RS256" {
        return Err(format!("JWT header {header}"));
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
    .map_err(|_| "the JWT's signature does not verify with the test key".to_string())?;
    Ok((header, claims))
}

/// Form or JSON fields of a token request (agentctl sends JSON, Python's google-auth a form).
fn token_request_fields(r: &Received) -> Value {
    if r.header("content-type") == Some("application/x-www-form-urlencoded") {
        let body = String::from_utf8_lossy(&r.body).to_string();
        let fields = body
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| {
                let v = v.replace("%2F", "/").replace("%3A", ":").replace('+', " ");
                (k.to_string(), Value::String(v))
            });
        Value::Object(fields.collect())
    } else {
        r.json()
    }
}

/// Serves the token endpoint and BigQuery as BigQuery answers: a job keeps the id and location
/// its insert asked for; `gets_before_done` jobs.get calls answer RUNNING first, and `fail`
/// makes the job end with an errorResult.
fn fake_google(creds: Creds, gets_before_done: u32, fail: bool) -> HttpServer {
    fake_google_with(creds, gets_before_done, fail, InsertFault::None)
}

#[derive(Clone, Copy, PartialEq)]
enum InsertFault {
    None,
    /// The first insert makes the job but its answer is lost (a 503, as from a proxy); an
    /// insert for a job id that exists answers 409, as BigQuery does.
    FirstAnswerLost,
    /// Every insert answers 503 and makes nothing.
    Down,
}

fn fake_google_with(
    creds: Creds,
    gets_before_done: u32,
    fail: bool,
    insert_fault: InsertFault,
) -> HttpServer {
    let gets = Arc::new(AtomicU32::new(0));
    let inserts = Arc::new(AtomicU32::new(0));
    let job = Arc::new(std::sync::Mutex::new(json!(null)));
    HttpServer::start(move |r: &Received| {
        if r.path == "/token" {
            let f = token_request_fields(r);
            if creds == Creds::ServiceAccountGrant {
                let assertion = f["assertion"].as_str().unwrap_or_default();
                let granted = f["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
                    && verify_jwt(assertion).is_ok_and(|(_, c)| c["iss"] == CLIENT_EMAIL);
                return match granted {
                    true => (200, json!({"access_token": GRANTED_SA_TOKEN, "expires_in": 3600, "token_type": "Bearer"}).to_string()),
                    false => (400, r#"{"error": "invalid_grant", "error_description": "Invalid JWT"}"#.to_string()),
                };
            }
            let granted = creds == Creds::AuthorizedUser
                && r.method == "POST"
                && f["grant_type"] == "refresh_token"
                && f["client_id"] == "agentctl-client.apps.googleusercontent.com"
                && f["client_secret"] == "agentctl-client-secret"
                && f["refresh_token"] == REFRESH_TOKEN;
            if !granted {
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
        let jobs = format!("/bigquery/v2/projects/{PROJECT}/jobs");
        let insert = format!("{jobs}?prettyPrint=false");
        let unavailable = (
            503,
            r#"{"error": {"message": "backend error"}}"#.to_string(),
        );
        if r.method == "POST" && r.path == insert {
            if insert_fault == InsertFault::Down {
                return unavailable;
            }
            let asked = &r.json()["jobReference"];
            let exists = job.lock().unwrap()["jobId"] == asked["jobId"];
            if exists {
                let msg = format!("Already Exists: Job {PROJECT}:US.{}", asked["jobId"]);
                return (409, json!({"error": {"message": msg}}).to_string());
            }
            *job.lock().unwrap() = json!({
                "projectId": PROJECT,
                "jobId": asked["jobId"].as_str().unwrap_or("job_42"),
                "location": asked["location"].as_str().unwrap_or("US"),
            });
        }
        let job_ref = job.lock().unwrap().clone();
        let this_job = format!("{jobs}/{}", job_ref["jobId"].as_str().unwrap_or_default());
        let query = format!(
            "?projection=full&location={}&prettyPrint=false",
            job_ref["location"].as_str().unwrap_or_default()
        );
        let answer = |v: Value| (200, v.to_string());
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", p) if p == insert => {
                let first = inserts.fetch_add(1, Ordering::SeqCst) == 0;
                if first && insert_fault == InsertFault::FirstAnswerLost {
                    return unavailable;
                }
                answer(json!({"jobReference": job_ref, "status": {"state": "PENDING"}}))
            }
            ("GET", p) if p == format!("{this_job}{query}") => {
                let n = gets.fetch_add(1, Ordering::SeqCst) + 1;
                if n <= gets_before_done {
                    answer(json!({"jobReference": job_ref, "status": {"state": "RUNNING"}}))
                } else if fail {
                    let error =
                        json!({"reason": "invalidQuery", "message": "Unrecognized name: versoin"});
                    answer(
                        json!({"jobReference": job_ref, "status": {"state": "DONE", "errorResult": error, "errors": [error]}}),
                    )
                } else {
                    let dest = json!({"projectId": PROJECT, "datasetId": "_anon", "tableId": "anon_result"});
                    answer(
                        json!({"jobReference": job_ref, "status": {"state": "DONE"}, "configuration": {"query": {"destinationTable": dest}}}),
                    )
                }
            }
            ("POST", p) if p == format!("{this_job}/cancel{query}") => {
                answer(json!({"job": {"jobReference": job_ref, "status": {"state": "DONE"}}}))
            }
            _ => (
                404,
                json!({"error": {"message": format!("unexpected {} {}", r.method, r.path)}})
                    .to_string(),
            ),
        }
    })
}

/// A credentials file of the given kind, as Google's tools write them, with its token endpoint
/// (where the file has one) at the fake.
fn credentials(dir: &tempfile::TempDir, creds: Creds, token_uri: &str) -> std::path::PathBuf {
    let file = match creds {
        Creds::ServiceAccount | Creds::ServiceAccountGrant => json!({
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

/// Where a run finds its credentials file.
#[derive(Clone, Copy)]
enum Found {
    /// `GOOGLE_APPLICATION_CREDENTIALS` in the environment.
    Env,
    /// `GOOGLE_APPLICATION_CREDENTIALS` in a `.env` file, as users keep it.
    DotEnv,
    /// No variable: gcloud's well-known file under `$HOME/.config/gcloud`.
    GcloudDefault,
}

fn bigquery_run(
    google: &HttpServer,
    creds: Creds,
    dir: &tempfile::TempDir,
    found: Found,
    extra: &[&str],
) -> std::process::Output {
    let creds = credentials(dir, creds, &format!("{}/token", google.base));
    let mut cmd = agentctl();
    cmd.arg("run")
        .arg(pyfixture("bigquery_doge_coin.template.json"))
        .args(["--version", "10", "-o", "json"])
        .args(extra)
        .env("AGENTCTL_BIGQUERY_ENDPOINT", &google.base);
    match found {
        Found::Env => {
            cmd.env("GOOGLE_APPLICATION_CREDENTIALS", &creds);
        }
        Found::DotEnv => {
            let line = format!("GOOGLE_APPLICATION_CREDENTIALS={}\n", creds.display());
            std::fs::write(dir.path().join(".env"), line).unwrap();
            cmd.current_dir(dir.path());
        }
        Found::GcloudDefault => {
            let gcloud = dir.path().join("home/.config/gcloud");
            std::fs::create_dir_all(&gcloud).unwrap();
            std::fs::copy(&creds, gcloud.join("application_default_credentials.json")).unwrap();
            cmd.env("HOME", dir.path().join("home"));
        }
    }
    cmd.output().unwrap()
}

/// Runs the fixture's query to success and checks every request the agent made.
fn query_succeeds(creds: Creds, found: Found) {
    let google = fake_google(creds, 1, false);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, creds, &dir, found, &[]);
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

    let seen = google.seen.lock().unwrap().clone();
    let insert = seen
        .iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/jobs?prettyPrint=false"))
        .expect("jobs.insert");
    let mut body = insert.json();
    let job_id = job_id_of(&mut body);
    assert_eq!(
        body,
        json!({
            "jobReference": {"projectId": "flyte-test-340607", "location": "US"},
            "configuration": {"query": {
                "query": "SELECT * FROM `bigquery-public-data.crypto_dogecoin.transactions` WHERE version = @version LIMIT 10;",
                "useLegacySql": false,
                // the template's QueryJobConfig, which flytekit's own agent drops
                "maximumBytesBilled": "1000000000",
                "parameterMode": "NAMED",
                "queryParameters": [{"name": "version", "parameterType": {"type": "INT64"}, "parameterValue": {"value": "10"}}]
            }}
        })
    );
    let meta = String::from_utf8(base64_decode(v["resource_meta"].as_str().unwrap())).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&meta).unwrap(),
        json!({"job_id": job_id, "project": "flyte-test-340607", "location": "US"})
    );
    assert!(
        v["log_links"][0]["uri"]
            .as_str()
            .unwrap()
            .contains(&format!("j=bq:US:{job_id}&"))
    );
    let get = format!(
        "/bigquery/v2/projects/flyte-test-340607/jobs/{job_id}?projection=full&location=US&prettyPrint=false"
    );
    assert_eq!(seen.iter().filter(|r| r.path == get).count(), 2);
    for r in seen
        .iter()
        .filter(|r| r.path != "/token" && !r.method.is_empty())
    {
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

/// Takes the client-chosen job id out of a jobs.insert body; it must be a random UUID, as
/// Google's Python client makes.
#[track_caller]
fn job_id_of(insert: &mut Value) -> String {
    let id = insert["jobReference"]
        .as_object_mut()
        .and_then(|r| r.remove("jobId"))
        .and_then(|id| id.as_str().map(str::to_string))
        .expect("jobs.insert names its job");
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{id} is not a UUID");
    assert_eq!(&id[14..15], "4", "{id} is not a random (version 4) UUID");
    id
}

#[test]
fn a_query_runs_with_a_service_account_key_named_in_dotenv() {
    query_succeeds(Creds::ServiceAccount, Found::DotEnv);
}

#[test]
fn a_query_runs_as_the_authorized_user_gcloud_logs_in() {
    query_succeeds(Creds::AuthorizedUser, Found::Env);
}

#[test]
fn without_the_variable_gcloud_s_own_file_is_used() {
    query_succeeds(Creds::AuthorizedUser, Found::GcloudDefault);
}

#[test]
fn a_refused_refresh_token_fails_before_any_query() {
    // the fake grants tokens to authorized users only: a service-account fake refuses the grant
    let google = fake_google(Creds::ServiceAccount, 0, false);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, Creds::AuthorizedUser, &dir, Found::Env, &[]);
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
        .arg(pyfixture("bigquery_doge_coin.template.json"))
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
    let out = bigquery_run(&google, Creds::ServiceAccount, &dir, Found::Env, &[]);
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
        Found::Env,
        &["--timeout", "2s"],
    );
    assert_eq!(out.status.code(), Some(124), "{}", stderr_of(&out));
    let seen = google.seen.lock().unwrap().clone();
    let mut insert = seen
        .iter()
        .find(|r| r.path.ends_with("/jobs?prettyPrint=false"))
        .unwrap()
        .json();
    let cancel = format!(
        "/bigquery/v2/projects/flyte-test-340607/jobs/{}/cancel?projection=full&location=US&prettyPrint=false",
        job_id_of(&mut insert)
    );
    assert!(
        seen.iter().any(|r| r.method == "POST" && r.path == cancel),
        "{seen:?}"
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// How a comparison run ends.
#[derive(Clone, Copy)]
enum Ending {
    /// The job finishes and the run with it.
    Finishes,
    /// The job never finishes; Ctrl-C once the first jobs.get has been answered, so both
    /// sides poll once and then cancel, however slow the machine.
    CtrlCAfterFirstGet,
}

/// A fixture run twice, each against its own fake Google with service-account credentials
/// (which check the same things): by agentctl in-process, and by flytekit's own BigQuery
/// connector behind flytekit's connector server. What each fake received, and what each run
/// printed.
fn ours_and_flytekits(
    fixture: &str,
    args: &[&str],
    ending: Ending,
) -> [(Vec<Received>, std::process::Output); 2] {
    let run = |endpoint: Option<&str>, google: &HttpServer, creds: &std::path::Path| {
        let mut cmd = crate::util::std_agentctl();
        cmd.arg("run")
            .arg(pyfixture(fixture))
            .args(args)
            .args(["-o", "json"])
            .env("AGENTCTL_BIGQUERY_ENDPOINT", &google.base)
            .env("GOOGLE_APPLICATION_CREDENTIALS", creds)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if let Some(e) = endpoint {
            cmd.args(["--endpoint", e]);
        }
        let child = cmd.spawn().unwrap();
        if let Ending::CtrlCAfterFirstGet = ending {
            let start = std::time::Instant::now();
            let polled = || {
                google
                    .seen
                    .lock()
                    .unwrap()
                    .iter()
                    .any(|r| r.method == "GET")
            };
            while !polled() {
                assert!(start.elapsed() < Duration::from_secs(30), "no jobs.get");
                std::thread::sleep(Duration::from_millis(10));
            }
            let kill = std::process::Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(kill.success());
        }
        let out = child.wait_with_output().unwrap();
        (google.seen.lock().unwrap().clone(), out)
    };
    let gets_before_done = match ending {
        Ending::Finishes => 1,
        Ending::CtrlCAfterFirstGet => u32::MAX,
    };
    let dir = tempfile::tempdir().unwrap();
    let google = fake_google(Creds::ServiceAccount, gets_before_done, false);
    let creds = credentials(
        &dir,
        Creds::ServiceAccount,
        &format!("{}/token", google.base),
    );
    let ours = run(None, &google, &creds);

    // Python's google-auth sends an authorized user's refresh to Google whatever the file's
    // token_uri says, so flytekit's side uses the service-account key, granted at token_uri
    let google = fake_google(Creds::ServiceAccountGrant, gets_before_done, false);
    let creds = credentials(
        &dir,
        Creds::ServiceAccountGrant,
        &format!("{}/token", google.base),
    );
    let flytekit = FlytekitServer::start_with_env(&[
        ("BIGQUERY_EMULATOR_HOST", google.base.as_ref()),
        ("GOOGLE_APPLICATION_CREDENTIALS", creds.as_os_str()),
        // flytekit's get and delete make a client with no project, which asks the environment
        ("GOOGLE_CLOUD_PROJECT", PROJECT.as_ref()),
    ]);
    let theirs = run(Some(&flytekit.addr), &google, &creds);
    [ours, theirs]
}

/// The BigQuery requests of one run, normalised where two correct clients differ: the random
/// job id, the order of query parameters (a map on the wire), the token endpoint, and
/// connections that carried no request (a poll in flight when Ctrl-C came is dropped before
/// it is sent).
fn bigquery_requests(seen: &[Received]) -> Vec<(String, String, Value)> {
    let mut job_id = String::new();
    let mut out = Vec::new();
    for r in seen
        .iter()
        .filter(|r| r.path != "/token" && !r.method.is_empty())
    {
        let mut body = r.json();
        if r.path.ends_with("/jobs?prettyPrint=false") {
            job_id = job_id_of(&mut body);
            if let Some(params) = body["configuration"]["query"]["queryParameters"].as_array_mut() {
                params.sort_by_key(|p| p["name"].to_string());
            }
        }
        let path = r.path.replace(&job_id, "{job}");
        if out
            .last()
            .is_some_and(|(m, p, _)| *m == r.method && *p == path)
        {
            continue; // polls: how often each polled is not the point
        }
        let cancel = path.contains("/cancel?");
        out.push((r.method.clone(), path, body));
        if cancel {
            // a poll already running in flytekit's executor thread may still land after it
            break;
        }
    }
    out
}

#[test]
fn requests_match_flytekits_bigquery_connector() {
    // one input of each type flytekit maps; the job never finishes, so both are interrupted
    // and cancel it
    let [(ours, our_out), (theirs, their_out)] = ours_and_flytekits(
        "bigquery_types.template.json",
        &[
            "--n",
            "7",
            "--ratio",
            "10",
            "--label",
            "héllo",
            "--flag",
            "--at",
            "2024-03-01T12:30:45.5",
        ],
        Ending::CtrlCAfterFirstGet,
    );
    let our_err = String::from_utf8_lossy(&our_out.stderr);
    assert_eq!(our_out.status.code(), Some(130), "{our_err}");
    assert_eq!(
        their_out.status.code(),
        Some(130),
        "{}",
        stderr_of(&their_out)
    );
    let (ours, theirs) = (bigquery_requests(&ours), bigquery_requests(&theirs));
    assert_eq!(
        ours, theirs,
        "agentctl's BigQuery requests differ from flytekit's connector's"
    );
    let methods: Vec<&str> = ours.iter().map(|(m, _, _)| m.as_str()).collect();
    assert_eq!(methods, ["POST", "GET", "POST"], "{ours:?}");
    assert!(ours[2].1.contains("/cancel?"), "{ours:?}");
}

#[test]
fn results_match_flytekits_bigquery_connector() {
    let [(ours, our_out), (theirs, their_out)] = ours_and_flytekits(
        "bigquery_doge_coin.template.json",
        &["--version", "10"],
        Ending::Finishes,
    );
    assert_eq!(our_out.status.code(), Some(0), "{}", stderr_of(&our_out));
    assert_eq!(
        their_out.status.code(),
        Some(0),
        "{}",
        stderr_of(&their_out)
    );
    let printed = |out: &std::process::Output, seen: &[Received]| {
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let job = seen
            .iter()
            .find(|r| r.path.ends_with("/jobs?prettyPrint=false"))
            .map(|r| {
                r.json()["jobReference"]["jobId"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .unwrap();
        let link = v["log_links"].to_string().replace(&job, "{job}");
        v["log_links"] = serde_json::from_str(&link).unwrap();
        v
    };
    let (o, t) = (printed(&our_out, &ours), printed(&their_out, &theirs));
    for key in [
        "phase",
        "message",
        "outputs",
        "outputs_literal",
        "log_links",
    ] {
        assert_eq!(o[key], t[key], "{key} differs from flytekit's");
    }

    let (mut ours, theirs) = (bigquery_requests(&ours), bigquery_requests(&theirs));
    // the one deliberate difference: the template's QueryJobConfig, which flytekit drops
    let query = ours[0].2["configuration"]["query"].as_object_mut().unwrap();
    assert_eq!(
        query.remove("maximumBytesBilled"),
        Some(json!("1000000000"))
    );
    assert_eq!(ours, theirs);
}

/// The job ids of the jobs.insert calls a fake received.
fn inserted_ids(google: &HttpServer) -> Vec<String> {
    let seen = google.seen.lock().unwrap();
    seen.iter()
        .filter(|r| r.path.ends_with("/jobs?prettyPrint=false"))
        .map(|r| {
            r.json()["jobReference"]["jobId"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn a_lost_insert_answer_is_retried_with_the_same_job_id() {
    let google = fake_google_with(
        Creds::ServiceAccount,
        0,
        false,
        InsertFault::FirstAnswerLost,
    );
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, Creds::ServiceAccount, &dir, Found::Env, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let ids = inserted_ids(&google);
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(
        ids[0], ids[1],
        "a retried insert must not make a second job"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let meta = String::from_utf8(base64_decode(v["resource_meta"].as_str().unwrap())).unwrap();
    assert!(meta.contains(&ids[0]), "{meta}");
}

#[test]
fn an_insert_that_keeps_failing_names_the_job_it_may_have_made() {
    let google = fake_google_with(Creds::ServiceAccount, 0, false, InsertFault::Down);
    let dir = tempfile::tempdir().unwrap();
    let out = bigquery_run(&google, Creds::ServiceAccount, &dir, Found::Env, &[]);
    let ids = inserted_ids(&google);
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let cancel = format!("`bq --location=US cancel {PROJECT}:{}` stops it", ids[0]);
    assert_failed(&out, 3, &["503", "tried 3 times", &cancel]);
}
