//! The built-in agents and the contract they implement: the same shape as flytekit's connector
//! bases (async agents create/get/delete, sync agents do). A new built-in agent is one file
//! here with a `registered()` function, and one line in [`all`].

mod bigquery;
mod http_client;
pub mod secrets;
mod sensor;
mod webhook;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tonic::Status;

use crate::pb::{admin, core};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Status>> + Send + 'a>>;

/// An asynchronous agent: `create` returns the opaque `resource_meta` that `get` and `delete`
/// receive back, as flytekit's `AsyncConnectorBase`.
pub trait AsyncAgent: Send + Sync {
    fn create<'a>(&'a self, req: &'a admin::CreateTaskRequest) -> BoxFuture<'a, Vec<u8>>;
    fn get<'a>(&'a self, resource_meta: &'a [u8]) -> BoxFuture<'a, admin::Resource>;
    fn delete<'a>(&'a self, resource_meta: &'a [u8]) -> BoxFuture<'a, ()>;

    /// What the job has to say, as log lines, where the external service has something real
    /// to say; UNIMPLEMENTED otherwise.
    fn logs<'a>(&'a self, _resource_meta: &'a [u8]) -> BoxFuture<'a, Vec<String>> {
        Box::pin(async { Err(Status::unimplemented("this built-in agent keeps no logs")) })
    }
}

/// A synchronous agent: one call, one terminal resource, as flytekit's `SyncConnectorBase.do`.
pub trait SyncAgent: Send + Sync {
    fn execute<'a>(
        &'a self,
        header: &'a admin::CreateRequestHeader,
        inputs: &'a core::LiteralMap,
    ) -> BoxFuture<'a, admin::Resource>;
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
}

/// Every built-in agent.
pub fn all() -> Vec<Registered> {
    vec![
        sensor::registered(),
        bigquery::registered(),
        webhook::registered(),
    ]
}

fn category(name: &str) -> admin::TaskCategory {
    admin::TaskCategory {
        name: name.into(),
        version: 0,
    }
}
