//! The one contract every agent is driven through, remote or in-process: create, get, delete
//! for asynchronous agents and execute for synchronous ones. [`crate::runner`] holds the only
//! loop over it.

mod bigquery;
pub mod grpc;
mod http_client;
pub mod local;
pub mod secrets;
mod sensor;
pub mod server;
mod webhook;

use std::future::Future;

use tonic::Status;

use crate::pb::{admin, core};

/// A task category: the template's `type` and `task_type_version`, which is how agents register.
pub fn category(t: &core::TaskTemplate) -> admin::TaskCategory {
    admin::TaskCategory {
        name: t.r#type.clone(),
        version: t.task_type_version,
    }
}

/// What a running job is known by: enough to poll it or delete it later, from any process.
#[derive(Debug, Clone)]
pub struct Job {
    pub category: admin::TaskCategory,
    pub resource_meta: Vec<u8>,
    pub output_prefix: String,
}

impl Job {
    pub fn get_request(&self) -> admin::GetTaskRequest {
        #[allow(deprecated)]
        admin::GetTaskRequest {
            // propeller still sends the deprecated name so that older servers find the agent
            task_type: self.category.name.clone(),
            resource_meta: self.resource_meta.clone(),
            task_category: Some(self.category.clone()),
            output_prefix: self.output_prefix.clone(),
        }
    }

    pub fn delete_request(&self) -> admin::DeleteTaskRequest {
        #[allow(deprecated)]
        admin::DeleteTaskRequest {
            task_type: self.category.name.clone(),
            resource_meta: self.resource_meta.clone(),
            task_category: Some(self.category.clone()),
        }
    }
}

/// An agent, reached over gRPC or running in this process. Errors are gRPC statuses either way,
/// so the loop treats both alike.
pub trait Agent: Send + Sync {
    /// Where the agent is, for messages: an address, or "in-process".
    fn location(&self) -> String;

    /// Whether the task category is served by a synchronous agent. Asked once before creating,
    /// as propeller's discovery does; "don't know" means asynchronous.
    fn is_sync(
        &self,
        category: &admin::TaskCategory,
    ) -> impl Future<Output = Result<bool, Status>> + Send;

    fn create(
        &self,
        req: admin::CreateTaskRequest,
    ) -> impl Future<Output = Result<admin::CreateTaskResponse, Status>> + Send;

    fn get(
        &self,
        req: admin::GetTaskRequest,
    ) -> impl Future<Output = Result<admin::Resource, Status>> + Send;

    fn delete(
        &self,
        req: admin::DeleteTaskRequest,
    ) -> impl Future<Output = Result<(), Status>> + Send;

    /// One synchronous execution: header, then inputs, then the single resource answered.
    fn execute_sync(
        &self,
        header: admin::CreateRequestHeader,
        inputs: core::LiteralMap,
    ) -> impl Future<Output = Result<admin::Resource, Status>> + Send;
}
