//! Flyte 1: `flyteidl.service.AsyncAgentService`, `SyncAgentService` and
//! `AgentMetadataService`, as propeller calls them. Answers are read with propeller's rules,
//! including the fallback to the deprecated `state` when `phase` is UNDEFINED.

use tonic::Status;

use super::{
    AgentInfo, CreateRequest, Job, LogLine, LogLink, LogPage, LogsRequest, MetricsRequest, Resource,
};
use crate::json;
use crate::pb::{admin, core, v2};
use crate::transport::Transport;

pub const CREATE: &str = "/flyteidl.service.AsyncAgentService/CreateTask";
pub const GET: &str = "/flyteidl.service.AsyncAgentService/GetTask";
pub const DELETE: &str = "/flyteidl.service.AsyncAgentService/DeleteTask";
pub const METRICS: &str = "/flyteidl.service.AsyncAgentService/GetTaskMetrics";
pub const LOGS: &str = "/flyteidl.service.AsyncAgentService/GetTaskLogs";
pub const EXECUTE_SYNC: &str = "/flyteidl.service.SyncAgentService/ExecuteTaskSync";
pub const LIST: &str = "/flyteidl.service.AgentMetadataService/ListAgents";
pub const GET_AGENT: &str = "/flyteidl.service.AgentMetadataService/GetAgent";
/// The per-service health names a Flyte 1 server answers SERVING for.
pub const HEALTH_NAME: &str = "flyteidl.service.AsyncAgentService";

/// Flyte 1's `admin.CreateTaskRequest`, field for field, with the template typed as Flyte 2's
/// `TaskTemplate`: the same field numbers, a superset of fields. A template that holds
/// Flyte 2-only fields reaches a Flyte 1 agent with them, as the user's file has them (prost
/// would drop them if the template were decoded as Flyte 1's type).
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateTaskRequest {
    #[prost(message, optional, tag = "1")]
    pub inputs: Option<core::LiteralMap>,
    #[prost(message, optional, tag = "2")]
    pub template: Option<v2::core::TaskTemplate>,
    #[prost(string, tag = "3")]
    pub output_prefix: String,
    #[prost(message, optional, tag = "4")]
    pub task_execution_metadata: Option<admin::TaskExecutionMetadata>,
}

/// `admin.CreateRequestHeader`, with the template kept whole as above.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateRequestHeader {
    #[prost(message, optional, tag = "1")]
    pub template: Option<v2::core::TaskTemplate>,
    #[prost(string, tag = "2")]
    pub output_prefix: String,
    #[prost(message, optional, tag = "3")]
    pub task_execution_metadata: Option<admin::TaskExecutionMetadata>,
    #[prost(int64, tag = "4")]
    pub max_dataset_size_bytes: i64,
}

/// `admin.ExecuteTaskSyncRequest`: the header, then the inputs.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExecuteTaskSyncRequest {
    #[prost(oneof = "SyncPart", tags = "1, 2")]
    pub part: Option<SyncPart>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
pub enum SyncPart {
    #[prost(message, tag = "1")]
    Header(Box<CreateRequestHeader>),
    #[prost(message, tag = "2")]
    Inputs(core::LiteralMap),
}

pub fn create_request(req: &CreateRequest) -> CreateTaskRequest {
    CreateTaskRequest {
        inputs: Some(req.inputs.clone()),
        template: Some(req.template.full.clone()),
        output_prefix: req.output_prefix.clone(),
        task_execution_metadata: Some(req.metadata.clone()),
    }
}

pub fn get_request(job: &Job) -> admin::GetTaskRequest {
    #[allow(deprecated)]
    admin::GetTaskRequest {
        // propeller still sends the deprecated name so that older servers find the agent
        task_type: job.category.name.clone(),
        resource_meta: job.resource_meta.clone(),
        task_category: Some(job.category.clone()),
        output_prefix: job.output_prefix.clone(),
    }
}

pub fn delete_request(job: &Job) -> admin::DeleteTaskRequest {
    #[allow(deprecated)]
    admin::DeleteTaskRequest {
        task_type: job.category.name.clone(),
        resource_meta: job.resource_meta.clone(),
        task_category: Some(job.category.clone()),
    }
}

pub async fn create(t: &Transport, req: &CreateRequest) -> Result<Vec<u8>, Status> {
    let resp: admin::CreateTaskResponse = t.unary(CREATE, create_request(req)).await?;
    Ok(resp.resource_meta)
}

pub async fn get(t: &Transport, job: &Job) -> Result<Resource, Status> {
    let resp: admin::GetTaskResponse = t.unary(GET, get_request(job)).await?;
    Ok(resource(resp.resource.unwrap_or_default()))
}

pub async fn delete(t: &Transport, job: &Job) -> Result<(), Status> {
    let _: admin::DeleteTaskResponse = t.unary(DELETE, delete_request(job)).await?;
    Ok(())
}

/// Header, then the inputs, then half-close: exactly what propeller sends.
pub async fn execute_sync(
    t: &Transport,
    req: &CreateRequest,
    deadline: Option<std::time::Duration>,
) -> Result<Resource, Status> {
    let parts = vec![
        ExecuteTaskSyncRequest {
            part: Some(SyncPart::Header(Box::new(CreateRequestHeader {
                template: Some(req.template.full.clone()),
                output_prefix: req.output_prefix.clone(),
                task_execution_metadata: Some(req.metadata.clone()),
                max_dataset_size_bytes: 0,
            }))),
        },
        ExecuteTaskSyncRequest {
            part: Some(SyncPart::Inputs(req.inputs.clone())),
        },
    ];
    let first: Option<admin::ExecuteTaskSyncResponse> =
        t.stream_first(EXECUTE_SYNC, parts, deadline).await?;
    match first.and_then(|r| r.res) {
        Some(admin::execute_task_sync_response::Res::Header(h)) => {
            Ok(resource(h.resource.unwrap_or_default()))
        }
        _ => Err(Status::internal(
            "expected header in the response, but got none",
        )),
    }
}

pub async fn list(t: &Transport) -> Result<Vec<AgentInfo>, Status> {
    let resp: admin::ListAgentsResponse = t.unary(LIST, admin::ListAgentsRequest {}).await?;
    Ok(resp.agents.iter().map(agent_info).collect())
}

pub async fn get_agent(t: &Transport, name: &str) -> Result<Option<AgentInfo>, Status> {
    let resp: admin::GetAgentResponse = t
        .unary(
            GET_AGENT,
            admin::GetAgentRequest {
                name: name.to_string(),
            },
        )
        .await?;
    Ok(resp.agent.as_ref().map(agent_info))
}

pub fn agent_info(a: &admin::Agent) -> AgentInfo {
    #[allow(deprecated)]
    AgentInfo {
        name: a.name.clone(),
        sync: a.is_sync,
        categories: a.supported_task_categories.clone(),
        task_types: a.supported_task_types.clone(),
    }
}

/// A Flyte 1 `Resource` read as propeller's `Status()` reads it: `phase`, or, when that is
/// UNDEFINED, the deprecated `state` — whose zero value is RETRYABLE_FAILURE, so an empty
/// Resource is a retryable failure.
pub fn resource(r: admin::Resource) -> Resource {
    use core::task_execution::Phase as P;
    let phase = if r.phase == P::Undefined as i32 {
        #[allow(deprecated)]
        match admin::State::try_from(r.state) {
            Ok(admin::State::Pending) => P::Initializing as i32,
            Ok(admin::State::Running) => P::Running as i32,
            Ok(admin::State::Succeeded) => P::Succeeded as i32,
            Ok(admin::State::PermanentFailure) => P::Failed as i32,
            Ok(admin::State::RetryableFailure) => P::RetryableFailed as i32,
            Err(_) => P::Undefined as i32,
        }
    } else {
        r.phase
    };
    Resource {
        phase,
        message: r.message,
        outputs: r.outputs,
        log_links: r.log_links.iter().map(log_link).collect(),
        custom_info: r.custom_info,
        problem: None,
    }
}

pub fn log_link(l: &core::TaskLog) -> LogLink {
    LogLink {
        name: l.name.clone(),
        uri: l.uri.clone(),
        ready: true,
        json: json::to_value(l),
    }
}

pub async fn logs(t: &Transport, job: &Job, req: &LogsRequest) -> Result<LogPage, Status> {
    #[allow(deprecated)]
    let msg = admin::GetTaskLogsRequest {
        task_type: job.category.name.clone(),
        resource_meta: job.resource_meta.clone(),
        lines: req.lines,
        token: req.token.clone(),
        task_category: Some(job.category.clone()),
    };
    let stream = t
        .server_streaming::<_, admin::GetTaskLogsResponse>(LOGS, msg, super::LOG_PAGE_BOUND)
        .await?;
    super::read_log_page(stream, |m, page| match m.part {
        Some(admin::get_task_logs_response::Part::Header(h)) => page.next_token = h.token,
        Some(admin::get_task_logs_response::Part::Body(b)) => {
            #[allow(deprecated)]
            let plain = b.results.into_iter().map(|message| LogLine {
                timestamp: None,
                message,
                originator: 0,
            });
            page.lines
                .extend(b.structured_lines.into_iter().map(|l| LogLine {
                    timestamp: l.timestamp,
                    message: l.message,
                    originator: l.originator,
                }));
            page.lines.extend(plain);
        }
        None => {}
    })
    .await
}

pub async fn metrics(
    t: &Transport,
    job: &Job,
    req: &MetricsRequest,
) -> Result<Vec<core::ExecutionMetricResult>, Status> {
    #[allow(deprecated)]
    let msg = admin::GetTaskMetricsRequest {
        task_type: job.category.name.clone(),
        resource_meta: job.resource_meta.clone(),
        queries: req.queries.clone(),
        start_time: req.start,
        end_time: req.end,
        step: req.step,
        task_category: Some(job.category.clone()),
    };
    let resp: admin::GetTaskMetricsResponse = t.unary(METRICS, msg).await?;
    Ok(resp.results)
}
