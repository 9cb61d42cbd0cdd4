//! The protocol generations, side by side: [`v1`] (Flyte 1 agents, `flyteidl.service.*`) and
//! [`v2`] (Flyte 2 connectors, `flyteidl2.connector.*`). Each turns the neutral requests below
//! into its own paths and messages and its answers back into a neutral [`Resource`], so the
//! runner's one loop never asks which generation it speaks. [`detect`] decides the generation
//! of an endpoint. A new generation is a sibling file here and one arm in `agent::remote`.

pub mod detect;
pub mod v1;
pub mod v2;

use std::collections::BTreeMap;

use crate::pb::{admin, core};
use crate::template::Template;

/// A protocol generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wire {
    V1,
    V2,
}

impl Wire {
    /// `v1` or `v2`: what `--wire`, the configmap's `wire:` and handles say.
    pub fn name(self) -> &'static str {
        match self {
            Wire::V1 => "v1",
            Wire::V2 => "v2",
        }
    }

    /// For people: which Flyte and which services.
    pub fn describe(self) -> &'static str {
        match self {
            Wire::V1 => "Flyte 1 (flyteidl.service agents)",
            Wire::V2 => "Flyte 2 (flyteidl2.connector connectors)",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "v1" | "1" | "flyte1" => Some(Wire::V1),
            "v2" | "2" | "flyte2" => Some(Wire::V2),
            _ => None,
        }
    }
}

/// A secret that Flyte 2 carries in `connection.secrets`: the environment variable it was read
/// from (recorded in handles) and its value (never printed, never recorded).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    pub env: String,
    pub value: String,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} = ****)", self.env)
    }
}

/// `core.Connection` as the Flyte 2 SDK and backend fill it: the task type, secrets by the
/// connector's keyword, and plain configs. Flyte 1 has no such field; its adapter sends none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Connection {
    pub task_type: String,
    pub secrets: BTreeMap<String, Secret>,
    pub configs: BTreeMap<String, String>,
}

impl Connection {
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty() && self.configs.is_empty()
    }

    /// As the Flyte 2 SDK and backend fill it for a template: `custom.secrets` (`{name:
    /// ENV_VAR}`) read from the environment (or `.env`), `custom.configs`, the task type;
    /// `secret_flags` (`NAME=ENV_VAR`) and `config_flags` (`KEY=VALUE`) add or override. Used
    /// by `run`, `create`, `test` and `check` alike.
    pub fn for_template(
        t: &core::TaskTemplate,
        secret_flags: &[String],
        config_flags: &[String],
    ) -> crate::error::Result<Self> {
        let custom = t.custom.as_ref().map(crate::literal::struct_to_json);
        let field = |k: &str| -> BTreeMap<String, String> {
            custom
                .as_ref()
                .and_then(|c| c.get(k))
                .and_then(|v| v.as_object())
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        };
        Self::from_parts(
            &t.r#type,
            field("secrets"),
            field("configs"),
            secret_flags,
            config_flags,
        )
    }

    /// From secrets by environment variable and configs (a template's, or a handle's), with
    /// flags added or overriding. Every secret is read from the environment now and registered
    /// to be masked; one that is not set (or empty) is bad input naming the variable.
    pub fn from_parts(
        task_type: &str,
        mut env_of: BTreeMap<String, String>,
        mut configs: BTreeMap<String, String>,
        secret_flags: &[String],
        config_flags: &[String],
    ) -> crate::error::Result<Self> {
        use crate::error::Error;
        for s in secret_flags {
            let (name, var) = s.split_once('=').ok_or_else(|| {
                Error::input(format!(
                    "--secret {:?} is not NAME=ENV_VAR (for example --secret api_key=MY_API_KEY)",
                    s.split('=').next().unwrap_or_default()
                ))
            })?;
            env_of.insert(name.to_string(), var.to_string());
        }
        for c in config_flags {
            let (k, v) = c.split_once('=').ok_or_else(|| {
                Error::input(format!("--connection-config {c:?} is not KEY=VALUE"))
            })?;
            configs.insert(k.to_string(), v.to_string());
        }
        let mut secrets = BTreeMap::new();
        for (name, var) in env_of {
            // an empty value is as good as none: the connector would fail on it later
            let value = std::env::var(&var)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    Error::input(format!(
                        "the connection secret {name} comes from the environment variable {var}, which is not set or empty; \
                         set it (or put it in .env), or name another variable with --secret {name}=VAR"
                    ))
                })?;
            crate::mask::register(&value);
            secrets.insert(name, Secret { env: var, value });
        }
        Ok(Connection {
            task_type: task_type.to_string(),
            secrets,
            configs,
        })
    }
}

/// What a running job is known by: enough to poll it or delete it later, from any process.
#[derive(Debug, Clone)]
pub struct Job {
    pub category: admin::TaskCategory,
    pub resource_meta: Vec<u8>,
    pub output_prefix: String,
    pub connection: Connection,
}

/// One CreateTask (or ExecuteTaskSync), in neither generation's words.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    /// Rendered as propeller renders it, every field the user's file held kept.
    pub template: Template,
    pub inputs: core::LiteralMap,
    pub output_prefix: String,
    pub metadata: admin::TaskExecutionMetadata,
    pub connection: Connection,
}

/// A log link: Flyte 2's may not be ready yet (shown as pending, not as live).
#[derive(Debug, Clone, PartialEq)]
pub struct LogLink {
    pub name: String,
    pub uri: String,
    pub ready: bool,
    /// The link as its generation's proto3 JSON, for `-o json`.
    pub json: serde_json::Value,
}

/// A job's state as either generation reports it, already read by that generation's rules
/// (Flyte 1's `state` fallback is applied in [`v1`], never in [`v2`]).
#[derive(Debug, Clone, Default)]
pub struct Resource {
    /// `core.TaskExecution.Phase` as a number, so an unknown value survives to the message.
    pub phase: i32,
    pub message: String,
    pub outputs: Option<core::LiteralMap>,
    pub log_links: Vec<LogLink>,
    pub custom_info: Option<prost_types::Struct>,
    /// Something in the answer that makes it unusable (a duplicate output name): a failure of
    /// the task's answer, not of the call.
    pub problem: Option<String>,
}

/// One log line, either generation's (`admin.LogLine` / `logs.dataplane.LogLine`).
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub timestamp: Option<prost_types::Timestamp>,
    pub message: String,
    /// UNKNOWN 0, USER 1, SYSTEM 2 in both generations.
    pub originator: i32,
}

impl LogLine {
    pub fn originator_name(&self) -> &'static str {
        match self.originator {
            1 => "USER",
            2 => "SYSTEM",
            _ => "UNKNOWN",
        }
    }
}

/// One GetTaskLogs page: its lines, and the token of the next page (empty: no further page
/// now).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogPage {
    pub next_token: String,
    pub lines: Vec<LogLine>,
}

/// What GetTaskLogs asks for.
#[derive(Debug, Clone, Default)]
pub struct LogsRequest {
    /// How many lines the agent may send (0: its choice).
    pub lines: u64,
    pub token: String,
}

/// What GetTaskMetrics asks for.
#[derive(Debug, Clone, Default)]
pub struct MetricsRequest {
    pub queries: Vec<String>,
    pub start: Option<prost_types::Timestamp>,
    pub end: Option<prost_types::Timestamp>,
    pub step: Option<prost_types::Duration>,
}

/// How long one log page may take to arrive, whole: streams are exempt from the per-call
/// deadline of unary calls, so each page has its own bound.
pub const LOG_PAGE_BOUND: std::time::Duration = std::time::Duration::from_secs(30);

/// Reads one page from a GetTaskLogs stream: header parts give the next token, body parts
/// lines, the whole page within [`LOG_PAGE_BOUND`].
pub async fn read_log_page<M: prost::Message + Default>(
    mut stream: tonic::Streaming<M>,
    mut part: impl FnMut(M, &mut LogPage),
) -> Result<LogPage, tonic::Status> {
    let read = async move {
        let mut page = LogPage::default();
        while let Some(m) = stream.message().await? {
            part(m, &mut page);
        }
        Ok(page)
    };
    tokio::time::timeout(LOG_PAGE_BOUND, read)
        .await
        .unwrap_or_else(|_| {
            Err(tonic::Status::deadline_exceeded(format!(
                "the log page did not end within {}s",
                LOG_PAGE_BOUND.as_secs()
            )))
        })
}

/// An agent or connector as discovery lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentInfo {
    pub name: String,
    pub sync: bool,
    pub categories: Vec<admin::TaskCategory>,
    /// Flyte 1's deprecated `supported_task_types` (version 0).
    pub task_types: Vec<String>,
}

impl AgentInfo {
    pub fn serves(&self, category: &admin::TaskCategory) -> bool {
        (category.version == 0 && self.task_types.contains(&category.name))
            || self
                .categories
                .iter()
                .any(|c| c.name == category.name && c.version == category.version)
    }
}

/// Whether `agents` (a discovery answer) serves `category` synchronously, as propeller's
/// registry decides (the last match wins).
pub fn route_is_sync(agents: &[AgentInfo], category: &admin::TaskCategory) -> Option<bool> {
    agents.iter().rfind(|a| a.serves(category)).map(|a| a.sync)
}
