//! The one contract every agent is driven through, remote or in-process: prepare (which
//! generation, sync or async), create, get, delete, and execute for synchronous agents.
//! [`crate::runner`] holds the only loop over it; [`remote`] speaks either generation over
//! gRPC, [`registry`] runs the built-in agents ([`builtin`]) in this process, [`server`]
//! offers them over gRPC (`agentctl serve`).

pub mod builtin;
pub mod limits;
pub mod registry;
pub mod remote;
pub mod server;
mod server_v2;

use std::future::Future;
use std::time::Duration;

use tonic::Status;

use crate::error::Error;
use crate::pb::core::ExecutionMetricResult;
use crate::pb::{admin, core};
use crate::wire::{CreateRequest, Job, LogPage, LogsRequest, MetricsRequest, Resource, Wire};

/// A task category: the template's `type` and `task_type_version`, which is how agents register.
pub fn category(t: &core::TaskTemplate) -> admin::TaskCategory {
    admin::TaskCategory {
        name: t.r#type.clone(),
        version: t.task_type_version,
    }
}

/// What an agent learnt before the first create: how to call it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// A synchronous agent: one ExecuteTaskSync, nothing to poll or delete.
    pub sync: bool,
    /// The generation spoken, and why (`None` in-process).
    pub wire: Option<(Wire, String)>,
}

/// An agent, reached over gRPC or running in this process. Call errors are gRPC statuses either
/// way, so the loop treats both alike.
pub trait Agent: Send + Sync {
    /// Where the agent is, for messages: an address, or "in-process".
    fn location(&self) -> String;

    /// The endpoint as the user wrote it, for handles (`None` in-process).
    fn endpoint(&self) -> Option<String>;

    /// Asked once before creating, as propeller's discovery does: which generation, and
    /// whether the category is served synchronously ("don't know" means asynchronous). An
    /// error here is final (a generation mismatch, say): nothing has been created.
    fn prepare(
        &self,
        category: &admin::TaskCategory,
    ) -> impl Future<Output = Result<Prepared, Error>> + Send;

    /// CreateTask: the opaque `resource_meta` that get and delete take back.
    fn create(&self, req: &CreateRequest) -> impl Future<Output = Result<Vec<u8>, Status>> + Send;

    fn get(&self, job: &Job) -> impl Future<Output = Result<Resource, Status>> + Send;

    fn delete(&self, job: &Job) -> impl Future<Output = Result<(), Status>> + Send;

    /// One page of the job's logs (GetTaskLogs).
    fn logs(
        &self,
        job: &Job,
        req: &LogsRequest,
    ) -> impl Future<Output = Result<LogPage, Status>> + Send;

    /// The job's metrics (GetTaskMetrics).
    fn metrics(
        &self,
        job: &Job,
        req: &MetricsRequest,
    ) -> impl Future<Output = Result<Vec<ExecutionMetricResult>, Status>> + Send;

    /// One synchronous execution, bounded by `deadline` when the attempt has one.
    fn execute_sync(
        &self,
        req: &CreateRequest,
        deadline: Option<Duration>,
    ) -> impl Future<Output = Result<Resource, Status>> + Send;
}
