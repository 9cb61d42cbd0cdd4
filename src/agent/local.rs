//! Agents that run inside agentctl: the contract a built-in agent implements (the same shape
//! as flytekit's connector bases — async agents create/get/delete, sync agents do), and the
//! registry that looks them up by task category and drives them through [`Agent`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tonic::Status;

use super::{Agent, bigquery, sensor, webhook};
use crate::pb::{admin, core};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Status>> + Send + 'a>>;

/// An asynchronous agent: `create` returns the opaque `resource_meta` that `get` and `delete`
/// receive back, as flytekit's `AsyncConnectorBase`.
pub trait AsyncAgent: Send + Sync {
    fn create<'a>(&'a self, req: &'a admin::CreateTaskRequest) -> BoxFuture<'a, Vec<u8>>;
    fn get<'a>(&'a self, resource_meta: &'a [u8]) -> BoxFuture<'a, admin::Resource>;
    fn delete<'a>(&'a self, resource_meta: &'a [u8]) -> BoxFuture<'a, ()>;
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

/// The built-in agents, by task category.
#[derive(Clone)]
pub struct Registry {
    agents: Vec<Registered>,
}

impl Registry {
    pub fn builtin() -> Self {
        Registry {
            agents: vec![
                Registered {
                    name: "Sensor",
                    category: admin::TaskCategory {
                        name: "sensor".into(),
                        version: 0,
                    },
                    implementation: Implementation::Async(Arc::new(sensor::Sensors)),
                },
                Registered {
                    name: "Bigquery Connector",
                    category: admin::TaskCategory {
                        name: "bigquery_query_job_task".into(),
                        version: 0,
                    },
                    implementation: Implementation::Async(Arc::new(bigquery::BigQuery::default())),
                },
                Registered {
                    name: "Webhook Connector",
                    category: admin::TaskCategory {
                        name: "webhook".into(),
                        version: 0,
                    },
                    implementation: Implementation::Sync(Arc::new(webhook::Webhook)),
                },
            ],
        }
    }

    pub fn find(&self, category: &admin::TaskCategory) -> Option<&Registered> {
        self.agents.iter().find(|a| a.category == *category)
    }

    pub fn serves(&self, category: &admin::TaskCategory) -> bool {
        self.find(category).is_some()
    }

    pub fn all(&self) -> &[Registered] {
        &self.agents
    }

    /// What `ListAgents` answers: one entry per agent, with the deprecated type names too.
    pub fn list(&self) -> Vec<admin::Agent> {
        self.agents
            .iter()
            .map(|a| {
                #[allow(deprecated)]
                admin::Agent {
                    name: a.name.to_string(),
                    supported_task_types: vec![a.category.name.clone()],
                    is_sync: matches!(a.implementation, Implementation::Sync(_)),
                    supported_task_categories: vec![a.category.clone()],
                }
            })
            .collect()
    }

    fn implementation(
        &self,
        category: Option<&admin::TaskCategory>,
        task_type: &str,
    ) -> Result<&Implementation, Status> {
        // flytekit's servers fall back to the deprecated task_type at version 0
        let fallback = admin::TaskCategory {
            name: task_type.to_string(),
            version: 0,
        };
        let category = category.filter(|c| !c.name.is_empty()).unwrap_or(&fallback);
        self.find(category)
            .map(|a| &a.implementation)
            .ok_or_else(|| {
                Status::not_found(format!(
                    "Cannot find agent for task category: {}_v{}.",
                    category.name, category.version
                ))
            })
    }

    fn async_agent(
        &self,
        category: Option<&admin::TaskCategory>,
        task_type: &str,
    ) -> Result<Arc<dyn AsyncAgent>, Status> {
        match self.implementation(category, task_type)? {
            Implementation::Async(a) => Ok(a.clone()),
            Implementation::Sync(_) => Err(Status::internal(format!(
                "{task_type} is served by a sync agent; use ExecuteTaskSync"
            ))),
        }
    }

    pub async fn create(
        &self,
        req: admin::CreateTaskRequest,
    ) -> Result<admin::CreateTaskResponse, Status> {
        let t = req
            .template
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("CreateTaskRequest has no template"))?;
        let agent = self.async_agent(Some(&super::category(t)), &t.r#type)?;
        Ok(admin::CreateTaskResponse {
            resource_meta: agent.create(&req).await?,
        })
    }

    #[allow(deprecated)]
    pub async fn get(&self, req: admin::GetTaskRequest) -> Result<admin::Resource, Status> {
        let agent = self.async_agent(req.task_category.as_ref(), &req.task_type)?;
        agent.get(&req.resource_meta).await
    }

    #[allow(deprecated)]
    pub async fn delete(&self, req: admin::DeleteTaskRequest) -> Result<(), Status> {
        let agent = self.async_agent(req.task_category.as_ref(), &req.task_type)?;
        agent.delete(&req.resource_meta).await
    }

    pub async fn execute(
        &self,
        header: admin::CreateRequestHeader,
        inputs: core::LiteralMap,
    ) -> Result<admin::Resource, Status> {
        let t = header
            .template
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("the header has no template"))?;
        match self.implementation(Some(&super::category(t)), &t.r#type)? {
            Implementation::Sync(a) => a.execute(&header, &inputs).await,
            Implementation::Async(_) => Err(Status::internal(format!(
                "the agent for {} does not support sync execution",
                t.r#type
            ))),
        }
    }
}

impl Agent for Registry {
    fn location(&self) -> String {
        "in-process".into()
    }

    async fn is_sync(&self, category: &admin::TaskCategory) -> Result<bool, Status> {
        Ok(matches!(
            self.find(category).map(|a| &a.implementation),
            Some(Implementation::Sync(_))
        ))
    }

    async fn create(
        &self,
        req: admin::CreateTaskRequest,
    ) -> Result<admin::CreateTaskResponse, Status> {
        Registry::create(self, req).await
    }

    async fn get(&self, req: admin::GetTaskRequest) -> Result<admin::Resource, Status> {
        Registry::get(self, req).await
    }

    async fn delete(&self, req: admin::DeleteTaskRequest) -> Result<(), Status> {
        Registry::delete(self, req).await
    }

    async fn execute_sync(
        &self,
        header: admin::CreateRequestHeader,
        inputs: core::LiteralMap,
    ) -> Result<admin::Resource, Status> {
        self.execute(header, inputs).await
    }
}
