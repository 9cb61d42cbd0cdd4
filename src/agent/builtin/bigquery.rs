//! flytekit's BigQuery agent (task type `bigquery_query_job_task`) over the BigQuery REST v2
//! API: `jobs.insert` with the template's `sql.statement` and the inputs as named query
//! parameters (typed as flytekit's agent types them), `jobs.get` to poll, `jobs.cancel` on
//! delete, and the destination table as the `results` structured dataset (`bq://p:d.t`).
//!
//! Credentials are Application Default Credentials through Google's own `google-cloud-auth`,
//! found as every Google client library finds them: the file `GOOGLE_APPLICATION_CREDENTIALS`
//! names (service-account keys sign their own tokens; authorized-user files, which `gcloud auth
//! application-default login` writes, are refreshed at their `token_uri`), else gcloud's
//! well-known file, else the metadata server. Whatever headers the credentials carry (the
//! bearer token, and `x-goog-user-project` for a quota project) go on every request. The API
//! endpoint can be pointed elsewhere with `AGENTCTL_BIGQUERY_ENDPOINT` (tests point it at a
//! local fake).

use std::time::Duration;

use google_cloud_auth::credentials::{self, CacheableResource, Credentials};
use serde_json::{Value, json};
use tokio::sync::OnceCell;
use tonic::Status;

use super::AsyncAgent;
use crate::literal;
use crate::pb::core::task_execution::Phase;
use crate::pb::{admin, core};

const SCOPES: &[&str] = &["https://www.googleapis.com/auth/bigquery"];
const DEFAULT_ENDPOINT: &str = "https://bigquery.googleapis.com";

/// How often jobs.insert is tried when its answer is lost or is a server error: the job id is
/// chosen here, so a retry cannot make a second job.
const INSERT_ATTEMPTS: u32 = 3;
/// How long one API call may take before its answer counts as lost: in-process there is no RPC
/// deadline to end it, and a lost insert answer must end for the insert to be tried again.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct BigQuery {
    // found on first use, so that a run of any other task type never reads credentials; built
    // once even when `serve` gets many first calls at the same time
    credentials: OnceCell<Credentials>,
}

/// The REST URL of `segments` under the API's `/bigquery/v2/projects/`, each segment checked
/// to be a name (a job id comes from `resource_meta`, which under `serve` is the caller's),
/// with `query` pairs in the order given.
fn api_url(segments: &[&str], query: &[(&str, &str)]) -> Result<reqwest::Url, Status> {
    for s in segments {
        if !valid_name(s) {
            return Err(Status::invalid_argument(format!(
                "{s:?} is not a BigQuery project or job id"
            )));
        }
    }
    let path: Vec<&str> = ["bigquery", "v2", "projects"]
        .into_iter()
        .chain(segments.iter().copied())
        .collect();
    super::http_client::api_url(
        "BigQuery",
        "AGENTCTL_BIGQUERY_ENDPOINT",
        DEFAULT_ENDPOINT,
        &path,
        query,
    )
}

/// The job's identity, as flytekit's `BigQueryMetadata` writes it (JSON in `resource_meta`).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Meta {
    job_id: String,
    project: String,
    location: Option<String>,
}

/// A query parameter for one input, as flytekit's agent makes it through Google's Python
/// client: typed INT64, FLOAT64, STRING, BOOL, DATETIME or BYTES, with the value written as
/// that client writes it (FLOAT64 a JSON number, DATETIME the UTC wall-clock time with
/// microseconds). Lists become ARRAY parameters, which flytekit's agent cannot make.
fn parameter(
    name: &str,
    lit: &core::Literal,
    declared: Option<&core::LiteralType>,
) -> Result<Value, Status> {
    use core::{literal, primitive, scalar};
    let typed = |ty: &str, value: Value| json!({"name": name, "parameterType": {"type": ty}, "parameterValue": {"value": value}});
    let unsupported = |what: &str| {
        Status::invalid_argument(format!(
            "input {name}: BigQuery has no query parameter type for {what}"
        ))
    };
    match &lit.value {
        Some(literal::Value::Scalar(s)) => match &s.value {
            Some(scalar::Value::Primitive(p)) => Ok(match &p.value {
                Some(primitive::Value::Integer(i)) => typed("INT64", i.to_string().into()),
                Some(primitive::Value::FloatValue(f)) => typed("FLOAT64", float_value(*f)),
                Some(primitive::Value::StringValue(s)) => typed("STRING", s.clone().into()),
                Some(primitive::Value::Boolean(b)) => typed("BOOL", b.to_string().into()),
                Some(primitive::Value::Datetime(t)) => {
                    let utc = chrono::DateTime::from_timestamp(t.seconds, t.nanos.max(0) as u32)
                        .ok_or_else(|| unsupported("a datetime out of range"))?;
                    let text = utc.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
                    typed("DATETIME", text.into())
                }
                _ => return Err(unsupported("durations")),
            }),
            Some(scalar::Value::Binary(b)) => {
                use base64::Engine as _;
                let text = base64::engine::general_purpose::STANDARD.encode(&b.value);
                Ok(typed("BYTES", text.into()))
            }
            _ => Err(unsupported("this literal")),
        },
        Some(literal::Value::Collection(c)) => {
            let element = declared.and_then(|t| match &t.r#type {
                Some(core::literal_type::Type::CollectionType(e)) => Some(e.as_ref()),
                _ => None,
            });
            let items: Vec<Value> = c
                .literals
                .iter()
                .map(|l| parameter(name, l, element))
                .collect::<Result<_, _>>()?;
            // an empty list still needs its element type, which only the interface knows
            let ty = items
                .first()
                .map(|i| i["parameterType"].clone())
                .or_else(|| element.and_then(bigquery_type).map(|t| json!({"type": t})))
                .unwrap_or(json!({"type": "STRING"}));
            let values: Vec<Value> = items.iter().map(|i| i["parameterValue"].clone()).collect();
            Ok(
                json!({"name": name, "parameterType": {"type": "ARRAY", "arrayType": ty}, "parameterValue": {"arrayValues": values}}),
            )
        }
        _ => Err(unsupported("this literal")),
    }
}

/// A project, job id, location or path word as BigQuery spells them: letters, digits, `_`, `-`,
/// and the `:` and `.` of domain-scoped projects, but never a `.` or `..` segment, which URL
/// building would drop (`jobs/..` would become a jobs.list).
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
}

/// The BigQuery type of a declared scalar type, as [`parameter`] types its values.
fn bigquery_type(t: &core::LiteralType) -> Option<&'static str> {
    use core::SimpleType as S;
    match &t.r#type {
        Some(core::literal_type::Type::Simple(s)) => match S::try_from(*s).ok()? {
            S::Integer => Some("INT64"),
            S::Float => Some("FLOAT64"),
            S::String => Some("STRING"),
            S::Boolean => Some("BOOL"),
            S::Datetime => Some("DATETIME"),
            S::Binary => Some("BYTES"),
            _ => None,
        },
        _ => None,
    }
}

/// A FLOAT64 value: a JSON number, or the names BigQuery reads for what JSON cannot hold.
fn float_value(f: f64) -> Value {
    match serde_json::Number::from_f64(f) {
        Some(n) => Value::Number(n),
        None if f.is_nan() => "NaN".into(),
        None if f > 0.0 => "Infinity".into(),
        None => "-Infinity".into(),
    }
}

fn new_job_id() -> Result<String, Status> {
    super::http_client::uuid_v4("a BigQuery job id")
}

/// The job named by `resource_meta`, and its REST URL (`suffix` such as `cancel`) with the
/// query Google's Python client sends: `projection=full`, the job's `location` (BigQuery wants
/// it for jobs outside the US and EU multi-regions) and `prettyPrint=false`.
fn job_url(meta: &[u8], suffix: Option<&str>) -> Result<(Meta, reqwest::Url), Status> {
    let m: Meta = serde_json::from_slice(meta).map_err(|e| {
        Status::invalid_argument(format!("resource_meta is not BigQuery job metadata: {e}"))
    })?;
    let mut segments = vec![m.project.as_str(), "jobs", m.job_id.as_str()];
    segments.extend(suffix);
    let mut query = vec![("projection", "full")];
    if let Some(l) = &m.location {
        if !valid_name(l) {
            return Err(Status::invalid_argument(format!(
                "{l:?} is not a BigQuery location"
            )));
        }
        query.push(("location", l));
    }
    query.push(("prettyPrint", "false"));
    let url = api_url(&segments, &query)?;
    Ok((m, url))
}

/// BigQuery's own words for a failed call, or the whole body when it has none.
fn error_message(body: &Value) -> String {
    body["error"]["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| body.to_string())
}

fn phase_of(state: &str) -> Result<Phase, Status> {
    // flytekit's convert_to_flyte_phase
    match state.to_ascii_lowercase().as_str() {
        "failed" | "timeout" | "timedout" | "canceled" | "cancelled" | "skipped" => {
            Ok(Phase::Failed)
        }
        "internal_error" => Ok(Phase::RetryableFailed),
        "done" | "succeeded" | "success" | "completed" => Ok(Phase::Succeeded),
        "running" | "terminating" => Ok(Phase::Running),
        "pending" => Ok(Phase::Initializing),
        other => Err(Status::internal(format!(
            "unrecognized BigQuery job state {other:?}"
        ))),
    }
}

impl BigQuery {
    async fn credentials(&self) -> Result<&Credentials, Status> {
        self.credentials
            .get_or_try_init(|| async {
                super::http_client::install_crypto_provider();
                credentials::Builder::default()
                    .with_scopes(SCOPES.iter().copied())
                    .build()
                    .map_err(|e| {
                        let hint = match std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS") {
                            Some(_) => "check the file GOOGLE_APPLICATION_CREDENTIALS names",
                            None => {
                                "set GOOGLE_APPLICATION_CREDENTIALS, in the environment or .env, \
                                 to a service-account key or the file `gcloud auth \
                                 application-default login` writes"
                            }
                        };
                        Status::unauthenticated(format!(
                            "no usable Google credentials: {} ({hint})",
                            super::http_client::describe(&e)
                        ))
                    })
            })
            .await
    }

    /// The headers the credentials put on a request: the bearer token, and the quota project
    /// when the credentials name one.
    async fn auth_headers(&self) -> Result<http::HeaderMap, Status> {
        match self
            .credentials()
            .await?
            .headers(http::Extensions::new())
            .await
            .map_err(|e| {
                Status::unauthenticated(format!(
                    "getting a Google access token failed: {}",
                    super::http_client::describe(&e)
                ))
            })? {
            CacheableResource::New { data, .. } => Ok(data),
            // only answered to a caller that passed the tag of headers it already holds
            CacheableResource::NotModified => Err(Status::internal(
                "google-cloud-auth answered NotModified to a request without an entity tag",
            )),
        }
    }

    /// One authenticated call: its HTTP status and JSON body, or UNAVAILABLE when no answer
    /// came.
    async fn call(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(reqwest::StatusCode, Value), Status> {
        let resp = req
            .headers(self.auth_headers().await?)
            .timeout(CALL_TIMEOUT)
            .send()
            .await
            .map_err(|e| {
                Status::unavailable(format!(
                    "BigQuery {what}: {}",
                    super::http_client::describe(&e)
                ))
            })?;
        let status = resp.status();
        Ok((status, resp.json().await.unwrap_or(Value::Null)))
    }

    /// A call that must succeed: its JSON body, or INTERNAL with BigQuery's message.
    async fn send(&self, req: reqwest::RequestBuilder, what: &str) -> Result<Value, Status> {
        let (status, body) = self.call(req, what).await?;
        if !status.is_success() {
            return Err(Status::internal(format!(
                "BigQuery {what} answered {status}: {}",
                error_message(&body)
            )));
        }
        Ok(body)
    }

    /// jobs.insert, tried again with the same job id when no answer came or BigQuery answered
    /// a server error; 409 on a later try means an earlier one made the job. When it may exist
    /// but the insert still failed, the error says how to cancel it.
    async fn insert(&self, project: &str, body: &Value) -> Result<Value, Status> {
        let url = api_url(&[project, "jobs"], &[("prettyPrint", "false")])?;
        let job = &body["jobReference"];
        // once an attempt may have made the job, every failure says how to cancel it
        let naming = |failure: Status, attempt: u32| {
            let location = job["location"]
                .as_str()
                .map(|l| format!("--location={l} "))
                .unwrap_or_default();
            let id = job["jobId"].as_str().unwrap_or_default();
            Status::new(
                failure.code(),
                format!(
                    "{} (tried {attempt} times); job {id} may have been created: if so, `bq \
                     {location}cancel {project}:{id}` stops it",
                    failure.message()
                ),
            )
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let request = super::http_client::shared().post(url.clone()).json(body);
            let (failure, may_exist) = match self.call(request, "jobs.insert").await {
                Ok((status, answer)) if status.is_success() => return Ok(answer),
                Ok((reqwest::StatusCode::CONFLICT, _)) if attempt > 1 => {
                    return Ok(json!({"jobReference": job}));
                }
                Ok((status, answer)) => (
                    Status::internal(format!(
                        "BigQuery jobs.insert answered {status}: {}",
                        error_message(&answer)
                    )),
                    status.is_server_error(),
                ),
                Err(s) if s.code() == tonic::Code::Unavailable => (s, true),
                Err(s) => (s, false),
            };
            if !may_exist || attempt >= INSERT_ATTEMPTS {
                return Err(if attempt > 1 || may_exist {
                    naming(failure, attempt)
                } else {
                    failure
                });
            }
            tokio::time::sleep(Duration::from_millis(250) * attempt).await;
        }
    }

    async fn create_job(&self, req: &admin::CreateTaskRequest) -> Result<Vec<u8>, Status> {
        let t = req
            .template
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("no template"))?;
        let custom = t
            .custom
            .as_ref()
            .map(literal::struct_to_json)
            .unwrap_or(Value::Null);
        let project = custom["ProjectID"]
            .as_str()
            .ok_or_else(|| Status::invalid_argument("the template's custom has no ProjectID"))?
            .to_string();
        let location = custom["Location"].as_str().map(str::to_string);
        let statement = match &t.target {
            Some(core::task_template::Target::Sql(sql)) => sql.statement.clone(),
            _ => {
                return Err(Status::invalid_argument(
                    "a BigQuery task needs an sql target",
                ));
            }
        };
        let declared = crate::inputs::variables(t);
        let mut names: Vec<&String> = req
            .inputs
            .as_ref()
            .map(|i| i.literals.keys().collect())
            .unwrap_or_default();
        names.sort();
        let params: Vec<Value> = names
            .iter()
            .map(|n| {
                let declared = declared.get(*n).and_then(|v| v.r#type.as_ref());
                parameter(n, &req.inputs.as_ref().unwrap().literals[*n], declared)
            })
            .collect::<Result<_, _>>()?;
        // The QueryJobConfig settings flytekit's BigQueryTask writes into custom (a byte cap, a
        // destination table, a write disposition...) apply to the job; flytekit's own agent
        // drops them.
        let mut query = json!({"useLegacySql": false});
        for (k, v) in custom.as_object().into_iter().flatten() {
            if !["ProjectID", "Location", "Domain"].contains(&k.as_str()) {
                query[k] = v.clone();
            }
        }
        query["query"] = statement.into();
        if !params.is_empty() {
            query["parameterMode"] = "NAMED".into();
            query["queryParameters"] = params.into();
        }
        let mut job_ref = json!({"projectId": project, "jobId": new_job_id()?});
        if let Some(l) = &location {
            job_ref["location"] = l.clone().into();
        }
        let body = json!({"jobReference": job_ref, "configuration": {"query": query}});
        let job = self.insert(&project, &body).await?;
        // the id is ours: an answer whose body was lost on the way still made this job
        let job_id = job["jobReference"]["jobId"]
            .as_str()
            .unwrap_or(job_ref["jobId"].as_str().unwrap_or_default())
            .to_string();
        let location = job["jobReference"]["location"]
            .as_str()
            .map(str::to_string)
            .or(location);
        serde_json::to_vec(&Meta {
            job_id,
            project,
            location,
        })
        .map_err(|e| Status::internal(e.to_string()))
    }

    async fn get_job(&self, meta: &[u8]) -> Result<admin::Resource, Status> {
        let (m, url) = job_url(meta, None)?;
        let job = self
            .send(super::http_client::shared().get(url), "jobs.get")
            .await?;
        let link = core::TaskLog {
            name: "BigQuery Console".into(),
            uri: format!(
                "https://console.cloud.google.com/bigquery?project={}&j=bq:{}:{}&page=queryresults",
                m.project,
                m.location.as_deref().unwrap_or_default(),
                m.job_id
            ),
            ..Default::default()
        };
        if let Some(err) = job["status"]["errorResult"].as_object() {
            let message = err
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("the job failed")
                .to_string();
            return Ok(admin::Resource {
                phase: Phase::Failed as i32,
                message,
                log_links: vec![link],
                ..Default::default()
            });
        }
        let state = job["status"]["state"]
            .as_str()
            .unwrap_or("PENDING")
            .to_string();
        let phase = phase_of(&state)?;
        let mut outputs = None;
        let dest = &job["configuration"]["query"]["destinationTable"];
        if phase == Phase::Succeeded && dest.is_object() {
            let uri = format!(
                "bq://{}:{}.{}",
                dest["projectId"].as_str().unwrap_or_default(),
                dest["datasetId"].as_str().unwrap_or_default(),
                dest["tableId"].as_str().unwrap_or_default()
            );
            let sd = core::Literal {
                value: Some(core::literal::Value::Scalar(Box::new(core::Scalar {
                    value: Some(core::scalar::Value::StructuredDataset(
                        core::StructuredDataset {
                            uri,
                            metadata: Some(core::StructuredDatasetMetadata {
                                structured_dataset_type: Some(Default::default()),
                            }),
                        },
                    )),
                }))),
                ..Default::default()
            };
            outputs = Some(core::LiteralMap {
                literals: [("results".to_string(), sd)].into(),
            });
        }
        Ok(admin::Resource {
            phase: phase as i32,
            message: state,
            outputs,
            log_links: vec![link],
            ..Default::default()
        })
    }

    async fn cancel_job(&self, meta: &[u8]) -> Result<(), Status> {
        let (_, url) = job_url(meta, Some("cancel"))?;
        self.send(super::http_client::shared().post(url), "jobs.cancel")
            .await
            .map(|_| ())
    }
}

#[tonic::async_trait]
impl AsyncAgent for BigQuery {
    async fn create(&self, req: &admin::CreateTaskRequest) -> Result<Vec<u8>, Status> {
        self.create_job(req).await
    }

    async fn get(&self, resource_meta: &[u8]) -> Result<admin::Resource, Status> {
        self.get_job(resource_meta).await
    }

    async fn delete(&self, resource_meta: &[u8]) -> Result<(), Status> {
        self.cancel_job(resource_meta).await
    }
}

/// The query and where it runs, as the template says.
fn describe_query(t: &core::TaskTemplate) -> Vec<(&'static str, String)> {
    let custom = t
        .custom
        .as_ref()
        .map(literal::struct_to_json)
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (label, key) in [("project", "ProjectID"), ("location", "Location")] {
        if let Some(v) = custom.get(key).and_then(|v| v.as_str()) {
            rows.push((label, v.to_string()));
        }
    }
    if let Some(core::task_template::Target::Sql(sql)) = &t.target {
        rows.push(("query", sql.statement.clone()));
    }
    rows
}

pub fn registered() -> super::Registered {
    super::Registered {
        name: "Bigquery Connector",
        category: super::category("bigquery_query_job_task"),
        implementation: super::Implementation::Async(std::sync::Arc::new(BigQuery::default())),
        describe: describe_query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_list_takes_its_element_type_from_the_interface() {
        let ints = core::LiteralType {
            r#type: Some(core::literal_type::Type::CollectionType(Box::new(
                core::LiteralType {
                    r#type: Some(core::literal_type::Type::Simple(
                        core::SimpleType::Integer as i32,
                    )),
                    ..Default::default()
                },
            ))),
            ..Default::default()
        };
        let empty = core::Literal {
            value: Some(core::literal::Value::Collection(
                core::LiteralCollection::default(),
            )),
            ..Default::default()
        };
        let p = parameter("ids", &empty, Some(&ints)).unwrap();
        assert_eq!(
            p["parameterType"],
            json!({"type": "ARRAY", "arrayType": {"type": "INT64"}})
        );
        assert_eq!(p["parameterValue"], json!({"arrayValues": []}));
    }

    #[test]
    fn job_ids_are_names_not_paths() {
        let meta = br#"{"job_id": "job_1-a", "project": "example.com:p", "location": "US"}"#;
        let (_, url) = job_url(meta, Some("cancel")).unwrap();
        assert_eq!(
            url.path(),
            "/bigquery/v2/projects/example.com:p/jobs/job_1-a/cancel"
        );
        assert_eq!(
            url.query(),
            Some("projection=full&location=US&prettyPrint=false")
        );
        for bad in ["..", ".", "../x", "a/b", "x?y", "a\tb", ""] {
            let meta = json!({"job_id": bad, "project": "p"}).to_string();
            let err = job_url(meta.as_bytes(), None).unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{bad:?}");
        }
        let meta = br#"{"job_id": "j", "project": "p", "location": "US&x=1"}"#;
        assert!(job_url(meta, None).is_err());
    }
}
