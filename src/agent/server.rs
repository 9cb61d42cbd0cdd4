//! `agentctl serve`: the built-in agents over gRPC on one port, in both generations — Flyte 1's
//! AsyncAgentService, SyncAgentService and AgentMetadataService here, Flyte 2's connector
//! services in [`super::server_v2`] — with grpc.health.v1 and server reflection (v1 and
//! v1alpha), so propeller, a Flyte 2 backend, flytekit or another agentctl can call Rust agents. Status codes follow flytekit's server:
//! NOT_FOUND for an unknown task type, INVALID_ARGUMENT for a request it cannot read (a
//! `resource_meta`, a missing template or inputs), INTERNAL with the agent's message for
//! whatever else an agent fails at ([`agent_error`]).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status, Streaming};

use super::registry::Registry;
use crate::error::{Error, Result};
use crate::pb::service::agent_metadata_service_server::{
    AgentMetadataService, AgentMetadataServiceServer,
};
use crate::pb::service::async_agent_service_server::{AsyncAgentService, AsyncAgentServiceServer};
use crate::pb::service::sync_agent_service_server::{SyncAgentService, SyncAgentServiceServer};
use crate::pb::v2::connector::async_connector_service_server::AsyncConnectorServiceServer;
use crate::pb::v2::connector::connector_metadata_service_server::ConnectorMetadataServiceServer;
use crate::pb::{admin, core};

/// An agent's failure as flytekit's server reports it: INTERNAL with the message, whatever the
/// agent's own code (UNAUTHENTICATED for credentials, UNAVAILABLE for a service it could not
/// reach). Kept apart: NOT_FOUND (no agent for the task type) and INVALID_ARGUMENT (a request
/// that cannot be read), which say something about the call itself. A downstream UNAVAILABLE
/// passed through would read to the caller as this server being down.
pub(super) fn agent_error(s: Status) -> Status {
    match s.code() {
        tonic::Code::NotFound | tonic::Code::InvalidArgument => s,
        _ => Status::internal(s.message()),
    }
}

#[derive(Clone)]
pub struct Service {
    pub(super) registry: Registry,
}

pub(super) type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl AsyncAgentService for Service {
    async fn create_task(
        &self,
        req: Request<admin::CreateTaskRequest>,
    ) -> Result<Response<admin::CreateTaskResponse>, Status> {
        self.registry
            .create_task(req.into_inner())
            .await
            .map(Response::new)
            .map_err(agent_error)
    }

    async fn get_task(
        &self,
        req: Request<admin::GetTaskRequest>,
    ) -> Result<Response<admin::GetTaskResponse>, Status> {
        let resource = self
            .registry
            .get_task(req.into_inner())
            .await
            .map_err(agent_error)?;
        Ok(Response::new(admin::GetTaskResponse {
            resource: Some(resource),
        }))
    }

    async fn delete_task(
        &self,
        req: Request<admin::DeleteTaskRequest>,
    ) -> Result<Response<admin::DeleteTaskResponse>, Status> {
        self.registry
            .delete_task(req.into_inner())
            .await
            .map_err(agent_error)?;
        Ok(Response::new(admin::DeleteTaskResponse {}))
    }

    async fn get_task_metrics(
        &self,
        _: Request<admin::GetTaskMetricsRequest>,
    ) -> Result<Response<admin::GetTaskMetricsResponse>, Status> {
        Err(Status::unimplemented(
            "the built-in agents report no metrics",
        ))
    }

    type GetTaskLogsStream = BoxStream<admin::GetTaskLogsResponse>;

    /// The built-ins that have something to say (the sensor: what it waits for) answer one
    /// page: a header with no further token, then the lines; the others UNIMPLEMENTED.
    async fn get_task_logs(
        &self,
        req: Request<admin::GetTaskLogsRequest>,
    ) -> Result<Response<Self::GetTaskLogsStream>, Status> {
        let req = req.into_inner();
        #[allow(deprecated)]
        let page = self
            .registry
            .logs_of(
                req.task_category.as_ref(),
                &req.task_type,
                &req.resource_meta,
            )
            .await?;
        use admin::get_task_logs_response::Part;
        let parts = vec![
            Ok(admin::GetTaskLogsResponse {
                part: Some(Part::Header(admin::GetTaskLogsResponseHeader {
                    token: page.next_token,
                })),
            }),
            Ok(admin::GetTaskLogsResponse {
                part: Some(Part::Body(admin::GetTaskLogsResponseBody {
                    structured_lines: page
                        .lines
                        .into_iter()
                        .map(|l| admin::LogLine {
                            timestamp: l.timestamp,
                            message: l.message,
                            originator: l.originator,
                        })
                        .collect(),
                    ..Default::default()
                })),
            }),
        ];
        Ok(Response::new(Box::pin(tokio_stream::iter(parts))))
    }
}

#[tonic::async_trait]
impl SyncAgentService for Service {
    type ExecuteTaskSyncStream = BoxStream<admin::ExecuteTaskSyncResponse>;

    /// Header first, then one inputs message, then the single header answer — the shape
    /// propeller sends and flytekit's server answers.
    async fn execute_task_sync(
        &self,
        req: Request<Streaming<admin::ExecuteTaskSyncRequest>>,
    ) -> Result<Response<Self::ExecuteTaskSyncStream>, Status> {
        use admin::execute_task_sync_request::Part;
        let mut stream = req.into_inner();
        let header = match stream.next().await {
            Some(Ok(admin::ExecuteTaskSyncRequest {
                part: Some(Part::Header(h)),
            })) => h,
            Some(Err(s)) => return Err(s),
            _ => {
                return Err(Status::invalid_argument(
                    "the first ExecuteTaskSync message must be the header",
                ));
            }
        };
        let inputs = match stream.next().await {
            Some(Ok(admin::ExecuteTaskSyncRequest {
                part: Some(Part::Inputs(i)),
            })) => i,
            Some(Err(s)) => return Err(s),
            None => core::LiteralMap::default(),
            _ => {
                return Err(Status::invalid_argument(
                    "the second ExecuteTaskSync message must be the inputs",
                ));
            }
        };
        let resource = self
            .registry
            .execute(header, inputs)
            .await
            .map_err(agent_error)?;
        let answer = admin::ExecuteTaskSyncResponse {
            res: Some(admin::execute_task_sync_response::Res::Header(
                admin::ExecuteTaskSyncResponseHeader {
                    resource: Some(resource),
                },
            )),
        };
        Ok(Response::new(Box::pin(tokio_stream::once(Ok(answer)))))
    }
}

#[tonic::async_trait]
impl AgentMetadataService for Service {
    async fn get_agent(
        &self,
        req: Request<admin::GetAgentRequest>,
    ) -> Result<Response<admin::GetAgentResponse>, Status> {
        let name = req.into_inner().name;
        let agent = self
            .registry
            .list()
            .into_iter()
            .find(|a| a.name == name)
            .ok_or_else(|| Status::not_found(format!("no agent named {name:?}")))?;
        Ok(Response::new(admin::GetAgentResponse {
            agent: Some(agent),
        }))
    }

    async fn list_agents(
        &self,
        _: Request<admin::ListAgentsRequest>,
    ) -> Result<Response<admin::ListAgentsResponse>, Status> {
        Ok(Response::new(admin::ListAgentsResponse {
            agents: self.registry.list(),
        }))
    }
}

/// Binds `addr`, reports the bound address through `on_listening` (port 0 picks a free port),
/// and serves until `shutdown` resolves, letting calls in flight finish.
pub async fn serve(
    addr: SocketAddr,
    registry: Registry,
    limits: super::limits::Limits,
    on_listening: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()> + Send,
) -> Result<()> {
    // callers' templates now choose which secrets are read: only the serving places count
    super::builtin::secrets::serving();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::input(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::Io(e.to_string()))?;
    let service = Service { registry };

    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_serving::<AsyncAgentServiceServer<Service>>()
        .await;
    reporter
        .set_serving::<SyncAgentServiceServer<Service>>()
        .await;
    reporter
        .set_serving::<AgentMetadataServiceServer<Service>>()
        .await;
    reporter
        .set_serving::<AsyncConnectorServiceServer<Service>>()
        .await;
    reporter
        .set_serving::<ConnectorMetadataServiceServer<Service>>()
        .await;
    // grpcio's health servicer (flytekit, c0) answers for itself too
    reporter
        .set_service_status(
            "grpc.health.v1.Health",
            tonic_health::ServingStatus::Serving,
        )
        .await;
    // grpcurl speaks v1; Python's grpcio-reflection client still speaks v1alpha
    let fds = crate::pb::FILE_DESCRIPTOR_SET;
    let v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(fds)
        .build_v1()
        .map_err(|e| Error::Io(e.to_string()))?;
    let v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(fds)
        .build_v1alpha()
        .map_err(|e| Error::Io(e.to_string()))?;

    on_listening(bound);
    // After the shutdown signal, calls in flight get SHUTDOWN_GRACE to finish; then the server
    // stops whatever is still open (an idle connection, a client that sent only the preface),
    // which tonic's graceful shutdown alone would wait on forever.
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tonic::transport::Server::builder()
        .http2_keepalive_interval(Some(std::time::Duration::from_secs(30)))
        .http2_keepalive_timeout(Some(std::time::Duration::from_secs(10)))
        .tcp_keepalive(Some(std::time::Duration::from_secs(60)))
        .layer(tower::util::MapResponseLayer::new(
            super::limits::resource_exhausted,
        ))
        .add_service(AsyncAgentServiceServer::new(service.clone()))
        .add_service(SyncAgentServiceServer::new(service.clone()))
        .add_service(AgentMetadataServiceServer::new(service.clone()))
        .add_service(AsyncConnectorServiceServer::new(service.clone()))
        .add_service(ConnectorMetadataServiceServer::new(service))
        .add_service(health)
        .add_service(v1)
        .add_service(v1alpha)
        .serve_with_incoming_shutdown(super::limits::incoming(listener, limits), async move {
            shutdown.await;
            let _ = stopping_tx.send(());
        });
    let forced = async move {
        if stopping_rx.await.is_ok() {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        r = server => r
        .map_err(|e| Error::Io(format!("the server failed: {e}"))),
        () = forced => Ok(()),
    }
}

/// How long calls in flight may take to finish after SIGTERM or Ctrl-C.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);
