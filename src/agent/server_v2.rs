//! `agentctl serve` on the Flyte 2 wire: `flyteidl2.connector.AsyncConnectorService` and
//! `ConnectorMetadataService` over the same registry as Flyte 1. Requests are read with
//! flyteidl2 types so that `connection` survives; its secrets are the first place a built-in
//! agent looks. Flyte 2 has no sync service, so a sync agent (the webhook) runs inside
//! CreateTask and its finished answer travels in `resource_meta`: any replica answers GetTask
//! from it, without server state, and DeleteTask has nothing to stop.

use prost::Message as _;
use tonic::{Request, Response, Status};

use super::builtin::{Implementation, secrets};
use super::registry::Registry;
use super::server::{BoxStream, Service, agent_error};
use crate::pb::v2::connector::async_connector_service_server::AsyncConnectorService;
use crate::pb::v2::connector::connector_metadata_service_server::ConnectorMetadataService;
use crate::pb::{self, admin, core, v2};
use crate::template::Template;
use crate::wire;

/// Marks a `resource_meta` that holds a sync agent's finished answer.
const SYNC_DONE: &[u8] = b"agentctl-sync-result:";

fn category(c: Option<&v2::connector::TaskCategory>) -> Result<admin::TaskCategory, Status> {
    match c {
        Some(c) if !c.name.is_empty() => Ok(admin::TaskCategory {
            name: c.name.clone(),
            version: c.version,
        }),
        // c0 and the backend look up Get/Delete by category only
        _ => Err(Status::not_found(
            "Cannot find connector for task type: (no task_category).",
        )),
    }
}

fn secrets_of(c: Option<&v2::core::Connection>) -> std::collections::BTreeMap<String, String> {
    c.map(|c| c.secrets.clone().into_iter().collect())
        .unwrap_or_default()
}

/// A Flyte 1 answer from a built-in agent in Flyte 2's words: outputs as a list in `order`
/// (then by name), log links live.
fn resource(r: admin::Resource, order: &[String]) -> v2::connector::Resource {
    let neutral = wire::v1::resource(r.clone());
    v2::connector::Resource {
        outputs: neutral
            .outputs
            .as_ref()
            .map(|o| wire::v2::outputs(o, order)),
        message: r.message,
        log_links: r
            .log_links
            .iter()
            .map(|l| v2::core::TaskLog {
                ready: true,
                ..pb::transcode(l)
            })
            .collect(),
        phase: neutral.phase,
        custom_info: r.custom_info,
    }
}

#[tonic::async_trait]
impl AsyncConnectorService for Service {
    async fn create_task(
        &self,
        req: Request<v2::connector::CreateTaskRequest>,
    ) -> Result<Response<v2::connector::CreateTaskResponse>, Status> {
        let req = req.into_inner();
        let full = req
            .template
            .ok_or_else(|| Status::invalid_argument("CreateTaskRequest has no template"))?;
        let template = Template::from_v2(full);
        let inputs = match &req.inputs {
            Some(i) => wire::v2::inputs_to_map(&i.literals).map_err(Status::invalid_argument)?,
            None => core::LiteralMap::default(),
        };
        let metadata: admin::TaskExecutionMetadata = req
            .task_execution_metadata
            .as_ref()
            .map(pb::transcode)
            .unwrap_or_default();
        let secrets = secrets_of(req.connection.as_ref());
        let registry: &Registry = &self.registry;
        let cat = super::category(&template.view);
        let found = registry.find(&cat).map(|a| a.implementation.clone());
        let meta = match found {
            Some(Implementation::Sync(agent)) => {
                let header = admin::CreateRequestHeader {
                    template: Some(template.view.clone()),
                    output_prefix: req.output_prefix.clone(),
                    task_execution_metadata: Some(metadata),
                    max_dataset_size_bytes: 0,
                };
                let done = secrets::with_connection(secrets, agent.execute(&header, &inputs))
                    .await
                    .map_err(agent_error)?;
                let answer = resource(done, &template.output_order());
                let mut meta = SYNC_DONE.to_vec();
                meta.extend(answer.encode_to_vec());
                meta
            }
            _ => {
                let admin_req = admin::CreateTaskRequest {
                    inputs: Some(inputs),
                    template: Some(template.view),
                    output_prefix: req.output_prefix,
                    task_execution_metadata: Some(metadata),
                };
                secrets::with_connection(secrets, registry.create_task(admin_req))
                    .await
                    .map_err(agent_error)?
                    .resource_meta
            }
        };
        Ok(Response::new(v2::connector::CreateTaskResponse {
            resource_meta: meta,
        }))
    }

    async fn get_task(
        &self,
        req: Request<v2::connector::GetTaskRequest>,
    ) -> Result<Response<v2::connector::GetTaskResponse>, Status> {
        let req = req.into_inner();
        let cat = category(req.task_category.as_ref())?;
        if let Some(done) = req.resource_meta.strip_prefix(SYNC_DONE) {
            let r = v2::connector::Resource::decode(done)
                .map_err(|e| Status::invalid_argument(format!("resource_meta: {e}")))?;
            return Ok(Response::new(v2::connector::GetTaskResponse {
                resource: Some(r),
            }));
        }
        #[allow(deprecated)]
        let get = admin::GetTaskRequest {
            task_type: cat.name.clone(),
            resource_meta: req.resource_meta,
            task_category: Some(cat),
            output_prefix: req.output_prefix,
        };
        let r = secrets::with_connection(
            secrets_of(req.connection.as_ref()),
            self.registry.get_task(get),
        )
        .await
        .map_err(agent_error)?;
        Ok(Response::new(v2::connector::GetTaskResponse {
            resource: Some(resource(r, &[])),
        }))
    }

    async fn delete_task(
        &self,
        req: Request<v2::connector::DeleteTaskRequest>,
    ) -> Result<Response<v2::connector::DeleteTaskResponse>, Status> {
        let req = req.into_inner();
        let cat = category(req.task_category.as_ref())?;
        if req.resource_meta.starts_with(SYNC_DONE) {
            return Ok(Response::new(v2::connector::DeleteTaskResponse {}));
        }
        #[allow(deprecated)]
        let delete = admin::DeleteTaskRequest {
            task_type: cat.name.clone(),
            resource_meta: req.resource_meta,
            task_category: Some(cat),
        };
        secrets::with_connection(
            secrets_of(req.connection.as_ref()),
            self.registry.delete_task(delete),
        )
        .await
        .map_err(agent_error)?;
        Ok(Response::new(v2::connector::DeleteTaskResponse {}))
    }

    async fn get_task_metrics(
        &self,
        _: Request<v2::connector::GetTaskMetricsRequest>,
    ) -> Result<Response<v2::connector::GetTaskMetricsResponse>, Status> {
        Err(Status::unimplemented(
            "the built-in agents report no metrics",
        ))
    }

    type GetTaskLogsStream = BoxStream<v2::connector::GetTaskLogsResponse>;

    async fn get_task_logs(
        &self,
        req: Request<v2::connector::GetTaskLogsRequest>,
    ) -> Result<Response<Self::GetTaskLogsStream>, Status> {
        let req = req.into_inner();
        let cat = category(req.task_category.as_ref())?;
        let page = self
            .registry
            .logs_of(Some(&cat), &cat.name, &req.resource_meta)
            .await?;
        use v2::connector::get_task_logs_response::Part;
        let parts = vec![
            Ok(v2::connector::GetTaskLogsResponse {
                part: Some(Part::Header(v2::connector::GetTaskLogsResponseHeader {
                    token: page.next_token,
                })),
            }),
            Ok(v2::connector::GetTaskLogsResponse {
                part: Some(Part::Body(v2::connector::GetTaskLogsResponseBody {
                    lines: page
                        .lines
                        .into_iter()
                        .map(|l| v2::logs::dataplane::LogLine {
                            timestamp: l.timestamp,
                            message: l.message,
                            originator: l.originator,
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                })),
            }),
        ];
        Ok(Response::new(Box::pin(tokio_stream::iter(parts))))
    }
}

fn connector(a: &admin::Agent) -> v2::connector::Connector {
    v2::connector::Connector {
        name: a.name.clone(),
        supported_task_categories: a
            .supported_task_categories
            .iter()
            .map(|c| v2::connector::TaskCategory {
                name: c.name.clone(),
                version: c.version,
            })
            .collect(),
    }
}

#[tonic::async_trait]
impl ConnectorMetadataService for Service {
    async fn get_connector(
        &self,
        req: Request<v2::connector::GetConnectorRequest>,
    ) -> Result<Response<v2::connector::GetConnectorResponse>, Status> {
        let name = req.into_inner().name;
        let a = self
            .registry
            .list()
            .into_iter()
            .find(|a| a.name == name)
            .ok_or_else(|| Status::not_found(format!("no connector named {name:?}")))?;
        Ok(Response::new(v2::connector::GetConnectorResponse {
            connector: Some(connector(&a)),
        }))
    }

    async fn list_connectors(
        &self,
        _: Request<v2::connector::ListConnectorsRequest>,
    ) -> Result<Response<v2::connector::ListConnectorsResponse>, Status> {
        Ok(Response::new(v2::connector::ListConnectorsResponse {
            connectors: self.registry.list().iter().map(connector).collect(),
        }))
    }
}
