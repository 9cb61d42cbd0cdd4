//! Propeller's configmap, read as it is: `plugins.agent-service` and `plugins.connector-service`
//! (default deployment, named deployments, task-type overrides, supported types, poll interval),
//! and `tasks.task-plugins`. YAML anchors and merge keys work, every map may also be written as
//! a list of one-key maps (as Flyte's docs write them), unknown keys are ignored, and a wrong
//! type is an error naming the key path, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};

/// A duration as the config writes it (`10s`, `1m30s`, `500ms`, `0`), kept with its text so
/// messages can quote it.
#[derive(Debug, Clone, PartialEq)]
pub struct GoDuration {
    pub text: String,
    pub value: Duration,
}

impl GoDuration {
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let value = if t == "0" {
            Duration::ZERO
        } else {
            let d = crate::literal::parse_duration(t)?;
            if d.seconds < 0 || d.nanos < 0 {
                return None;
            }
            Duration::new(d.seconds as u64, d.nanos as u32)
        };
        Some(GoDuration {
            text: t.to_string(),
            value,
        })
    }

    fn from_secs(text: &str, secs: u64) -> Self {
        GoDuration {
            text: text.to_string(),
            value: Duration::from_secs(secs),
        }
    }
}

/// One agent service deployment (propeller's `Deployment`).
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// The name as the config writes it: `defaultAgent`, `defaultConnector`, or a key of `agents`.
    pub name: String,
    /// Where it is in the file, for messages: `plugins.agent-service.agents.custom`.
    pub key_path: String,
    pub endpoint: String,
    pub insecure: bool,
    pub default_service_config: String,
    pub timeouts: BTreeMap<String, GoDuration>,
    pub default_timeout: Option<GoDuration>,
    /// agentctl's own `wire: v1|v2` (propeller runs one generation per build): `None` detects.
    pub wire: Option<crate::wire::Wire>,
}

impl Deployment {
    /// The deadline for `method` and the key that sets it; a zero duration means none.
    pub fn deadline(&self, method: &str) -> Option<(GoDuration, String)> {
        let (d, key) = match self.timeouts.get(method) {
            Some(d) => (d.clone(), format!("{}.timeouts.{method}", self.key_path)),
            None => (
                self.default_timeout.clone()?,
                format!("{}.defaultTimeout", self.key_path),
            ),
        };
        (!d.value.is_zero()).then_some((d, key))
    }

    /// Whether calls should be spread over every resolved address (gRPC's round_robin policy).
    pub fn round_robin(&self) -> bool {
        self.default_service_config.contains("round_robin")
    }
}

/// One of propeller's two agent plugins, as configured.
#[derive(Debug, Clone)]
pub struct Plugin {
    /// `agent-service` or `connector-service`.
    pub id: &'static str,
    pub default: Deployment,
    pub deployments: BTreeMap<String, Deployment>,
    /// Task type → deployment name (`agentForTaskTypes` / `connectorForTaskTypes`).
    pub overrides: BTreeMap<String, String>,
    pub supported_task_types: Vec<String>,
    /// Propeller's re-discovery interval; agentctl discovers once per run.
    pub poll_interval: Option<GoDuration>,
    /// The `timeouts` key discovery uses: `ListAgents` or `ListConnectors`.
    pub discovery_method: &'static str,
}

impl Plugin {
    pub fn deployment(&self, name: &str) -> Option<&Deployment> {
        if name == self.default.name {
            Some(&self.default)
        } else {
            self.deployments.get(name)
        }
    }

    /// The default deployment (when it has an endpoint) and every named one.
    pub fn all_deployments(&self) -> Vec<&Deployment> {
        let default = (!self.default.endpoint.is_empty()).then_some(&self.default);
        default
            .into_iter()
            .chain(self.deployments.values())
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    /// In propeller's order of precedence: the connector plugin first, then the agent plugin.
    pub plugins: Vec<Plugin>,
    /// `tasks.task-plugins.default-for-task-types`: task type → plugin id.
    pub default_for_task_types: BTreeMap<String, String>,
}

pub fn load(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(format!("--config {}: {e}", path.display())))?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<Config> {
    let root: Value = serde_saphyr::from_str(text)
        .map_err(|e| Error::input(format!("{}: malformed YAML: {e}", path.display())))?;
    let p = Parser { text, path };
    let root = if root.is_null() {
        Value::Object(Default::default())
    } else {
        root
    };
    p.object(&root, "")?;
    let section = |k: &str| root.get("plugins").and_then(|pl| pl.get(k)).cloned();
    let tasks = root
        .get("tasks")
        .and_then(|t| t.get("task-plugins"))
        .cloned()
        .unwrap_or(Value::Null);
    let enabled: Option<Vec<String>> = match tasks.get("enabled-plugins") {
        None | Some(Value::Null) => None,
        Some(v) => Some(p.strings(v, "tasks.task-plugins.enabled-plugins")?),
    };
    let default_for_task_types = match tasks.get("default-for-task-types") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(v) => p.string_map(v, "tasks.task-plugins.default-for-task-types")?,
    };

    let mut plugins = Vec::new();
    for (id, default_key, map_key, override_key, discovery_method, default_timeout, placeholders) in [
        (
            "connector-service",
            "defaultConnector",
            "connectors",
            "connectorForTaskTypes",
            "ListConnectors",
            10,
            ["task_type_3", "task_type_4"],
        ),
        (
            "agent-service",
            "defaultAgent",
            "agents",
            "agentForTaskTypes",
            "ListAgents",
            3,
            ["task_type_1", "task_type_2"],
        ),
    ] {
        let Some(sec) = section(id) else { continue };
        if enabled.as_ref().is_some_and(|e| !e.iter().any(|x| x == id)) {
            continue;
        }
        let base = format!("plugins.{id}");
        let sec = if sec.is_null() {
            Value::Object(Default::default())
        } else {
            sec
        };
        p.object(&sec, &base)?;
        // only the default deployment inherits propeller's defaults
        let mut default = Deployment {
            name: default_key.to_string(),
            key_path: format!("{base}.{default_key}"),
            endpoint: String::new(),
            insecure: true,
            default_service_config: r#"{"loadBalancingConfig": [{"round_robin":{}}]}"#.into(),
            timeouts: BTreeMap::new(),
            default_timeout: Some(GoDuration::from_secs(
                &format!("{default_timeout}s"),
                default_timeout,
            )),
            wire: None,
        };
        if let Some(v) = sec.get(default_key).filter(|v| !v.is_null()) {
            p.deployment_into(v, &mut default)?;
        }
        let mut deployments = BTreeMap::new();
        if let Some(v) = sec.get(map_key).filter(|v| !v.is_null()) {
            for (name, dv) in p.map(v, &format!("{base}.{map_key}"))? {
                let mut d = Deployment {
                    name: name.clone(),
                    key_path: format!("{base}.{map_key}.{name}"),
                    endpoint: String::new(),
                    insecure: false,
                    default_service_config: String::new(),
                    timeouts: BTreeMap::new(),
                    default_timeout: None,
                    wire: None,
                };
                p.deployment_into(&dv, &mut d)?;
                deployments.insert(name, d);
            }
        }
        let overrides = match sec.get(override_key).filter(|v| !v.is_null()) {
            Some(v) => p.string_map(v, &format!("{base}.{override_key}"))?,
            None => BTreeMap::new(),
        };
        for (task_type, dep) in &overrides {
            if dep != default_key && !deployments.contains_key(dep) {
                let known: Vec<&str> = std::iter::once(default_key)
                    .chain(deployments.keys().map(String::as_str))
                    .collect();
                return Err(p.error(
                    &format!("{base}.{override_key}.{task_type}"),
                    &format!(
                        "names deployment {dep:?}, which {base} does not define (it defines: {})",
                        known.join(", ")
                    ),
                ));
            }
        }
        let supported_task_types = match sec.get("supportedTaskTypes").filter(|v| !v.is_null()) {
            Some(v) => p.strings(v, &format!("{base}.supportedTaskTypes"))?,
            None => placeholders.iter().map(|s| s.to_string()).collect(),
        };
        let poll_interval = match sec.get("pollInterval").filter(|v| !v.is_null()) {
            Some(v) => Some(p.duration(v, &format!("{base}.pollInterval"))?),
            None => None,
        };
        plugins.push(Plugin {
            id,
            default,
            deployments,
            overrides,
            supported_task_types,
            poll_interval,
            discovery_method,
        });
    }
    if plugins.is_empty() {
        return Err(Error::input(format!(
            "{}: no plugins.agent-service or plugins.connector-service section{}; agentctl reads propeller's agent configuration from there",
            path.display(),
            if enabled.is_some() {
                " that tasks.task-plugins.enabled-plugins enables"
            } else {
                ""
            }
        )));
    }
    Ok(Config {
        path: path.to_path_buf(),
        plugins,
        default_for_task_types,
    })
}

struct Parser<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Parser<'_> {
    fn error(&self, key_path: &str, what: &str) -> Error {
        let at = locate(self.text, key_path)
            .map(|(l, c)| format!(", line {l}, column {c}"))
            .unwrap_or_default();
        Error::input(format!("{}: {key_path}{at}: {what}", self.path.display()))
    }

    fn object<'v>(
        &self,
        v: &'v Value,
        key_path: &str,
    ) -> Result<&'v serde_json::Map<String, Value>> {
        v.as_object().ok_or_else(|| {
            self.error(
                if key_path.is_empty() {
                    "(top level)"
                } else {
                    key_path
                },
                &format!("expected a mapping, found {}", kind(v)),
            )
        })
    }

    /// A map, or a list of one-key maps merged into one (as propeller's decoder accepts).
    fn map(&self, v: &Value, key_path: &str) -> Result<Vec<(String, Value)>> {
        match v {
            Value::Object(m) => Ok(m.iter().map(|(k, x)| (k.clone(), x.clone())).collect()),
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    let m = item.as_object().ok_or_else(|| {
                        self.error(
                            key_path,
                            &format!("expected a list of mappings, found a {} in it", kind(item)),
                        )
                    })?;
                    out.extend(m.iter().map(|(k, x)| (k.clone(), x.clone())));
                }
                Ok(out)
            }
            other => Err(self.error(
                key_path,
                &format!(
                    "expected a mapping (or a list of one-key mappings), found {}",
                    kind(other)
                ),
            )),
        }
    }

    fn string_map(&self, v: &Value, key_path: &str) -> Result<BTreeMap<String, String>> {
        self.map(v, key_path)?
            .into_iter()
            .map(|(k, x)| {
                let s = self.string(&x, &format!("{key_path}.{k}"))?;
                Ok((k, s))
            })
            .collect()
    }

    fn string(&self, v: &Value, key_path: &str) -> Result<String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(self.error(
                key_path,
                &format!("expected a string, found {}", kind(other)),
            )),
        }
    }

    fn strings(&self, v: &Value, key_path: &str) -> Result<Vec<String>> {
        let items = v.as_array().ok_or_else(|| {
            self.error(
                key_path,
                &format!("expected a list of strings, found {}", kind(v)),
            )
        })?;
        items
            .iter()
            .enumerate()
            .map(|(i, x)| self.string(x, &format!("{key_path}[{i}]")))
            .collect()
    }

    fn duration(&self, v: &Value, key_path: &str) -> Result<GoDuration> {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) if n.as_u64() == Some(0) => "0".into(),
            other => {
                return Err(self.error(
                    key_path,
                    &format!(
                        "expected a duration such as 10s, 1m30s or 500ms, found {}",
                        kind(other)
                    ),
                ));
            }
        };
        GoDuration::parse(&text).ok_or_else(|| {
            self.error(
                key_path,
                &format!("{text:?} is not a duration; write it as Go does: 10s, 1m30s, 500ms, 0"),
            )
        })
    }

    fn deployment_into(&self, v: &Value, d: &mut Deployment) -> Result<()> {
        let m = self.object(v, &d.key_path)?;
        let key = |k: &str| format!("{}.{k}", d.key_path);
        if let Some(x) = m.get("endpoint").filter(|x| !x.is_null()) {
            d.endpoint = self.string(x, &key("endpoint"))?;
        }
        if let Some(x) = m.get("insecure").filter(|x| !x.is_null()) {
            d.insecure = match x {
                Value::Bool(b) => *b,
                Value::String(s) if matches!(s.as_str(), "true" | "false") => s == "true",
                other => {
                    return Err(self.error(
                        &key("insecure"),
                        &format!("expected true or false, found {}", kind(other)),
                    ));
                }
            };
        }
        if let Some(x) = m.get("defaultServiceConfig").filter(|x| !x.is_null()) {
            d.default_service_config = self.string(x, &key("defaultServiceConfig"))?;
        }
        if let Some(x) = m.get("timeouts").filter(|x| !x.is_null()) {
            // a map given in YAML replaces the default, as propeller's mapstructure ZeroFields does
            d.timeouts = BTreeMap::new();
            for (method, dv) in self.map(x, &key("timeouts"))? {
                let dur = self.duration(&dv, &format!("{}.{method}", key("timeouts")))?;
                d.timeouts.insert(method, dur);
            }
        }
        if let Some(x) = m.get("defaultTimeout").filter(|x| !x.is_null()) {
            d.default_timeout = Some(self.duration(x, &key("defaultTimeout"))?);
        }
        if let Some(x) = m.get("wire").filter(|x| !x.is_null()) {
            let text = self.string(x, &key("wire"))?;
            d.wire = match text.as_str() {
                "auto" => None,
                other => Some(crate::wire::Wire::parse(other).ok_or_else(|| {
                    self.error(
                        &key("wire"),
                        &format!("{other:?} is not a generation; write v1, v2 or auto"),
                    )
                })?),
            };
        }
        Ok(())
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The line and column of the last key of `key_path` in the YAML text: each segment is looked
/// for below the line of the one before, indented deeper. Good enough for configmaps, and only
/// used to point at a place in an error.
fn locate(text: &str, key_path: &str) -> Option<(usize, usize)> {
    let segments: Vec<&str> = key_path
        .split('.')
        .map(|s| s.split('[').next().unwrap_or(s))
        .filter(|s| !s.is_empty())
        .collect();
    let lines: Vec<&str> = text.lines().collect();
    let (mut from, mut min_indent, mut found) = (0usize, 0usize, None);
    for seg in segments {
        let hit = lines.iter().enumerate().skip(from).find_map(|(i, line)| {
            let body = line.trim_start();
            let indent = line.len() - body.len();
            let body_key = body.strip_prefix("- ").unwrap_or(body);
            let key_col = indent + (body.len() - body_key.len());
            let matches = body_key
                .strip_prefix(seg)
                .is_some_and(|r| r.starts_with(':'))
                || body_key
                    .strip_prefix(&format!("\"{seg}\""))
                    .is_some_and(|r| r.starts_with(':'));
            (matches && (found.is_none() || key_col >= min_indent)).then_some((i, key_col))
        })?;
        found = Some(hit);
        from = hit.0 + 1;
        min_indent = hit.1 + 1;
    }
    found.map(|(l, c)| (l + 1, c + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"
tasks:
  task-plugins:
    enabled-plugins: [container, agent-service]
    default-for-task-types:
      - container: container
      - bigquery_query_job_task: agent-service
plugins:
  agent-service:
    defaultAgent: &base
      endpoint: "dns:///flyteagent.flyte.svc.cluster.local:8000"
      insecure: true
      timeouts:
        GetTask: 5s
        ListAgents: 1m30s
    agents:
      custom_agent:
        <<: *base
        endpoint: "127.0.0.1:9000"
        defaultTimeout: 500ms
    agentForTaskTypes:
      - custom_task: custom_agent
    unknownKey: whatever
"#;

    #[test]
    fn seed_configmap_loads() {
        let c = parse(SEED, Path::new("c.yaml")).unwrap();
        assert_eq!(c.plugins.len(), 1);
        let p = &c.plugins[0];
        assert_eq!(p.id, "agent-service");
        assert_eq!(p.default.timeouts["GetTask"].value, Duration::from_secs(5));
        assert_eq!(
            p.default.timeouts["ListAgents"].value,
            Duration::from_secs(90)
        );
        // the default deployment keeps propeller's defaults for what the YAML leaves out
        assert_eq!(p.default.default_timeout.as_ref().unwrap().text, "3s");
        let custom = &p.deployments["custom_agent"];
        assert_eq!(custom.endpoint, "127.0.0.1:9000");
        assert!(custom.insecure, "merged from the anchor");
        assert_eq!(custom.deadline("CreateTask").unwrap().0.text, "500ms");
        assert_eq!(
            custom.deadline("GetTask").unwrap().1,
            "plugins.agent-service.agents.custom_agent.timeouts.GetTask"
        );
        assert_eq!(p.overrides["custom_task"], "custom_agent");
        assert_eq!(
            c.default_for_task_types["bigquery_query_job_task"],
            "agent-service"
        );
    }

    #[test]
    fn wrong_types_name_the_key_line_and_column() {
        let bad = SEED.replace("defaultTimeout: 500ms", "defaultTimeout: [1]");
        let e = parse(&bad, Path::new("c.yaml")).unwrap_err().to_string();
        assert!(
            e.contains(
                "plugins.agent-service.agents.custom_agent.defaultTimeout, line 20, column 9"
            ),
            "{e}"
        );
        let bad = SEED.replace("GetTask: 5s", "GetTask: soon");
        let e = parse(&bad, Path::new("c.yaml")).unwrap_err().to_string();
        assert!(
            e.contains("timeouts.GetTask, line 14") && e.contains("\"soon\" is not a duration"),
            "{e}"
        );
        let bad = SEED.replace("custom_task: custom_agent", "custom_task: nowhere");
        let e = parse(&bad, Path::new("c.yaml")).unwrap_err().to_string();
        assert!(
            e.contains("names deployment \"nowhere\"") && e.contains("defaultAgent, custom_agent"),
            "{e}"
        );
    }

    #[test]
    fn connector_service_form_loads_with_its_defaults() {
        let text = "plugins:\n  connector-service:\n    defaultConnector:\n      endpoint: 127.0.0.1:8000\n    connectorForTaskTypes:\n      x: defaultConnector\n";
        let c = parse(text, Path::new("c.yaml")).unwrap();
        let p = &c.plugins[0];
        assert_eq!(p.id, "connector-service");
        assert_eq!(p.discovery_method, "ListConnectors");
        assert_eq!(p.default.deadline("GetTask").unwrap().0.text, "10s");
        assert!(p.default.round_robin());
    }
}
