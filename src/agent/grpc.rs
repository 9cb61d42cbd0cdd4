//! An agent service reached over gRPC: target parsing (`host:port`, `dns:///`, `http://`,
//! `https://`), the channel, and the four calls propeller makes.

use std::time::Duration;

use tokio_stream::StreamExt;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tonic::{Code, Request, Status};

use super::Agent;
use crate::error::{Error, Result};
use crate::pb::service::{
    agent_metadata_service_client::AgentMetadataServiceClient,
    async_agent_service_client::AsyncAgentServiceClient,
    sync_agent_service_client::SyncAgentServiceClient,
};
use crate::pb::{admin, core};

/// A parsed `--endpoint`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// What the user wrote, for messages and handles.
    pub original: String,
    /// host:port
    pub authority: String,
    pub tls: bool,
}

impl Target {
    pub fn parse(s: &str) -> Result<Self> {
        let original = s.trim().to_string();
        let (authority, tls) = if let Some(rest) = original.strip_prefix("https://") {
            (rest, true)
        } else if let Some(rest) = original.strip_prefix("http://") {
            (rest, false)
        } else if let Some(rest) = original.strip_prefix("dns:///") {
            (rest, false)
        } else if original.starts_with("k8s://") || original.starts_with("k8s:///") {
            return Err(Error::input(format!(
                "{original}: k8s:// targets are resolved by propeller inside a cluster; from here, forward the service's port \
                 (kubectl port-forward -n flyte svc/flyteconnector 8000:8000) and use --endpoint dns:///127.0.0.1:8000"
            )));
        } else if original.contains("://") {
            return Err(Error::input(format!(
                "{original}: unsupported endpoint scheme; use host:port, dns:///host:port, http://host:port or https://host:port"
            )));
        } else {
            (original.as_str(), false)
        };
        let authority = authority.trim_end_matches('/').to_string();
        let valid = authority
            .rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
        if !valid {
            return Err(Error::input(format!(
                "{original}: the endpoint needs a host and a port, as in 127.0.0.1:8000"
            )));
        }
        Ok(Target {
            original,
            authority,
            tls,
        })
    }
}

#[derive(Clone)]
pub struct GrpcAgent {
    target: Target,
    channel: Channel,
}

impl GrpcAgent {
    /// Builds a lazy channel: nothing is dialled until the first call, so a bad address
    /// surfaces as that call's UNAVAILABLE with the address in the message.
    pub fn new(target: Target) -> Result<Self> {
        let scheme = if target.tls { "https" } else { "http" };
        let mut ep = Endpoint::from_shared(format!("{scheme}://{}", target.authority))
            .map_err(|e| Error::input(format!("{}: invalid endpoint: {e}", target.original)))?
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true);
        if target.tls {
            ep = ep
                .tls_config(ClientTlsConfig::new().with_native_roots())
                .map_err(|e| Error::input(format!("{}: TLS setup failed: {e}", target.original)))?;
        }
        Ok(GrpcAgent {
            channel: ep.connect_lazy(),
            target,
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub async fn list_agents(&self) -> Result<Vec<admin::Agent>, Status> {
        let mut c = AgentMetadataServiceClient::new(self.channel.clone());
        Ok(c.list_agents(Request::new(admin::ListAgentsRequest {}))
            .await?
            .into_inner()
            .agents)
    }
}

/// Whether `agents` (a ListAgents answer) serves `category` synchronously, as propeller's
/// registry decides: categories first, the deprecated type names at version 0 before them.
pub fn route_is_sync(agents: &[admin::Agent], category: &admin::TaskCategory) -> Option<bool> {
    let mut found = None;
    for a in agents {
        #[allow(deprecated)]
        let by_name = category.version == 0 && a.supported_task_types.contains(&category.name);
        let by_category = a
            .supported_task_categories
            .iter()
            .any(|c| c.name == category.name && c.version == category.version);
        if by_name || by_category {
            found = Some(a.is_sync);
        }
    }
    found
}

impl Agent for GrpcAgent {
    fn location(&self) -> String {
        self.target.original.clone()
    }

    async fn is_sync(&self, category: &admin::TaskCategory) -> Result<bool, Status> {
        match self.list_agents().await {
            Ok(agents) => Ok(route_is_sync(&agents, category).unwrap_or(false)),
            Err(s) if s.code() == Code::Unimplemented => Ok(false),
            Err(s) => Err(s),
        }
    }

    async fn create(
        &self,
        req: admin::CreateTaskRequest,
    ) -> Result<admin::CreateTaskResponse, Status> {
        let mut c = AsyncAgentServiceClient::new(self.channel.clone());
        Ok(c.create_task(Request::new(req)).await?.into_inner())
    }

    async fn get(&self, req: admin::GetTaskRequest) -> Result<admin::Resource, Status> {
        let mut c = AsyncAgentServiceClient::new(self.channel.clone());
        Ok(c.get_task(Request::new(req))
            .await?
            .into_inner()
            .resource
            .unwrap_or_default())
    }

    async fn delete(&self, req: admin::DeleteTaskRequest) -> Result<(), Status> {
        let mut c = AsyncAgentServiceClient::new(self.channel.clone());
        c.delete_task(Request::new(req)).await?;
        Ok(())
    }

    async fn execute_sync(
        &self,
        header: admin::CreateRequestHeader,
        inputs: core::LiteralMap,
    ) -> Result<admin::Resource, Status> {
        use admin::execute_task_sync_request::Part;
        let mut c = SyncAgentServiceClient::new(self.channel.clone());
        // Header, then the inputs, then half-close: exactly what propeller sends.
        let parts = vec![
            admin::ExecuteTaskSyncRequest {
                part: Some(Part::Header(header)),
            },
            admin::ExecuteTaskSyncRequest {
                part: Some(Part::Inputs(inputs)),
            },
        ];
        let mut stream = c
            .execute_task_sync(Request::new(tokio_stream::iter(parts)))
            .await?
            .into_inner();
        match stream.next().await {
            Some(Ok(admin::ExecuteTaskSyncResponse {
                res: Some(admin::execute_task_sync_response::Res::Header(h)),
            })) => Ok(h.resource.unwrap_or_default()),
            Some(Ok(_)) | None => Err(Status::internal(
                "expected header in the response, but got none",
            )),
            Some(Err(s)) => Err(s),
        }
    }
}
