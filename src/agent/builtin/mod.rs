//! The built-in agents and the contract they implement: the same shape as flytekit's connector
//! bases (async agents create/get/delete, sync agents do). A new built-in agent is one file
//! here with a `registered()` function, and one line in [`all`].

mod bigquery;
mod databricks;
mod http_client;
pub mod secrets;
mod sensor;
mod snowflake;
mod webhook;

use std::sync::Arc;

use tonic::Status;

use crate::pb::{admin, core};

/// An asynchronous agent: `create` returns the opaque `resource_meta` that `get` and `delete`
/// receive back, as flytekit's `AsyncConnectorBase`.
#[tonic::async_trait]
pub trait AsyncAgent: Send + Sync {
    async fn create(&self, req: &admin::CreateTaskRequest) -> Result<Vec<u8>, Status>;
    async fn get(&self, resource_meta: &[u8]) -> Result<admin::Resource, Status>;
    async fn delete(&self, resource_meta: &[u8]) -> Result<(), Status>;

    /// What the job has to say, as log lines, where the external service has something real
    /// to say; UNIMPLEMENTED otherwise.
    async fn logs(&self, _resource_meta: &[u8]) -> Result<Vec<String>, Status> {
        Err(Status::unimplemented("this built-in agent keeps no logs"))
    }
}

/// A synchronous agent: one call, one terminal resource, as flytekit's `SyncConnectorBase.do`.
#[tonic::async_trait]
pub trait SyncAgent: Send + Sync {
    async fn execute(
        &self,
        header: &admin::CreateRequestHeader,
        inputs: &core::LiteralMap,
    ) -> Result<admin::Resource, Status>;
}

#[derive(Clone)]
pub enum Implementation {
    Async(Arc<dyn AsyncAgent>),
    Sync(Arc<dyn SyncAgent>),
}

#[derive(Clone)]
pub struct Registered {
    /// The agent's display name, as `ListAgents` reports it.
    pub name: &'static str,
    pub category: admin::TaskCategory,
    pub implementation: Implementation,
    /// What a template will make this agent do, for `describe` (nothing is sent).
    pub describe: fn(&core::TaskTemplate) -> Vec<(&'static str, String)>,
}

/// For agents with nothing to add to `describe`.
pub fn nothing_to_describe(_: &core::TaskTemplate) -> Vec<(&'static str, String)> {
    Vec::new()
}

/// Every built-in agent.
pub fn all() -> Vec<Registered> {
    vec![
        sensor::registered(),
        bigquery::registered(),
        webhook::registered(),
        snowflake::registered(),
        databricks::registered("spark"),
        databricks::registered("databricks"),
    ]
}

fn category(name: &str) -> admin::TaskCategory {
    admin::TaskCategory {
        name: name.into(),
        version: 0,
    }
}
