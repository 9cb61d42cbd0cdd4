//! The Databricks connector of `flytekitplugins-spark` (task types `spark` and `databricks`,
//! as its `Databricks` and `DatabricksV2` configs write them) and of `flyteplugins-databricks`
//! (Flyte 2, task type `databricks`), over the Jobs API 2.1: `runs/submit` with the run spec
//! the Python connector builds, `runs/get` to poll, `runs/cancel` on delete, and on a failure
//! `runs/get-output` for the task's own error and trace.
//!
//! The workspace is the template's `databricksInstance`, else `FLYTE_DATABRICKS_INSTANCE`.
//! Authentication is a personal access token only: the Flyte 2 connection's `databricks_token`
//! (the secret a `flyteplugins-databricks` template names), else the secret
//! `FLYTE_DATABRICKS_ACCESS_TOKEN`, found as flytekit finds connector secrets
//! ([`super::secrets::lookup`]). The token is never kept in `resource_meta`, which holds only
//! the instance and the run id (flytekit's connector keeps the token there). Other auth types
//! the plugin knows (OAuth M2M, OIDC federation) are refused, naming the type.
//!
//! `AGENTCTL_DATABRICKS_ENDPOINT` replaces `https://<instance>` as the base URL of every call
//! (tests point it at a local fake; private links at their own address).

use std::time::Duration;

use serde_json::{Value, json};
use tonic::Status;

use super::AsyncAgent;
use crate::literal;
use crate::pb::core::task_execution::Phase;
use crate::pb::{admin, core};

const INSTANCE_ENV: &str = "FLYTE_DATABRICKS_INSTANCE";
const TOKEN_SECRET: &str = "FLYTE_DATABRICKS_ACCESS_TOKEN";
/// The connection secret a `flyteplugins-databricks` template names in `custom.secrets`.
const FLYTE2_TOKEN_SECRET: &str = "databricks_token";
const AUTH_TYPE_ENV: &str = "FLYTE_DATABRICKS_AUTH_TYPE";
const SERVICE_CREDENTIAL_ENV: &str = "FLYTE_DATABRICKS_SERVICE_CREDENTIAL_PROVIDER";

/// How often runs/submit is tried when its answer is lost or is a server error: the
/// submission carries an idempotency token, so a retry cannot start a second run.
const SUBMIT_ATTEMPTS: u32 = 3;
/// How long one API call may take before its answer counts as lost.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// At most this much of a failed task's trace goes into the failure message (its end).
const TRACE_LIMIT: usize = 4000;

#[derive(Default)]
pub struct Databricks;

/// What `get` and `delete` need, as flytekit's `DatabricksJobMetadata` names it, without the
/// token flytekit keeps there (a flytekit-written `auth_token` is ignored, never used).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Meta {
    databricks_instance: String,
    run_id: String,
    /// The secret's name (never its value) when the token is a Flyte 2 connection's
    /// `databricks_token`, so that get and delete use the token create used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_secret: Option<String>,
}

/// A workspace host (`dbc-1234.cloud.databricks.com`, `adb-1.2.azuredatabricks.net`, with an
/// optional `:port`): under `serve` it comes from the caller, and it becomes the host the
/// token is sent to, so nothing but a host name passes.
fn valid_instance(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    !host.is_empty()
        && host.len() <= 253
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && port
            .is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn valid_run_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The URL of `/api/2.1/jobs/<op>` on `instance`, or on `AGENTCTL_DATABRICKS_ENDPOINT`.
fn api_url(instance: &str, op: &[&str], query: &[(&str, &str)]) -> Result<reqwest::Url, Status> {
    if !valid_instance(instance) {
        return Err(Status::invalid_argument(format!(
            "{instance:?} is not a Databricks workspace host (such as dbc-1234.cloud.databricks.com)"
        )));
    }
    let path: Vec<&str> = ["api", "2.1", "jobs"]
        .into_iter()
        .chain(op.iter().copied())
        .collect();
    super::http_client::api_url(
        "Databricks",
        "AGENTCTL_DATABRICKS_ENDPOINT",
        &format!("https://{instance}"),
        &path,
        query,
    )
}

fn custom_of(t: &core::TaskTemplate) -> Value {
    t.custom
        .as_ref()
        .map(literal::struct_to_json)
        .unwrap_or(Value::Null)
}

/// A `flyteplugins-databricks` (Flyte 2) template: that plugin always writes `custom.secrets`,
/// flytekit's never does. Its connector builds a simpler spec (its own entrypoint and commit,
/// no serverless, no notebook, no `FLYTE_FAIL_ON_ERROR`).
fn is_flyte2(custom: &Value) -> bool {
    custom.get("secrets").is_some()
}

/// The string at `key` of `custom`, unless empty.
fn custom_str<'a>(custom: &'a Value, key: &str) -> Option<&'a str> {
    custom
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The workspace the template names, else `FLYTE_DATABRICKS_INSTANCE`.
fn instance_of(custom: &Value) -> Result<String, Status> {
    custom_str(custom, "databricksInstance")
        .map(str::to_string)
        .or_else(|| std::env::var(INSTANCE_ENV).ok().filter(|v| !v.is_empty()))
        .ok_or_else(|| {
            Status::invalid_argument(format!(
                "no Databricks instance: the template's databricks_instance is not set, nor is \
                 {INSTANCE_ENV} (in the environment or .env)"
            ))
        })
}

/// Refuses every auth type but a personal access token, naming the one asked for.
fn check_auth_type(custom: &Value) -> Result<(), Status> {
    let (auth, from) = match custom_str(custom, "databricksAuthType") {
        Some(a) => (a.to_string(), "the template's databricks_auth_type"),
        None => match std::env::var(AUTH_TYPE_ENV).ok().filter(|v| !v.is_empty()) {
            Some(a) => (a, AUTH_TYPE_ENV),
            None => return Ok(()),
        },
    };
    if auth == "pat" {
        return Ok(());
    }
    Err(Status::failed_precondition(format!(
        "Databricks auth type {auth:?} (from {from}) is not supported by agentctl's built-in \
         Databricks agent, which authenticates with a personal access token only (auth type \
         \"pat\", the secret {TOKEN_SECRET}); run this task through flytekit's connector \
         (--endpoint) for {auth}"
    )))
}

/// The personal access token: the Flyte 2 connection's `databricks_token` when the template
/// names that secret, else the secret `FLYTE_DATABRICKS_ACCESS_TOKEN`. The error names where it
/// looked, never a value.
fn token(names_flyte2: bool) -> Result<String, Status> {
    let mut looked = Vec::new();
    if names_flyte2 {
        match super::secrets::lookup(FLYTE2_TOKEN_SECRET) {
            Ok(t) if !t.is_empty() => return Ok(t),
            Ok(_) => looked.push(format!("the secret {FLYTE2_TOKEN_SECRET} is empty")),
            Err(e) => looked.push(format!(
                "the connection's {FLYTE2_TOKEN_SECRET} is not set, and {e}"
            )),
        }
    }
    match super::secrets::lookup(TOKEN_SECRET) {
        Ok(t) if !t.is_empty() => Ok(t),
        Ok(_) => {
            looked.push(format!("the secret {TOKEN_SECRET} is empty"));
            Err(no_token(&looked))
        }
        Err(e) => {
            looked.push(e);
            Err(no_token(&looked))
        }
    }
}

fn no_token(looked: &[String]) -> Status {
    Status::unauthenticated(format!(
        "no Databricks personal access token: {}",
        looked.join("; ")
    ))
}

/// `base` with `extra` merged in (extra wins), as a JSON object.
fn merged(base: Option<&Value>, extra: &[(String, String)]) -> Value {
    let mut m = base.and_then(Value::as_object).cloned().unwrap_or_default();
    for (k, v) in extra {
        m.insert(k.clone(), v.clone().into());
    }
    Value::Object(m)
}

/// The environment `envs` into a classic `new_cluster` (flytekit's `_configure_classic_cluster`):
/// the task's image, the task's Spark conf when the cluster has none, the task's environment
/// over the cluster's `spark_env_vars`. An existing cluster is used as it is.
fn configure_classic(job: &mut Value, custom: &Value, image: &str, envs: &[(String, String)]) {
    if !job["existing_cluster_id"].is_null() {
        return;
    }
    let Some(cluster) = job.get_mut("new_cluster").filter(|c| c.is_object()) else {
        return;
    };
    if !truthy(&cluster["docker_image"]) {
        cluster["docker_image"] = json!({"url": image});
    }
    if !truthy(&cluster["spark_conf"]) {
        cluster["spark_conf"] = custom.get("sparkConf").cloned().unwrap_or(json!({}));
    }
    let vars = merged(cluster.get("spark_env_vars"), envs);
    cluster["spark_env_vars"] = vars;
}

/// Python's truthiness for JSON: null, false, 0, "" and empty collections are false.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Serverless: the `environments` entry the task uses, made when missing, with the task's
/// environment in its `environment_vars` (flytekit's `_configure_serverless`).
fn configure_serverless(job: &mut Value, envs: &[(String, String)]) -> String {
    let key = job
        .get("environment_key")
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string();
    let o = job.as_object_mut().expect("databricksConf is an object");
    let environments = o.entry("environments").or_insert_with(|| json!([]));
    if !environments.is_array() {
        *environments = json!([]);
    }
    let list = environments.as_array_mut().expect("an array");
    if !list.iter().any(|e| e["environment_key"] == key.as_str()) {
        list.push(json!({"environment_key": key, "spec": {"client": "1"}}));
    }
    if let Some(env) = list
        .iter_mut()
        .find(|e| e["environment_key"] == key.as_str())
    {
        if !env["spec"].is_object() {
            env["spec"] = json!({});
        }
        let vars = merged(env["spec"].get("environment_vars"), envs);
        env["spec"]["environment_vars"] = vars;
    }
    o.remove("environment_key");
    key
}

/// The runs/submit body the Python connector builds from this template (flytekit's
/// `_get_databricks_job_spec`, or `flyteplugins-databricks`'s for a Flyte 2 template).
fn job_spec(t: &core::TaskTemplate) -> Result<Value, Status> {
    let custom = custom_of(t);
    let container = t.target.as_ref().and_then(|target| match target {
        core::task_template::Target::Container(c) => Some(c),
        _ => None,
    });
    let Some(container) = container else {
        return Err(Status::invalid_argument(
            "a Databricks task needs a container target (the task's entrypoint and args)",
        ));
    };
    let mut job = custom.get("databricksConf").cloned().unwrap_or(Value::Null);
    if !job.is_object() {
        return Err(Status::invalid_argument(
            "the template's custom has no databricksConf (the Databricks job configuration)",
        ));
    }
    let args: Vec<Value> = container.args.iter().map(|a| a.clone().into()).collect();
    let mut envs: Vec<(String, String)> = container
        .env
        .iter()
        .map(|kv| (kv.key.clone(), kv.value.clone()))
        .collect();
    let has_cluster = !job["existing_cluster_id"].is_null() || !job["new_cluster"].is_null();

    if is_flyte2(&custom) {
        if !has_cluster {
            return Err(Status::invalid_argument(
                "databricksConf needs existing_cluster_id or new_cluster",
            ));
        }
        configure_classic(&mut job, &custom, &container.image, &envs);
        job["spark_python_task"] = json!({
            "python_file": "flyteplugins/databricks/entrypoint.py",
            "parameters": args,
            "source": "GIT",
        });
        job["git_source"] = json!({
            "git_url": "https://github.com/flyteorg/flytetools",
            "git_provider": "gitHub",
            "git_commit": "194364210c47c49ce66c419e8fb68d6f9c06fd7e",
        });
        return Ok(job);
    }

    // flytekit's connector makes the task fail on the first error (FLYTE_FAIL_ON_ERROR)
    match envs.iter_mut().find(|(k, _)| k == "FLYTE_FAIL_ON_ERROR") {
        Some(e) => e.1 = "true".into(),
        None => envs.push(("FLYTE_FAIL_ON_ERROR".into(), "true".into())),
    }
    let serverless = truthy(&job["environment_key"]) || truthy(&job["environments"]);
    if !has_cluster && !serverless {
        return Err(Status::invalid_argument(
            "No compute configuration found in databricks_conf. Provide one of: \
             'existing_cluster_id' (classic), 'new_cluster' (classic), 'environment_key' \
             (serverless), or 'environments' (serverless).",
        ));
    }
    let serverless = serverless && !has_cluster;
    let user_git_source = job.get("git_source").cloned().filter(truthy);
    let o = job.as_object_mut().expect("checked above");
    o.remove("git_source");

    if let Some(notebook) = custom_str(&custom, "notebookPath") {
        let mut task = json!({"notebook_path": notebook});
        if let Some(p) = custom.get("notebookBaseParameters").filter(|p| truthy(p)) {
            task["base_parameters"] = p.clone();
        }
        if user_git_source.is_some() {
            task["source"] = "GIT".into();
        }
        if serverless {
            let key = configure_serverless(&mut job, &envs);
            job["tasks"] = json!([{"task_key": "flyte_notebook_task", "notebook_task": task, "environment_key": key}]);
        } else {
            configure_classic(&mut job, &custom, &container.image, &envs);
            job["notebook_task"] = task;
        }
        if let Some(g) = user_git_source {
            job["git_source"] = g;
        }
        return Ok(job);
    }

    let git_source = user_git_source.unwrap_or_else(|| {
        json!({
            "git_url": "https://github.com/flyteorg/flytetools",
            "git_provider": "gitHub",
            "git_commit": "572298df1f971fb58c258398bd70a6372f811c96",
        })
    });
    let user_file = job
        .as_object_mut()
        .and_then(|o| o.remove("python_file"))
        .filter(truthy);
    if serverless {
        let file = user_file
            .unwrap_or_else(|| "flytekitplugins/databricks/entrypoint_serverless.py".into());
        let key = configure_serverless(&mut job, &envs);
        let mut parameters = args;
        let provider = custom_str(&custom, "databricksServiceCredentialProvider")
            .map(str::to_string)
            .or_else(|| std::env::var(SERVICE_CREDENTIAL_ENV).ok())
            .filter(|p| !p.is_empty());
        if let Some(p) = provider {
            parameters.push(format!("--flyte-credential-provider={p}").into());
        }
        job["tasks"] = json!([{
            "task_key": "flyte_task",
            "spark_python_task": {"python_file": file, "source": "GIT", "parameters": parameters},
            "environment_key": key,
        }]);
    } else {
        let file = user_file.unwrap_or_else(|| "flytekitplugins/databricks/entrypoint.py".into());
        configure_classic(&mut job, &custom, &container.image, &envs);
        job["spark_python_task"] =
            json!({"python_file": file, "source": "GIT", "parameters": args});
    }
    job["git_source"] = git_source;
    Ok(job)
}

fn new_idempotency_token() -> Result<String, Status> {
    super::http_client::uuid_v4("a Databricks idempotency token")
}

/// Databricks' own words for a failed call (`error_code: message`), or the body.
fn error_message(body: &Value) -> String {
    match (body["error_code"].as_str(), body["message"].as_str()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (None, Some(m)) => m.to_string(),
        _ if body.is_null() => "no body".into(),
        _ => body.to_string(),
    }
}

/// flytekit's `convert_to_flyte_phase` for the states Databricks reports, and the ones it does
/// not know (which make flytekit's connector fail the poll): a queued, blocked or
/// retry-waiting run is still on its way; a run Databricks skipped or excluded did not run.
fn phase_of(state: &str) -> Phase {
    match state.to_ascii_lowercase().as_str() {
        "failed" | "timeout" | "timedout" | "canceled" | "cancelled" | "skipped" | "excluded"
        | "upstream_failed" | "upstream_canceled" | "disabled" => Phase::Failed,
        "internal_error" | "maximum_concurrent_runs_reached" => Phase::RetryableFailed,
        "done" | "succeeded" | "success" | "completed" | "success_with_failures" => {
            Phase::Succeeded
        }
        "running" | "terminating" | "waiting_for_retry" => Phase::Running,
        "pending" | "queued" | "blocked" => Phase::Initializing,
        _ => Phase::Undefined,
    }
}

/// The last `limit` bytes of `s`, cut at a character boundary.
fn tail(s: &str, limit: usize) -> &str {
    if s.len() <= limit {
        return s;
    }
    let mut start = s.len() - limit;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

fn parse_meta(meta: &[u8]) -> Result<Meta, Status> {
    let m: Meta = serde_json::from_slice(meta).map_err(|e| {
        Status::invalid_argument(format!("resource_meta is not Databricks run metadata: {e}"))
    })?;
    if !valid_run_id(&m.run_id) {
        return Err(Status::invalid_argument(format!(
            "{:?} is not a Databricks run id",
            m.run_id
        )));
    }
    // under serve, resource_meta is the caller's: it may not name another secret to send
    if let Some(s) = m
        .token_secret
        .as_deref()
        .filter(|s| *s != FLYTE2_TOKEN_SECRET)
    {
        return Err(Status::invalid_argument(format!(
            "resource_meta names the token secret {s:?}; only {FLYTE2_TOKEN_SECRET} is used"
        )));
    }
    Ok(m)
}

impl Databricks {
    /// One call with the token: its HTTP status and JSON body, or UNAVAILABLE when no answer
    /// came.
    async fn call(
        &self,
        req: reqwest::RequestBuilder,
        token: &str,
        what: &str,
    ) -> Result<(reqwest::StatusCode, Value), Status> {
        let resp = req
            .bearer_auth(token)
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .map_err(|e| {
                Status::unavailable(format!(
                    "Databricks {what}: {}",
                    super::http_client::describe(&e)
                ))
            })?;
        let status = resp.status();
        Ok((status, resp.json().await.unwrap_or(Value::Null)))
    }

    /// A call that must succeed: its JSON body; UNAVAILABLE for a server error or throttling
    /// (worth polling again), else an error with Databricks' message.
    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        token: &str,
        what: &str,
    ) -> Result<Value, Status> {
        let (status, body) = self.call(req, token, what).await?;
        if status.is_success() {
            return Ok(body);
        }
        let text = format!(
            "Databricks {what} answered {status}: {}",
            error_message(&body)
        );
        Err(match status.as_u16() {
            429 | 500..=599 => Status::unavailable(text),
            401 | 403 => Status::permission_denied(text),
            404 => Status::not_found(text),
            _ => Status::internal(text),
        })
    }

    async fn submit(&self, req: &admin::CreateTaskRequest) -> Result<Vec<u8>, Status> {
        let t = req
            .template
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("no template"))?;
        let custom = custom_of(t);
        check_auth_type(&custom)?;
        let mut spec = job_spec(t)?;
        let instance = instance_of(&custom)?;
        let url = api_url(&instance, &["runs", "submit"], &[])?;
        let names_flyte2 = custom
            .get("secrets")
            .and_then(|s| s.get(FLYTE2_TOKEN_SECRET))
            .is_some_and(Value::is_string);
        let token = token(names_flyte2)?;
        if spec.get("idempotency_token").is_none() {
            spec["idempotency_token"] = new_idempotency_token()?.into();
        }
        let mut attempt = 0;
        let answer = loop {
            attempt += 1;
            let request = super::http_client::shared().post(url.clone()).json(&spec);
            let (failure, may_exist) = match self.call(request, &token, "runs/submit").await {
                Ok((status, answer)) if status.is_success() => break answer,
                Ok((status, answer)) => (
                    Status::internal(format!(
                        "Failed to create databricks job: runs/submit answered {status}: {}",
                        error_message(&answer)
                    )),
                    status.is_server_error() || status.as_u16() == 429,
                ),
                Err(s) if s.code() == tonic::Code::Unavailable => (s, true),
                Err(s) => (s, false),
            };
            if !may_exist || attempt >= SUBMIT_ATTEMPTS {
                if may_exist {
                    return Err(Status::new(
                        failure.code(),
                        format!(
                            "{} (tried {attempt} times); a run may have started on {instance}: \
                             look for run name {:?}",
                            failure.message(),
                            spec["run_name"].as_str().unwrap_or_default()
                        ),
                    ));
                }
                return Err(failure);
            }
            tokio::time::sleep(Duration::from_millis(250) * attempt).await;
        };
        let run_id = match &answer["run_id"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            other => {
                return Err(Status::internal(format!(
                    "Databricks runs/submit answered no run_id: {other}"
                )));
            }
        };
        if !valid_run_id(&run_id) {
            return Err(Status::internal(format!(
                "Databricks runs/submit answered the run id {run_id:?}"
            )));
        }
        serde_json::to_vec(&Meta {
            databricks_instance: instance,
            run_id,
            token_secret: names_flyte2.then(|| FLYTE2_TOKEN_SECRET.to_string()),
        })
        .map_err(|e| Status::internal(e.to_string()))
    }

    /// The failed task's error and trace from runs/get-output (of the run's failed task when
    /// it has tasks, as Jobs 2.1 runs do), or nothing when it has none to give.
    async fn output_of(&self, m: &Meta, run: &Value, token: &str) -> Option<String> {
        let tasks = run["tasks"].as_array();
        let task_run = tasks
            .and_then(|ts| {
                ts.iter()
                    .find(|t| {
                        let s = &t["state"];
                        s["result_state"] == "FAILED" || s["life_cycle_state"] == "INTERNAL_ERROR"
                    })
                    .or_else(|| ts.first())
            })
            .and_then(|t| match &t["run_id"] {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .filter(|id| valid_run_id(id))
            .unwrap_or_else(|| m.run_id.clone());
        let url = api_url(
            &m.databricks_instance,
            &["runs", "get-output"],
            &[("run_id", &task_run)],
        )
        .ok()?;
        let out = self
            .send(
                super::http_client::shared().get(url),
                token,
                "runs/get-output",
            )
            .await
            .ok()?;
        let error = out["error"].as_str().filter(|s| !s.is_empty());
        let trace = out["error_trace"].as_str().filter(|s| !s.is_empty());
        match (error, trace) {
            (None, None) => None,
            (Some(e), None) => Some(e.to_string()),
            (e, Some(t)) => {
                let t = tail(t.trim_end(), TRACE_LIMIT);
                Some(match e {
                    Some(e) if !t.contains(e) => format!("{e}\n{t}"),
                    _ => t.to_string(),
                })
            }
        }
    }

    async fn poll(&self, meta: &[u8]) -> Result<admin::Resource, Status> {
        let m = parse_meta(meta)?;
        let url = api_url(
            &m.databricks_instance,
            &["runs", "get"],
            &[("run_id", &m.run_id)],
        )?;
        let token = token(m.token_secret.is_some())?;
        let run = self
            .send(super::http_client::shared().get(url), &token, "runs/get")
            .await?;
        let state = &run["state"];
        let life_cycle = state["life_cycle_state"].as_str().unwrap_or_default();
        let result = state["result_state"].as_str();
        // flytekit's rule: the result state counts once the run is TERMINATED
        let (phase, shown) = match (life_cycle, result) {
            ("TERMINATED", Some(r)) => (phase_of(r), r),
            ("TERMINATED", None) => (Phase::Failed, "TERMINATED"),
            (l, _) => (phase_of(l), l),
        };
        let state_message = state["state_message"].as_str().unwrap_or_default();
        let link = match (&run["job_id"], run["run_page_url"].as_str()) {
            (Value::Number(job), _) => Some(format!(
                "https://{}/#job/{job}/run/{}",
                m.databricks_instance, m.run_id
            )),
            (_, Some(page)) => Some(page.to_string()),
            _ => None,
        };
        let log_links = link
            .map(|uri| core::TaskLog {
                name: "Databricks Console".into(),
                uri,
                ..Default::default()
            })
            .into_iter()
            .collect();
        if phase == Phase::Undefined {
            return Err(Status::internal(format!(
                "unrecognized Databricks run state {shown:?}: {state_message}"
            )));
        }
        let mut message = state_message.to_string();
        if matches!(phase, Phase::Failed | Phase::RetryableFailed) {
            message = match message.is_empty() {
                true => format!("Databricks run {} {shown}", m.run_id),
                false => format!("Databricks run {} {shown}: {message}", m.run_id),
            };
            if let Some(detail) = self.output_of(&m, &run, &token).await {
                message.push('\n');
                message.push_str(&detail);
            }
        }
        Ok(admin::Resource {
            phase: phase as i32,
            message,
            log_links,
            ..Default::default()
        })
    }

    async fn cancel(&self, meta: &[u8]) -> Result<(), Status> {
        let m = parse_meta(meta)?;
        let url = api_url(&m.databricks_instance, &["runs", "cancel"], &[])?;
        let token = token(m.token_secret.is_some())?;
        // the API's run_id is a number (flytekit's connector sends the string)
        let run_id: u64 = m.run_id.parse().map_err(|_| {
            Status::invalid_argument(format!("{:?} is not a Databricks run id", m.run_id))
        })?;
        let body = json!({"run_id": run_id});
        self.send(
            super::http_client::shared().post(url).json(&body),
            &token,
            "runs/cancel",
        )
        .await
        .map(|_| ())
    }
}

#[tonic::async_trait]
impl AsyncAgent for Databricks {
    async fn create(&self, req: &admin::CreateTaskRequest) -> Result<Vec<u8>, Status> {
        self.submit(req).await
    }

    async fn get(&self, resource_meta: &[u8]) -> Result<admin::Resource, Status> {
        self.poll(resource_meta).await
    }

    async fn delete(&self, resource_meta: &[u8]) -> Result<(), Status> {
        self.cancel(resource_meta).await
    }
}

/// Where the run goes, on what compute, running what: from the template alone.
fn describe_run(t: &core::TaskTemplate) -> Vec<(&'static str, String)> {
    let custom = custom_of(t);
    let mut rows = Vec::new();
    let instance = custom_str(&custom, "databricksInstance")
        .map(str::to_string)
        .or_else(|| {
            std::env::var(INSTANCE_ENV)
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{v} (from {INSTANCE_ENV})"))
        })
        .unwrap_or_else(|| format!("none: set databricks_instance or {INSTANCE_ENV}"));
    rows.push(("instance", instance));
    if let Some(a) = custom_str(&custom, "databricksAuthType").filter(|a| *a != "pat") {
        rows.push((
            "auth",
            format!("{a} (refused: personal access tokens only)"),
        ));
    }
    let conf = &custom["databricksConf"];
    let cluster = if let Some(id) = conf["existing_cluster_id"].as_str() {
        format!("existing cluster {id}")
    } else if conf["new_cluster"].is_object() {
        let c = &conf["new_cluster"];
        let mut parts = vec!["new cluster".to_string()];
        for key in ["spark_version", "node_type_id"] {
            if let Some(v) = c[key].as_str() {
                parts.push(v.to_string());
            }
        }
        if let Some(n) = c["num_workers"].as_f64() {
            parts.push(format!("{n} workers"));
        }
        parts.join(", ")
    } else if truthy(&conf["environment_key"]) || truthy(&conf["environments"]) {
        let key = conf["environment_key"].as_str().unwrap_or("default");
        format!("serverless, environment {key}")
    } else {
        "none: databricksConf has no cluster or environment".into()
    };
    rows.push(("cluster", cluster));
    if let Some(name) = conf["run_name"].as_str() {
        rows.push(("run name", name.to_string()));
    }
    match job_spec(t) {
        Ok(spec) => {
            let task = spec["tasks"][0].as_object().cloned().map(Value::Object);
            let task = task.as_ref().unwrap_or(&spec);
            let entry = if let Some(p) = task["spark_python_task"]["python_file"].as_str() {
                let g = &spec["git_source"];
                let at = ["git_commit", "git_tag", "git_branch"]
                    .iter()
                    .find_map(|k| g[*k].as_str())
                    .unwrap_or_default();
                format!(
                    "{p} from {}@{at}",
                    g["git_url"].as_str().unwrap_or_default()
                )
            } else if let Some(n) = task["notebook_task"]["notebook_path"].as_str() {
                format!("notebook {n}")
            } else {
                String::new()
            };
            rows.push(("entrypoint", entry));
            let params = &task["spark_python_task"]["parameters"];
            if let Some(ps) = params.as_array() {
                let words: Vec<&str> = ps.iter().filter_map(Value::as_str).collect();
                rows.push(("args", words.join(" ")));
            }
        }
        Err(e) => rows.push(("entrypoint", format!("none: {}", e.message()))),
    }
    rows
}

/// The agent for one of its task types: `spark` (flytekitplugins-spark's `Databricks`) or
/// `databricks` (its `DatabricksV2`, and flyteplugins-databricks'), named as flytekit's
/// connector is.
pub fn registered(task_type: &str) -> super::Registered {
    super::Registered {
        name: "Databricks Connector",
        category: super::category(task_type),
        implementation: super::Implementation::Async(std::sync::Arc::new(Databricks)),
        describe: describe_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_are_hosts_and_run_ids_numbers() {
        for ok in [
            "dbc-1234.cloud.databricks.com",
            "adb-1.2.azuredatabricks.net",
            "127.0.0.1:8443",
        ] {
            assert!(valid_instance(ok), "{ok}");
        }
        for bad in [
            "",
            "a/b",
            "evil.com/x?",
            "a..b",
            "h:",
            "h:123456",
            "user@host",
            "h#x",
        ] {
            assert!(!valid_instance(bad), "{bad:?}");
        }
        assert!(valid_run_id("123") && !valid_run_id("1 2") && !valid_run_id("../1"));
        let meta = br#"{"databricks_instance": "h.example", "run_id": "../x", "auth_token": "t"}"#;
        assert_eq!(
            parse_meta(meta).unwrap_err().code(),
            tonic::Code::InvalidArgument
        );
        // flytekit's metadata (with its token) is read, the token ignored
        let meta = br#"{"databricks_instance": "h.example", "run_id": "42", "auth_token": "t", "auth_type": "pat"}"#;
        assert_eq!(parse_meta(meta).unwrap().run_id, "42");
    }

    #[test]
    fn states_map_as_flytekit_maps_them() {
        assert_eq!(phase_of("FAILED"), Phase::Failed);
        assert_eq!(phase_of("INTERNAL_ERROR"), Phase::RetryableFailed);
        assert_eq!(phase_of("SUCCESS"), Phase::Succeeded);
        assert_eq!(phase_of("PENDING"), Phase::Initializing);
        assert_eq!(phase_of("QUEUED"), Phase::Initializing);
        assert_eq!(phase_of("RUNNING"), Phase::Running);
        assert_eq!(phase_of("SOMETHING_NEW"), Phase::Undefined);
    }

    #[test]
    fn a_trace_keeps_its_end() {
        assert_eq!(tail("abcdef", 3), "def");
        assert_eq!(tail("ab", 3), "ab");
        assert_eq!(tail("aé", 1), "");
    }
}
