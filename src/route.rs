//! Which agent deployment serves a task, decided as propeller decides it (reference §3.3):
//! discovery through ListAgents on every configured deployment, explicit task-type overrides,
//! `supportedTaskTypes`, then the default deployment; the connector plugin before the agent
//! plugin. The answer says why, for `-v` and `run --dry-run`.

use std::collections::HashMap;

use std::collections::BTreeMap;

use crate::agent::remote::RemoteAgent;
use crate::config::{Config, Deployment, Plugin};
use crate::error::{Error, Result};
use crate::pb::admin;
use crate::transport::{ConnectOptions, Deadlines, Dial, Target, Transport};
use crate::wire::detect::Choice;

/// Where a task goes and why.
pub struct Route {
    pub plugin: &'static str,
    pub deployment: Deployment,
    pub is_sync: bool,
    pub why: String,
    pub agent: RemoteAgent,
    /// What discovery met on the way (deployments that did not answer, say).
    pub notes: Vec<String>,
}

impl Route {
    pub fn to_json(&self) -> serde_json::Value {
        let deadlines: serde_json::Map<String, serde_json::Value> =
            ["CreateTask", "GetTask", "DeleteTask", "ExecuteTaskSync"]
                .iter()
                .map(|m| {
                    let v = match self.deployment.deadline(m) {
                        Some((d, key)) => serde_json::json!({ "timeout": d.text, "set_by": key }),
                        None => serde_json::Value::Null,
                    };
                    (m.to_string(), v)
                })
                .collect();
        serde_json::json!({
            "plugin": self.plugin,
            "deployment": self.deployment.name,
            "endpoint": self.deployment.endpoint,
            "tls": !self.deployment.insecure,
            "mode": if self.is_sync { "sync" } else { "async" },
            "why": self.why,
            "deadlines": deadlines,
            "notes": self.notes,
        })
    }
}

/// (deployment name, is_sync) by task type and version, built as propeller builds its registry.
type Registry = HashMap<String, HashMap<i32, (String, bool)>>;

/// The methods whose deadlines a configmap can set.
const METHODS: &[&str] = &[
    "CreateTask",
    "GetTask",
    "DeleteTask",
    "ExecuteTaskSync",
    "ListAgents",
    "ListConnectors",
    "GetAgent",
    "GetConnector",
    "Check",
];

/// How to dial a configured deployment: TLS unless `insecure`, its service config, and each
/// method's deadline with the key that sets it, so a deadline error names what to raise.
pub fn dial_for(d: &Deployment, config: &Config) -> Dial {
    let place = |key: String| {
        format!(
            "RPC deadline of deployment {} ({key} in {})",
            d.name,
            config.path.display()
        )
    };
    let by_method: BTreeMap<String, (std::time::Duration, String)> = METHODS
        .iter()
        .filter(|m| d.timeouts.contains_key(**m))
        .filter_map(|m| {
            d.deadline(m)
                .map(|(g, key)| (m.to_string(), (g.value, place(key))))
        })
        .collect();
    let default = d
        .default_timeout
        .as_ref()
        .filter(|g| !g.value.is_zero())
        .map(|g| (g.value, place(format!("{}.defaultTimeout", d.key_path))));
    Dial {
        name: Some(d.name.clone()),
        force_tls: !d.insecure,
        round_robin: d.round_robin(),
        deadlines: Deadlines::configured(by_method, default),
    }
}

pub fn agent_for(d: &Deployment, config: &Config, opts: &ConnectOptions) -> Result<RemoteAgent> {
    let target = Target::parse(&d.endpoint).map_err(|e| {
        Error::input(format!(
            "{}: {}.endpoint: {e}",
            config.path.display(),
            d.key_path
        ))
    })?;
    let transport = Transport::connect(target, opts, dial_for(d, config))?;
    let choice = match d.wire {
        Some(w) => Choice::Fixed(
            w,
            format!("{}.wire in {}", d.key_path, config.path.display()),
        ),
        None => Choice::Auto,
    };
    Ok(RemoteAgent::new(transport, choice))
}

async fn discover(
    plugin: &Plugin,
    config: &Config,
    opts: &ConnectOptions,
    notes: &mut Vec<String>,
) -> Result<Registry> {
    let mut registry: Registry = HashMap::new();
    for d in plugin.all_deployments() {
        let agent = agent_for(d, config, opts)?;
        // each deployment is spoken to in its own generation
        let listed = match agent.wire().await {
            Ok(_) => agent
                .list()
                .await
                .map_err(|s| format!("{:?}: {}", s.code(), s.message())),
            Err(e) => Err(e.to_string()),
        };
        match listed {
            Ok(agents) => {
                for a in agents {
                    // each write replaces the name's versions, as propeller's registry does
                    for t in &a.task_types {
                        registry.insert(t.clone(), HashMap::from([(0, (d.name.clone(), a.sync))]));
                    }
                    for c in &a.categories {
                        registry.insert(
                            c.name.clone(),
                            HashMap::from([(c.version, (d.name.clone(), a.sync))]),
                        );
                    }
                }
            }
            Err(e) => notes.push(format!(
                "discovery on {} ({}) failed, skipped: {e}",
                d.name, d.endpoint,
            )),
        }
    }
    // explicit overrides always win, and always mean async (propeller ≥ 1.16)
    for (task_type, dep) in &plugin.overrides {
        registry.insert(
            task_type.clone(),
            HashMap::from([(0, (dep.clone(), false))]),
        );
    }
    for t in &plugin.supported_task_types {
        registry
            .entry(t.clone())
            .or_insert_with(|| HashMap::from([(0, (plugin.default.name.clone(), false))]));
    }
    Ok(registry)
}

pub async fn resolve(
    config: &Config,
    category: &admin::TaskCategory,
    opts: &ConnectOptions,
) -> Result<Route> {
    let mut notes = Vec::new();
    for plugin in &config.plugins {
        let registry = discover(plugin, config, opts, &mut notes).await?;
        let Some((dep_name, is_sync)) = registry
            .get(&category.name)
            .and_then(|v| v.get(&category.version))
            .cloned()
        else {
            continue;
        };
        let why =
            if plugin.overrides.get(&category.name) == Some(&dep_name) && category.version == 0 {
                format!(
                    "plugins.{}.{} maps {} to it",
                    plugin.id,
                    override_key(plugin),
                    category.name
                )
            } else if plugin.supported_task_types.contains(&category.name)
                && dep_name == plugin.default.name
            {
                format!(
                    "plugins.{}.supportedTaskTypes lists {}",
                    plugin.id, category.name
                )
            } else {
                format!(
                    "its discovery answer serves {} version {}",
                    category.name, category.version
                )
            };
        let deployment = plugin
            .deployment(&dep_name)
            .cloned()
            .expect("the registry names configured deployments");
        return finish(plugin, deployment, is_sync, why, notes, config, opts);
    }
    // nobody claimed it: the default deployment of the plugin propeller would pick
    let plugin = match config.default_for_task_types.get(&category.name) {
        Some(id) => config.plugins.iter().find(|p| p.id == id),
        None if config.plugins.len() == 1 => config.plugins.first(),
        None => None,
    };
    let Some(plugin) = plugin else {
        return Err(Error::input(format!(
            "{}: no deployment serves task type {} (version {}): discovery found no agent for it, and tasks.task-plugins.default-for-task-types names no plugin for it{}",
            config.path.display(),
            category.name,
            category.version,
            notes.iter().map(|n| format!("\n  {n}")).collect::<String>()
        )));
    };
    if plugin.default.endpoint.is_empty() {
        return Err(Error::input(format!(
            "{}: no deployment serves task type {}: discovery found no agent for it and plugins.{}.{} has no endpoint{}",
            config.path.display(),
            category.name,
            plugin.id,
            plugin.default.name,
            notes.iter().map(|n| format!("\n  {n}")).collect::<String>()
        )));
    }
    let why = format!(
        "no deployment claims {} version {}, so the default deployment takes it",
        category.name, category.version
    );
    finish(
        plugin,
        plugin.default.clone(),
        false,
        why,
        notes,
        config,
        opts,
    )
}

fn override_key(p: &Plugin) -> &'static str {
    if p.id == "connector-service" {
        "connectorForTaskTypes"
    } else {
        "agentForTaskTypes"
    }
}

fn finish(
    plugin: &Plugin,
    deployment: Deployment,
    is_sync: bool,
    why: String,
    notes: Vec<String>,
    config: &Config,
    opts: &ConnectOptions,
) -> Result<Route> {
    let agent = agent_for(&deployment, config, opts)?.with_sync(is_sync);
    Ok(Route {
        plugin: plugin.id,
        deployment,
        is_sync,
        why,
        agent,
        notes,
    })
}
