//! Flyte 2: `flyteidl2.connector.AsyncConnectorService` and `ConnectorMetadataService`, as the
//! Flyte 2 backend calls them. Always asynchronous (there is no sync service); `task_category`
//! and `connection` on every create, get and delete; phase only (a Flyte 2 `Resource` has no
//! `state`); inputs and outputs as ordered lists; log links that may not be ready yet.

use tonic::Status;

use super::{
    AgentInfo, Connection, CreateRequest, Job, LogLine, LogLink, LogPage, LogsRequest,
    MetricsRequest, Resource,
};
use crate::json;
use crate::pb::{self, admin, core, v2};
use crate::transport::Transport;

pub const CREATE: &str = "/flyteidl2.connector.AsyncConnectorService/CreateTask";
pub const GET: &str = "/flyteidl2.connector.AsyncConnectorService/GetTask";
pub const DELETE: &str = "/flyteidl2.connector.AsyncConnectorService/DeleteTask";
pub const METRICS: &str = "/flyteidl2.connector.AsyncConnectorService/GetTaskMetrics";
pub const LOGS: &str = "/flyteidl2.connector.AsyncConnectorService/GetTaskLogs";
pub const LIST: &str = "/flyteidl2.connector.ConnectorMetadataService/ListConnectors";
pub const GET_CONNECTOR: &str = "/flyteidl2.connector.ConnectorMetadataService/GetConnector";
/// The per-service health name a Flyte 2 server answers SERVING for.
pub const HEALTH_NAME: &str = "flyteidl2.connector.AsyncConnectorService";

pub fn category(c: &admin::TaskCategory) -> v2::connector::TaskCategory {
    v2::connector::TaskCategory {
        name: c.name.clone(),
        version: c.version,
    }
}

pub fn connection(c: &Connection) -> Option<v2::core::Connection> {
    Some(v2::core::Connection {
        task_type: c.task_type.clone(),
        secrets: c
            .secrets
            .iter()
            .map(|(k, s)| (k.clone(), s.value.clone()))
            .collect(),
        configs: c.configs.clone().into_iter().collect(),
    })
}

/// Inputs as the list Flyte 2 sends, in the order of the template's interface (then any other
/// name, sorted, though the runner refuses undeclared inputs before they get here).
pub fn inputs(map: &core::LiteralMap, order: &[String]) -> v2::task::Inputs {
    let mut names: Vec<&String> = order
        .iter()
        .filter(|n| map.literals.contains_key(*n))
        .collect();
    let mut rest: Vec<&String> = map.literals.keys().filter(|k| !order.contains(k)).collect();
    rest.sort();
    names.extend(rest);
    v2::task::Inputs {
        literals: names
            .into_iter()
            .map(|n| v2::task::NamedLiteral {
                name: n.clone(),
                value: Some(pb::transcode(&map.literals[n])),
            })
            .collect(),
        context: Vec::new(),
    }
}

/// A Flyte 2 input list as a map, refusing a name given twice rather than keeping one.
pub fn inputs_to_map(list: &[v2::task::NamedLiteral]) -> Result<core::LiteralMap, String> {
    let mut map = core::LiteralMap::default();
    for nl in list {
        let lit: core::Literal = nl.value.as_ref().map(pb::transcode).unwrap_or_default();
        if map.literals.insert(nl.name.clone(), lit).is_some() {
            return Err(format!("the name {:?} appears twice", nl.name));
        }
    }
    Ok(map)
}

pub fn create_request(req: &CreateRequest) -> v2::connector::CreateTaskRequest {
    let inputs = inputs(&req.inputs, &req.template.input_order());
    v2::connector::CreateTaskRequest {
        // the backend omits inputs when there are none
        inputs: (!inputs.literals.is_empty()).then_some(inputs),
        template: Some(req.template.full.clone()),
        output_prefix: req.output_prefix.clone(),
        task_execution_metadata: Some(pb::transcode(&req.metadata)),
        connection: connection(&req.connection),
    }
}

pub fn get_request(job: &Job) -> v2::connector::GetTaskRequest {
    v2::connector::GetTaskRequest {
        resource_meta: job.resource_meta.clone(),
        task_category: Some(category(&job.category)),
        output_prefix: job.output_prefix.clone(),
        connection: connection(&job.connection),
    }
}

pub fn delete_request(job: &Job) -> v2::connector::DeleteTaskRequest {
    v2::connector::DeleteTaskRequest {
        resource_meta: job.resource_meta.clone(),
        task_category: Some(category(&job.category)),
        connection: connection(&job.connection),
    }
}

pub async fn create(t: &Transport, req: &CreateRequest) -> Result<Vec<u8>, Status> {
    let resp: v2::connector::CreateTaskResponse = t.unary(CREATE, create_request(req)).await?;
    Ok(resp.resource_meta)
}

pub async fn get(t: &Transport, job: &Job) -> Result<Resource, Status> {
    let resp: v2::connector::GetTaskResponse = t.unary(GET, get_request(job)).await?;
    Ok(resource(resp.resource.unwrap_or_default()))
}

pub async fn delete(t: &Transport, job: &Job) -> Result<(), Status> {
    let _: v2::connector::DeleteTaskResponse = t.unary(DELETE, delete_request(job)).await?;
    Ok(())
}

pub async fn list(t: &Transport) -> Result<Vec<AgentInfo>, Status> {
    let resp: v2::connector::ListConnectorsResponse = t
        .unary(LIST, v2::connector::ListConnectorsRequest {})
        .await?;
    Ok(resp.connectors.iter().map(agent_info).collect())
}

pub async fn get_connector(t: &Transport, name: &str) -> Result<Option<AgentInfo>, Status> {
    let resp: v2::connector::GetConnectorResponse = t
        .unary(
            GET_CONNECTOR,
            v2::connector::GetConnectorRequest {
                name: name.to_string(),
            },
        )
        .await?;
    Ok(resp.connector.as_ref().map(agent_info))
}

pub fn agent_info(c: &v2::connector::Connector) -> AgentInfo {
    AgentInfo {
        name: c.name.clone(),
        // Flyte 2 has no sync path
        sync: false,
        categories: c
            .supported_task_categories
            .iter()
            .map(|c| admin::TaskCategory {
                name: c.name.clone(),
                version: c.version,
            })
            .collect(),
        task_types: Vec::new(),
    }
}

/// A Flyte 2 `Resource`: the phase as it is (UNDEFINED stays unknown), outputs as a list
/// whose names must be distinct.
pub fn resource(r: v2::connector::Resource) -> Resource {
    let mut problem = None;
    let outputs = r.outputs.map(|o| match inputs_to_map(&o.literals) {
        Ok(m) => m,
        Err(e) => {
            problem = Some(format!("the connector's outputs are not usable: {e}"));
            core::LiteralMap::default()
        }
    });
    Resource {
        phase: r.phase,
        message: r.message,
        outputs,
        log_links: r.log_links.iter().map(log_link).collect(),
        custom_info: r.custom_info,
        problem,
    }
}

pub fn log_link(l: &v2::core::TaskLog) -> LogLink {
    LogLink {
        name: l.name.clone(),
        uri: l.uri.clone(),
        ready: l.ready,
        json: json::to_value(l),
    }
}

/// Outputs in the order of the interface (the list Flyte 2 returns), for `agentctl serve`.
pub fn outputs(map: &core::LiteralMap, order: &[String]) -> v2::task::Outputs {
    let i = inputs(map, order);
    v2::task::Outputs {
        literals: i.literals,
        produced_artifacts: Vec::new(),
    }
}

pub async fn logs(t: &Transport, job: &Job, req: &LogsRequest) -> Result<LogPage, Status> {
    let msg = v2::connector::GetTaskLogsRequest {
        resource_meta: job.resource_meta.clone(),
        lines: req.lines,
        token: req.token.clone(),
        task_category: Some(category(&job.category)),
    };
    let stream = t
        .server_streaming::<_, v2::connector::GetTaskLogsResponse>(LOGS, msg, super::LOG_PAGE_BOUND)
        .await?;
    super::read_log_page(stream, |m, page| match m.part {
        Some(v2::connector::get_task_logs_response::Part::Header(h)) => page.next_token = h.token,
        Some(v2::connector::get_task_logs_response::Part::Body(b)) => {
            page.lines.extend(b.lines.into_iter().map(|l| LogLine {
                timestamp: l.timestamp,
                message: l.message,
                originator: l.originator,
            }));
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
    let msg = v2::connector::GetTaskMetricsRequest {
        resource_meta: job.resource_meta.clone(),
        queries: req.queries.clone(),
        start_time: req.start,
        end_time: req.end,
        step: req.step,
        task_category: Some(category(&job.category)),
    };
    let resp: v2::connector::GetTaskMetricsResponse = t.unary(METRICS, msg).await?;
    Ok(resp.results.iter().map(pb::transcode).collect())
}
