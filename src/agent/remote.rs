//! An agent service reached over gRPC in either generation: the transport
//! ([`crate::transport`]) plus the generation's adapter ([`crate::wire`]), chosen by `--wire`,
//! the configmap's `wire:`, a handle, or detected once per endpoint.

use std::time::Duration;

use tokio::sync::OnceCell;
use tonic::{Code, Status};

use super::{Agent, Prepared};
use crate::error::Error;
use crate::pb::admin;
use crate::pb::core::ExecutionMetricResult;
use crate::transport::Transport;
use crate::wire::detect::{self, Choice, Detected};
use crate::wire::{
    self, AgentInfo, CreateRequest, Job, LogPage, LogsRequest, MetricsRequest, Resource, Wire,
};

#[derive(Clone)]
pub struct RemoteAgent {
    transport: Transport,
    choice: Choice,
    detected: std::sync::Arc<OnceCell<Detected>>,
    /// Set when routing already learnt sync or async, so discovery is not asked twice.
    sync_hint: Option<bool>,
}

impl RemoteAgent {
    pub fn new(transport: Transport, choice: Choice) -> Self {
        RemoteAgent {
            transport,
            choice,
            detected: Default::default(),
            sync_hint: None,
        }
    }

    pub fn with_sync(mut self, is_sync: bool) -> Self {
        self.sync_hint = Some(is_sync);
        self
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The generation this agent speaks, detecting it on first use.
    pub async fn wire(&self) -> Result<Detected, Error> {
        self.detected
            .get_or_try_init(|| async {
                match &self.choice {
                    Choice::Fixed(w, by) => Ok(Detected {
                        wire: *w,
                        why: format!("set by {by}"),
                    }),
                    Choice::Auto => detect::detect(&self.transport).await,
                }
            })
            .await
            .cloned()
    }

    /// The generation once known; a call made before [`Self::prepare`] detects it now.
    async fn wire_for_call(&self) -> Result<Wire, Status> {
        self.wire()
            .await
            .map(|d| d.wire)
            .map_err(|e| Status::failed_precondition(e.to_string()))
    }

    /// Discovery: ListAgents or ListConnectors.
    pub async fn list(&self) -> Result<Vec<AgentInfo>, Status> {
        match self.wire_for_call().await? {
            Wire::V1 => wire::v1::list(&self.transport).await,
            Wire::V2 => wire::v2::list(&self.transport).await,
        }
    }

    /// GetAgent or GetConnector.
    pub async fn get_agent(&self, name: &str) -> Result<Option<AgentInfo>, Status> {
        match self.wire_for_call().await? {
            Wire::V1 => wire::v1::get_agent(&self.transport, name).await,
            Wire::V2 => wire::v2::get_connector(&self.transport, name).await,
        }
    }

    /// What set the generation, for a mismatch message.
    pub fn set_by(&self) -> String {
        match &self.choice {
            Choice::Fixed(_, by) => by.clone(),
            Choice::Auto => "detection".into(),
        }
    }
}

impl Agent for RemoteAgent {
    fn location(&self) -> String {
        self.transport.label().to_string()
    }

    fn endpoint(&self) -> Option<String> {
        Some(self.transport.target().original.clone())
    }

    async fn prepare(&self, category: &admin::TaskCategory) -> Result<Prepared, Error> {
        let detected = self.wire().await?;
        let wire = Some((detected.wire, detected.why.clone()));
        if let Some(sync) = self.sync_hint {
            return Ok(Prepared { sync, wire });
        }
        let listed = self.list().await;
        if let Err(s) = &listed
            && s.code() == Code::Unimplemented
            && let Some(e) = detect::mismatch(&self.transport, detected.wire, &self.set_by()).await
        {
            return Err(e);
        }
        let sync = match (detected.wire, listed) {
            // Flyte 2 has no sync path
            (Wire::V2, _) => false,
            (Wire::V1, Ok(agents)) => wire::route_is_sync(&agents, category).unwrap_or(false),
            // no discovery: asynchronous, as propeller assumes
            (Wire::V1, Err(_)) => false,
        };
        Ok(Prepared { sync, wire })
    }

    async fn create(&self, req: &CreateRequest) -> Result<Vec<u8>, Status> {
        let w = self.wire_for_call().await?;
        let r = match w {
            Wire::V1 => wire::v1::create(&self.transport, req).await,
            Wire::V2 => wire::v2::create(&self.transport, req).await,
        };
        match r {
            // nothing was created: say which generation the server speaks, if it speaks one
            Err(s) if s.code() == Code::Unimplemented => {
                let why = match detect::mismatch(&self.transport, w, &self.set_by()).await {
                    Some(e) => e.to_string(),
                    None => format!(
                        "{} does not serve {}'s CreateTask, and answers no other generation's health name either",
                        self.transport.label(),
                        w.describe()
                    ),
                };
                Err(Status::unimplemented(why))
            }
            r => r,
        }
    }

    async fn get(&self, job: &Job) -> Result<Resource, Status> {
        match self.wire_for_call().await? {
            Wire::V1 => wire::v1::get(&self.transport, job).await,
            Wire::V2 => wire::v2::get(&self.transport, job).await,
        }
    }

    async fn delete(&self, job: &Job) -> Result<(), Status> {
        match self.wire_for_call().await? {
            Wire::V1 => wire::v1::delete(&self.transport, job).await,
            Wire::V2 => wire::v2::delete(&self.transport, job).await,
        }
    }

    async fn logs(&self, job: &Job, req: &LogsRequest) -> Result<LogPage, Status> {
        match self.wire_for_call().await? {
            Wire::V1 => wire::v1::logs(&self.transport, job, req).await,
            Wire::V2 => wire::v2::logs(&self.transport, job, req).await,
        }
    }

    async fn metrics(
        &self,
        job: &Job,
        req: &MetricsRequest,
    ) -> Result<Vec<ExecutionMetricResult>, Status> {
        match self.wire_for_call().await? {
            Wire::V1 => wire::v1::metrics(&self.transport, job, req).await,
            Wire::V2 => wire::v2::metrics(&self.transport, job, req).await,
        }
    }

    async fn execute_sync(
        &self,
        req: &CreateRequest,
        deadline: Option<Duration>,
    ) -> Result<Resource, Status> {
        match self.wire_for_call().await? {
            Wire::V1 => wire::v1::execute_sync(&self.transport, req, deadline).await,
            Wire::V2 => Err(Status::unimplemented(
                "Flyte 2 connectors have no sync service",
            )),
        }
    }
}
