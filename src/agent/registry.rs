//! The in-process agents: the built-ins ([`super::builtin`]) looked up by task category and
//! driven through [`Agent`], as `agentctl run` does without a server and `agentctl serve` does
//! for its callers. Flyte 2 `connection` secrets reach the built-ins through
//! [`builtin::secrets::with_connection`], the first place they look.

use std::sync::Arc;
use std::time::Duration;

use tonic::Status;

use super::builtin::{self, AsyncAgent, Implementation, Registered};
use super::{Agent, Prepared};
use crate::error::Error;
use crate::pb::core::ExecutionMetricResult;
use crate::pb::{admin, core};
use crate::wire::{
    self, CreateRequest, Job, LogLine, LogPage, LogsRequest, MetricsRequest, Resource,
};

/// The built-in agents, by task category.
#[derive(Clone)]
pub struct Registry {
    agents: Vec<Registered>,
}

impl Registry {
    pub fn builtin() -> Self {
        Registry {
            agents: builtin::all(),
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
        // one agent per name, with every category it serves, as flytekit's registry lists
        // them (Databricks serves `spark` and `databricks`)
        let mut out: Vec<admin::Agent> = Vec::new();
        for a in &self.agents {
            #[allow(deprecated)]
            match out.iter_mut().find(|o| o.name == a.name) {
                Some(o) => {
                    o.supported_task_types.push(a.category.name.clone());
                    o.supported_task_categories.push(a.category.clone());
                }
                None => out.push(admin::Agent {
                    name: a.name.to_string(),
                    supported_task_types: vec![a.category.name.clone()],
                    is_sync: matches!(a.implementation, Implementation::Sync(_)),
                    supported_task_categories: vec![a.category.clone()],
                }),
            }
        }
        out
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

    pub async fn create_task(
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
    pub async fn get_task(&self, req: admin::GetTaskRequest) -> Result<admin::Resource, Status> {
        let agent = self.async_agent(req.task_category.as_ref(), &req.task_type)?;
        agent.get(&req.resource_meta).await
    }

    #[allow(deprecated)]
    pub async fn delete_task(&self, req: admin::DeleteTaskRequest) -> Result<(), Status> {
        let agent = self.async_agent(req.task_category.as_ref(), &req.task_type)?;
        agent.delete(&req.resource_meta).await
    }

    /// GetTaskLogs for a built-in agent: one page of status lines from the system, without a
    /// timestamp (they say how things are, so asking again must not make them new lines).
    pub async fn logs_of(
        &self,
        category: Option<&admin::TaskCategory>,
        task_type: &str,
        resource_meta: &[u8],
    ) -> Result<LogPage, Status> {
        let agent = self.async_agent(category, task_type)?;
        let lines = agent.logs(resource_meta).await?;
        Ok(LogPage {
            next_token: String::new(),
            lines: lines
                .into_iter()
                .map(|message| LogLine {
                    timestamp: None,
                    message,
                    originator: 2,
                })
                .collect(),
        })
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

    fn endpoint(&self) -> Option<String> {
        None
    }

    async fn prepare(&self, category: &admin::TaskCategory) -> Result<Prepared, Error> {
        Ok(Prepared {
            sync: matches!(
                self.find(category).map(|a| &a.implementation),
                Some(Implementation::Sync(_))
            ),
            wire: None,
        })
    }

    async fn create(&self, req: &CreateRequest) -> Result<Vec<u8>, Status> {
        let admin_req = admin::CreateTaskRequest {
            inputs: Some(req.inputs.clone()),
            template: Some(req.template.view.clone()),
            output_prefix: req.output_prefix.clone(),
            task_execution_metadata: Some(req.metadata.clone()),
        };
        let secrets = builtin::secrets::connection_values(&req.connection);
        let resp = builtin::secrets::with_connection(secrets, self.create_task(admin_req)).await?;
        Ok(resp.resource_meta)
    }

    async fn get(&self, job: &Job) -> Result<Resource, Status> {
        let secrets = builtin::secrets::connection_values(&job.connection);
        builtin::secrets::with_connection(secrets, self.get_task(wire::v1::get_request(job)))
            .await
            .map(wire::v1::resource)
    }

    async fn delete(&self, job: &Job) -> Result<(), Status> {
        let secrets = builtin::secrets::connection_values(&job.connection);
        builtin::secrets::with_connection(secrets, self.delete_task(wire::v1::delete_request(job)))
            .await
    }

    async fn logs(&self, job: &Job, _req: &LogsRequest) -> Result<LogPage, Status> {
        self.logs_of(Some(&job.category), &job.category.name, &job.resource_meta)
            .await
    }

    async fn metrics(
        &self,
        _job: &Job,
        _req: &MetricsRequest,
    ) -> Result<Vec<ExecutionMetricResult>, Status> {
        Err(Status::unimplemented(
            "the built-in agents report no metrics",
        ))
    }

    async fn execute_sync(
        &self,
        req: &CreateRequest,
        deadline: Option<Duration>,
    ) -> Result<Resource, Status> {
        let header = admin::CreateRequestHeader {
            template: Some(req.template.view.clone()),
            output_prefix: req.output_prefix.clone(),
            task_execution_metadata: Some(req.metadata.clone()),
            max_dataset_size_bytes: 0,
        };
        let secrets = builtin::secrets::connection_values(&req.connection);
        let call =
            builtin::secrets::with_connection(secrets, self.execute(header, req.inputs.clone()));
        let r = match deadline {
            Some(d) => tokio::time::timeout(d, call)
                .await
                .unwrap_or_else(|_| Err(Status::deadline_exceeded("the attempt's timeout passed"))),
            None => call.await,
        };
        r.map(wire::v1::resource)
    }
}
