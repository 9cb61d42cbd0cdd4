//! `agentctl test`: declarative integration suites. A suite file (YAML) names defaults, an
//! optional agent server to start, and cases, each a template, inputs and what to expect. The
//! whole suite is read and checked before anything runs (file, line and column for a
//! mistake); then cases run concurrently through the runner's one loop, in this process, and
//! the results go to the terminal and to the reports in [`crate::report`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{Error, Result, exit};
use crate::report::{self, Outcome};
use crate::runner::{self, Interrupts, OutputPrefix, Report};
use crate::template::{self, Loaded, Selection};
use crate::wire::{Connection, Wire};
use crate::{inputs, literal};

/// What `agentctl run` takes, settable in `defaults` and per case.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub endpoint: Option<String>,
    pub config: Option<PathBuf>,
    pub wire: Option<Wire>,
    pub env_file: Option<PathBuf>,
    pub timeout: Option<Duration>,
    pub retries: Option<u32>,
    pub poll_interval: Option<Duration>,
    pub max_get_failures: Option<u32>,
}

impl Settings {
    fn over(&self, base: &Settings) -> Settings {
        Settings {
            endpoint: self.endpoint.clone().or_else(|| base.endpoint.clone()),
            config: self.config.clone().or_else(|| base.config.clone()),
            wire: self.wire.or(base.wire),
            env_file: self.env_file.clone().or_else(|| base.env_file.clone()),
            timeout: self.timeout.or(base.timeout),
            retries: self.retries.or(base.retries),
            poll_interval: self.poll_interval.or(base.poll_interval),
            max_get_failures: self.max_get_failures.or(base.max_get_failures),
        }
    }
}

/// The agent server a suite starts for itself.
#[derive(Debug, Clone)]
pub struct AgentSpec {
    pub command: String,
    pub env: BTreeMap<String, String>,
    pub startup_timeout: Duration,
}

/// A value an output is matched against.
#[derive(Debug, Clone)]
pub enum Matcher {
    Exact(Value),
    Regex(regex::Regex),
    Approx {
        value: f64,
        tolerance: f64,
    },
    /// Every key given matches; others may be there too (maps and dataclasses).
    Subset(BTreeMap<String, Matcher>),
    Length(usize),
}

#[derive(Debug, Clone)]
pub enum TextMatcher {
    Contains(String),
    Regex(regex::Regex),
}

#[derive(Debug, Clone)]
pub struct Expect {
    pub phase: String,
    pub exit_code: Option<u8>,
    pub outputs: BTreeMap<String, Matcher>,
    pub message: Option<TextMatcher>,
    pub log_links: Vec<String>,
    pub attempts: Option<u32>,
    pub max_duration: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub line: usize,
    /// Shared by every case that names the same template.
    pub loaded: std::sync::Arc<Loaded>,
    pub inputs: crate::pb::core::LiteralMap,
    pub settings: Settings,
    pub expect: Expect,
}

#[derive(Debug, Clone)]
pub struct SuiteFile {
    pub path: PathBuf,
    pub defaults: Settings,
    pub agent: Option<AgentSpec>,
    pub cases: Vec<Case>,
}

// ---------------------------------------------------------------------------------------------
// Reading and checking

/// The directory a suite's relative paths (templates, the agent's working directory) are read
/// from: the suite file's, `.` for a bare file name.
fn suite_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Where things are in the suite's text: the line of each case, the line and column of a key.
struct Places<'a> {
    lines: Vec<&'a str>,
    cases: Vec<usize>,
}

impl<'a> Places<'a> {
    fn new(text: &'a str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let mut cases = Vec::new();
        if let Some(start) = lines.iter().position(|l| l.starts_with("cases:")) {
            let mut indent = None;
            for (i, l) in lines.iter().enumerate().skip(start + 1) {
                let body = l.trim_start();
                if body.is_empty() || body.starts_with('#') {
                    continue;
                }
                let ind = l.len() - body.len();
                if ind == 0 {
                    break;
                }
                if body.starts_with("- ") || body == "-" {
                    let first = *indent.get_or_insert(ind);
                    if ind == first {
                        cases.push(i);
                    }
                }
            }
        }
        Places { lines, cases }
    }

    /// Line and column (1-based) of a key in case `n` (or the top level with `None`), by its
    /// path: `expect.outputs.y` is the `y:` after `outputs:` after `expect:`, in block or flow
    /// style. Not found: the case's first line.
    fn key(&self, case: Option<usize>, path: &str) -> (usize, usize) {
        let (from, to) = match case {
            Some(n) => (
                self.cases.get(n).copied().unwrap_or(0),
                self.cases.get(n + 1).copied().unwrap_or(self.lines.len()),
            ),
            None => (0, self.lines.len()),
        };
        let fallback = match case {
            Some(n) => (self.cases.get(n).map(|l| l + 1).unwrap_or(1), 1),
            None => (1, 1),
        };
        let (mut line, mut col) = (from, 0usize);
        for (depth, seg) in path.split('.').enumerate() {
            let top = case.is_none() && depth == 0;
            let found = (line..to).find_map(|i| {
                let l = self.lines[i];
                let start = if i == line { col } else { 0 };
                find_key(l, seg, start, top).map(|c| (i, c))
            });
            match found {
                Some((i, c)) => {
                    line = i;
                    col = c + seg.len();
                }
                None => return fallback,
            }
        }
        (
            line + 1,
            col - path.rsplit('.').next().unwrap_or(path).len() + 1,
        )
    }
}

/// The column of `key:` in a line at or after `start`, as a whole key (after the line's
/// indent, a `- `, `{` or `,`), or quoted; at column 0 only when `top`.
fn find_key(line: &str, key: &str, start: usize, top: bool) -> Option<usize> {
    let mut from = start;
    while let Some(pos) = line.get(from..).and_then(|rest| rest.find(key)) {
        let at = from + pos;
        let before = line[..at].trim_end_matches('"');
        let after = &line[at + key.len()..];
        let after = after.strip_prefix('"').unwrap_or(after);
        let boundary = before.trim().is_empty()
            || before.trim() == "-"
            || before.trim_end().ends_with('{')
            || before.trim_end().ends_with(',');
        let indent_ok = !top || before.is_empty();
        if boundary && indent_ok && after.starts_with(':') {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}

struct Reader<'a> {
    path: &'a Path,
    places: Places<'a>,
}

impl Reader<'_> {
    fn err(&self, case: Option<usize>, key: &str, msg: impl std::fmt::Display) -> Error {
        let (line, col) = self.places.key(case, key);
        Error::input(format!("{}:{line}:{col}: {msg}", self.path.display()))
    }

    fn duration(&self, case: Option<usize>, path: &str, v: &Value) -> Result<Duration> {
        let key = path.rsplit('.').next().unwrap_or(path);
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => format!("{n}s"),
            other => {
                return Err(self.err(
                    case,
                    path,
                    format!("{key}: expected a duration such as 30s, found {other}"),
                ));
            }
        };
        literal::parse_duration(&text)
            .filter(|d| d.seconds >= 0 && d.nanos >= 0)
            .map(|d| Duration::new(d.seconds as u64, d.nanos as u32))
            .ok_or_else(|| {
                self.err(
                    case,
                    path,
                    format!("{key}: {text:?} is not a duration; write it like 30s, 500ms or 5m"),
                )
            })
    }

    fn settings(
        &self,
        case: Option<usize>,
        m: &serde_json::Map<String, Value>,
        dir: &Path,
    ) -> Result<Settings> {
        let mut s = Settings::default();
        // where a key is: under `defaults:` at the top, or in the case itself
        let at = |k: &str| match case {
            None => format!("defaults.{k}"),
            Some(_) => k.to_string(),
        };
        let string = |k: &str, v: &Value| -> Result<String> {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| self.err(case, &at(k), format!("{k}: expected a string, found {v}")))
        };
        let number = |k: &str, v: &Value| -> Result<u32> {
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    self.err(
                        case,
                        &at(k),
                        format!("{k}: expected a whole number, found {v}"),
                    )
                })
        };
        for (k, v) in m {
            match k.as_str() {
                "endpoint" => s.endpoint = Some(string(k, v)?),
                "config" => s.config = Some(dir.join(string(k, v)?)),
                "env_file" => s.env_file = Some(dir.join(string(k, v)?)),
                "wire" => {
                    let w = string(k, v)?;
                    s.wire = match w.as_str() {
                        "auto" => None,
                        other => Some(Wire::parse(other).ok_or_else(|| {
                            self.err(
                                case,
                                &at(k),
                                format!("wire: {other:?} is not v1, v2 or auto"),
                            )
                        })?),
                    }
                }
                "timeout" => s.timeout = Some(self.duration(case, &at(k), v)?),
                "poll_interval" => s.poll_interval = Some(self.duration(case, &at(k), v)?),
                "retries" => s.retries = Some(number(k, v)?),
                "max_get_failures" => s.max_get_failures = Some(number(k, v)?),
                _ => {}
            }
        }
        Ok(s)
    }
}

const SETTING_KEYS: &[&str] = &[
    "endpoint",
    "config",
    "wire",
    "env_file",
    "timeout",
    "retries",
    "poll_interval",
    "max_get_failures",
];

fn unknown<'k>(m: &'k serde_json::Map<String, Value>, known: &[&str]) -> Option<&'k str> {
    m.keys().map(String::as_str).find(|k| !known.contains(k))
}

/// Reads a suite file and checks all of it: every template loads, every input converts,
/// every matcher names a real output. Nothing is sent.
pub fn load(path: &Path) -> Result<SuiteFile> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(format!("cannot read the suite {}: {e}", path.display())))?;
    let doc: Value = serde_saphyr::from_str(&text).map_err(|e| {
        let msg = e.to_string();
        let at = regex::Regex::new(r"line (\d+) column (\d+)")
            .ok()
            .and_then(|re| re.captures(&msg))
            .map(|c| format!(":{}:{}", &c[1], &c[2]))
            .unwrap_or_default();
        let first = msg.lines().next().unwrap_or_default();
        Error::input(format!("{}{at}: malformed YAML: {first}", path.display()))
    })?;
    let r = Reader {
        path,
        places: Places::new(&text),
    };
    let dir = suite_dir(path);
    let top = doc.as_object().ok_or_else(|| {
        r.err(
            None,
            "cases",
            "a suite is a mapping with `cases` (and optional `defaults`, `agent`)",
        )
    })?;
    if let Some(k) = unknown(top, &["defaults", "agent", "cases", "name"]) {
        return Err(r.err(
            None,
            k,
            format!("unknown key {k:?}; a suite has defaults, agent and cases"),
        ));
    }
    let defaults = match top.get("defaults") {
        None | Some(Value::Null) => Settings::default(),
        Some(Value::Object(m)) => {
            if let Some(k) = unknown(m, SETTING_KEYS) {
                return Err(r.err(
                    None,
                    &format!("defaults.{k}"),
                    format!(
                        "unknown key {k:?} in defaults; known: {}",
                        SETTING_KEYS.join(", ")
                    ),
                ));
            }
            r.settings(None, m, &dir)?
        }
        Some(_) => return Err(r.err(None, "defaults", "defaults: expected a mapping")),
    };
    let agent = match top.get("agent") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => {
            if let Some(k) = unknown(m, &["command", "env", "startup_timeout"]) {
                return Err(r.err(
                    None,
                    &format!("agent.{k}"),
                    format!("unknown key {k:?} in agent; known: command, env, startup_timeout"),
                ));
            }
            let command = m
                .get("command")
                .and_then(Value::as_str)
                .filter(|c| !c.trim().is_empty())
                .ok_or_else(|| {
                    r.err(
                        None,
                        "agent",
                        "agent: needs a `command` that starts the server, with {port}",
                    )
                })?
                .to_string();
            let env = m
                .get("env")
                .and_then(Value::as_object)
                .map(|e| {
                    e.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let startup_timeout = match m.get("startup_timeout") {
                Some(v) => r.duration(None, "agent.startup_timeout", v)?,
                None => Duration::from_secs(60),
            };
            Some(AgentSpec {
                command,
                env,
                startup_timeout,
            })
        }
        Some(_) => return Err(r.err(None, "agent", "agent: expected a mapping with `command`")),
    };
    let list = match top.get("cases") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        _ => return Err(r.err(None, "cases", "cases: expected a list of at least one case")),
    };
    let mut cases = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    let mut templates = Templates::new();
    for (i, c) in list.iter().enumerate() {
        let case = read_case(&r, i, c, &dir, &mut templates)?;
        if !names.insert(case.name.clone()) {
            return Err(r.err(
                Some(i),
                "name",
                format!(
                    "a case named {:?} is already in the suite; names are unique",
                    case.name
                ),
            ));
        }
        cases.push(case);
    }
    Ok(SuiteFile {
        path: path.to_path_buf(),
        defaults,
        agent,
        cases,
    })
}

const CASE_KEYS: &[&str] = &[
    "name",
    "template",
    "task",
    "task_version",
    "inputs",
    "expect",
];
const EXPECT_KEYS: &[&str] = &[
    "phase",
    "exit_code",
    "outputs",
    "message",
    "log_links",
    "attempts",
    "max_duration",
];
const PHASES: &[&str] = &[
    "SUCCEEDED",
    "FAILED",
    "ABORTED",
    "RETRYABLE_FAILED",
    "UNDEFINED",
    "UNKNOWN",
    "RUNNING",
    "QUEUED",
    "INITIALIZING",
    "WAITING_FOR_RESOURCES",
];

/// Templates already read, by path and selection: cases that name one share it.
type Templates = BTreeMap<(PathBuf, Option<String>, Option<String>), std::sync::Arc<Loaded>>;

fn read_case(
    r: &Reader,
    i: usize,
    c: &Value,
    dir: &Path,
    templates: &mut Templates,
) -> Result<Case> {
    let m = c.as_object().ok_or_else(|| {
        r.err(
            Some(i),
            "name",
            format!(
                "case {}: expected a mapping with name, template and expect",
                i + 1
            ),
        )
    })?;
    if m.contains_key("env_file") {
        return Err(r.err(
            Some(i),
            "env_file",
            "env_file is read once for the whole suite: set it in defaults",
        ));
    }
    if let Some(k) = m
        .keys()
        .map(String::as_str)
        .find(|k| !CASE_KEYS.contains(k) && !SETTING_KEYS.contains(k))
    {
        return Err(r.err(
            Some(i),
            k,
            format!(
                "unknown key {k:?} in a case; known: {}, and any default",
                CASE_KEYS.join(", ")
            ),
        ));
    }
    let name = m
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| r.err(Some(i), "name", format!("case {}: needs a `name`", i + 1)))?
        .to_string();
    let tpath = m.get("template").and_then(Value::as_str).ok_or_else(|| {
        r.err(
            Some(i),
            "template",
            format!("case {name:?}: needs a `template` (a path relative to the suite file)"),
        )
    })?;
    let sel = Selection {
        task: m.get("task").and_then(Value::as_str).map(str::to_string),
        version: m
            .get("task_version")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let key = (dir.join(tpath), sel.task.clone(), sel.version.clone());
    let loaded = match templates.get(&key) {
        Some(l) => l.clone(),
        None => {
            let l = std::sync::Arc::new(
                template::load(&key.0, &sel)
                    .map_err(|e| r.err(Some(i), "template", format!("case {name:?}: {e}")))?,
            );
            templates.insert(key, l.clone());
            l
        }
    };
    let values = match m.get("inputs") {
        None | Some(Value::Null) => None,
        Some(Value::Object(v)) => Some(v.clone()),
        Some(Value::String(_)) => None,
        Some(other) => {
            return Err(r.err(
                Some(i),
                "inputs",
                format!("case {name:?}: inputs are values by name, or a file; found {other}"),
            ));
        }
    };
    let file = m.get("inputs").and_then(Value::as_str).map(|f| dir.join(f));
    let inputs = inputs::collect(
        &loaded,
        &inputs::Sources {
            matches: None,
            pairs: &[],
            file: file.as_deref(),
            values: values.as_ref(),
        },
    )
    .map_err(|e| {
        // point at the input the message names, if it names one given here
        let text = e.to_string();
        let given = || values.iter().flat_map(|v| v.keys());
        let named = given()
            .find(|k| text.contains(&format!("{k:?}")))
            .or_else(|| given().find(|k| text.contains(&format!("input {k}:"))));
        let at = named.map_or("inputs".to_string(), |k| format!("inputs.{k}"));
        r.err(Some(i), &at, format!("case {name:?}: {e}"))
    })?;
    let settings = r.settings(Some(i), m, dir)?;
    let expect = read_expect(r, i, &name, m.get("expect"), &loaded)?;
    Ok(Case {
        name,
        line: r.places.cases.get(i).map(|l| l + 1).unwrap_or(1),
        loaded,
        inputs,
        settings,
        expect,
    })
}

fn read_expect(r: &Reader, i: usize, name: &str, v: Option<&Value>, l: &Loaded) -> Result<Expect> {
    let empty = serde_json::Map::new();
    let m = match v {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(r.err(
                Some(i),
                "expect",
                format!("case {name:?}: expect is a mapping"),
            ));
        }
    };
    if let Some(k) = unknown(m, EXPECT_KEYS) {
        return Err(r.err(
            Some(i),
            &format!("expect.{k}"),
            format!(
                "case {name:?}: unknown expectation {k:?}; known: {}",
                EXPECT_KEYS.join(", ")
            ),
        ));
    }
    let phase = match m.get("phase") {
        None => "SUCCEEDED".to_string(),
        Some(Value::String(p)) if PHASES.contains(&p.to_uppercase().as_str()) => p.to_uppercase(),
        Some(other) => {
            return Err(r.err(
                Some(i),
                "expect.phase",
                format!(
                    "case {name:?}: phase {other} is not one of {}",
                    PHASES.join(", ")
                ),
            ));
        }
    };
    let declared = inputs::output_variables(&l.template);
    let mut outputs = BTreeMap::new();
    if let Some(o) = m.get("outputs") {
        let o = o.as_object().ok_or_else(|| {
            r.err(
                Some(i),
                "expect.outputs",
                format!("case {name:?}: outputs is a mapping from output name to value"),
            )
        })?;
        for (k, v) in o {
            if !declared.contains_key(k) {
                let known: Vec<&str> = declared.keys().map(String::as_str).collect();
                return Err(r.err(
                    Some(i),
                    &format!("expect.outputs.{k}"),
                    format!(
                        "case {name:?}: the task has no output named {k:?}; its outputs: {}",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
            outputs.insert(
                k.clone(),
                matcher(v).map_err(|e| {
                    r.err(
                        Some(i),
                        &format!("expect.outputs.{k}"),
                        format!("case {name:?}: output {k}: {e}"),
                    )
                })?,
            );
        }
    }
    let message = match m.get("message") {
        None => None,
        Some(Value::String(s)) => Some(TextMatcher::Contains(s.clone())),
        Some(Value::Object(o)) if o.len() == 1 && o.get("regex").is_some_and(Value::is_string) => {
            let re = o["regex"].as_str().unwrap_or_default();
            Some(TextMatcher::Regex(regex::Regex::new(re).map_err(|e| {
                r.err(
                    Some(i),
                    "expect.message",
                    format!("case {name:?}: message regex: {e}"),
                )
            })?))
        }
        Some(other) => {
            return Err(r.err(
                Some(i),
                "expect.message",
                format!("case {name:?}: message is a substring or {{regex: …}}, not {other}"),
            ));
        }
    };
    let log_links = match m.get("log_links") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect(),
        Some(other) => {
            return Err(r.err(
                Some(i),
                "expect.log_links",
                format!("case {name:?}: log_links is a list of link names, not {other}"),
            ));
        }
    };
    let exit_code = match m.get("exit_code") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| {
                    r.err(
                        Some(i),
                        "expect.exit_code",
                        format!("case {name:?}: exit_code is 0 to 255"),
                    )
                })?,
        ),
    };
    let attempts = match m.get("attempts") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    r.err(
                        Some(i),
                        "expect.attempts",
                        format!("case {name:?}: attempts is a whole number"),
                    )
                })?,
        ),
    };
    let max_duration = m
        .get("max_duration")
        .map(|v| r.duration(Some(i), "expect.max_duration", v))
        .transpose()?;
    Ok(Expect {
        phase,
        exit_code,
        outputs,
        message,
        log_links,
        attempts,
        max_duration,
    })
}

fn matcher(v: &Value) -> std::result::Result<Matcher, String> {
    if let Value::Object(o) = v {
        if o.len() == 1 && o.get("regex").is_some_and(Value::is_string) {
            let re = o["regex"].as_str().unwrap_or_default();
            return regex::Regex::new(re)
                .map(Matcher::Regex)
                .map_err(|e| format!("regex: {e}"));
        }
        if o.contains_key("approx") && o.keys().all(|k| k == "approx" || k == "tolerance") {
            let value = o["approx"].as_f64().ok_or("approx is a number")?;
            let tolerance = o.get("tolerance").and_then(Value::as_f64).unwrap_or(1e-9);
            return Ok(Matcher::Approx { value, tolerance });
        }
        if o.len() == 1 && o.contains_key("length") {
            let n = o["length"].as_u64().ok_or("length is a whole number")?;
            return Ok(Matcher::Length(n as usize));
        }
        if o.len() == 1 && o.get("subset").is_some_and(Value::is_object) {
            let sub = o["subset"].as_object().cloned().unwrap_or_default();
            let mut m = BTreeMap::new();
            for (k, x) in &sub {
                m.insert(k.clone(), matcher(x)?);
            }
            return Ok(Matcher::Subset(m));
        }
    }
    Ok(Matcher::Exact(v.clone()))
}

/// Why `got` does not match, or `None`.
fn mismatch(m: &Matcher, got: Option<&Value>) -> Option<String> {
    let Some(got) = got else {
        return Some("missing".into());
    };
    match m {
        Matcher::Exact(want) => {
            let same = want == got
                || matches!((want.as_f64(), got.as_f64()), (Some(a), Some(b)) if a == b);
            (!same).then(|| format!("expected {want}, got {got}"))
        }
        Matcher::Regex(re) => {
            let text = got
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| got.to_string());
            (!re.is_match(&text)).then(|| format!("expected to match /{re}/, got {got}"))
        }
        Matcher::Approx { value, tolerance } => match got.as_f64() {
            Some(x) if (x - value).abs() <= *tolerance => None,
            _ => Some(format!("expected {value} ± {tolerance}, got {got}")),
        },
        Matcher::Length(n) => {
            let len = got
                .as_array()
                .map(Vec::len)
                .or_else(|| got.as_object().map(|o| o.len()));
            (len != Some(*n)).then(|| format!("expected length {n}, got {got}"))
        }
        Matcher::Subset(keys) => keys
            .iter()
            .find_map(|(k, m)| mismatch(m, got.get(k)).map(|why| format!("{k}: {why}"))),
    }
}

// ---------------------------------------------------------------------------------------------
// The agent under test

/// A server a suite started: its process group is stopped when this is dropped.
pub struct AgentServer {
    child: std::process::Child,
    pub endpoint: String,
    log: PathBuf,
}

fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Error::Rpc(format!("cannot find a free loopback port: {e}")))
}

impl AgentServer {
    /// Starts the command in its own process group, and waits until gRPC health answers
    /// SERVING on the port (bounded by `startup_timeout`).
    pub async fn start(
        spec: &AgentSpec,
        dir: &Path,
        connect: &crate::transport::ConnectOptions,
    ) -> Result<Self> {
        use std::os::unix::process::CommandExt;
        let port = free_port()?;
        let command = spec.command.replace("{port}", &port.to_string());
        let log = std::env::temp_dir().join(format!(
            "agentctl-suite-agent-{}-{port}.log",
            std::process::id()
        ));
        let err = std::fs::File::create(&log).map_err(|e| {
            Error::Rpc(format!(
                "cannot write the agent's log {}: {e}",
                log.display()
            ))
        })?;
        let child = std::process::Command::new("sh")
            .arg("-c")
            .arg(&command)
            .current_dir(dir)
            .envs(&spec.env)
            .stdin(std::process::Stdio::null())
            .stdout(err.try_clone().map_err(|e| Error::Rpc(e.to_string()))?)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| Error::Rpc(format!("cannot start the agent `{command}`: {e}")))?;
        let endpoint = format!("127.0.0.1:{port}");
        let mut server = AgentServer {
            child,
            endpoint,
            log,
        };
        let transport = crate::transport::Transport::connect(
            crate::transport::Target::parse(&server.endpoint)?,
            connect,
            crate::transport::Dial::plain(),
        )?;
        let until = Instant::now() + spec.startup_timeout;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(Error::Rpc(format!(
                    "the agent `{command}` exited ({status}) before it served:\n{}",
                    server.tail()
                )));
            }
            if matches!(transport.health("").await, Ok(s) if s == "SERVING") {
                return Ok(server);
            }
            if Instant::now() >= until {
                return Err(Error::Rpc(format!(
                    "the agent `{command}` did not answer gRPC health SERVING on {} within {}:\n{}",
                    server.endpoint,
                    runner::humantime_short(spec.startup_timeout),
                    server.tail()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The end of what the server wrote, for a message.
    fn tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// SIGTERM to the group, then SIGKILL after a grace.
    pub fn stop(&mut self) {
        let group = format!("-{}", self.child.id());
        let signal = |sig: &str| {
            let _ = std::process::Command::new("kill")
                .args([sig, "--", &group])
                .stderr(std::process::Stdio::null())
                .status();
        };
        if matches!(self.child.try_wait(), Ok(None)) {
            signal("-TERM");
            let until = Instant::now() + Duration::from_secs(5);
            while Instant::now() < until && matches!(self.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
            signal("-KILL");
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

impl Drop for AgentServer {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------------------------------------
// Running

/// What `agentctl test` was asked for beyond the suites.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub jobs: usize,
    pub filter: Option<String>,
    pub fail_fast: bool,
    pub connect: crate::transport::ConnectOptions,
}

/// A case's run, judged.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub case: report::Case,
    pub report: Report,
    pub exit_code: u8,
    pub error: Option<String>,
    pub expected: Value,
}

fn judge(
    c: &Case,
    r: &Report,
    err: Option<&Error>,
    elapsed: Duration,
) -> (Outcome, String, String) {
    let code = err.map(Error::exit_code).unwrap_or(exit::SUCCESS);
    let mut problems = Vec::new();
    // an RPC failure, timeout or interruption the case did not expect is an error, not a failure
    let want_code = c.expect.exit_code;
    if let Some(e) = err
        && matches!(
            e,
            Error::Rpc(_)
                | Error::Timeout(_)
                | Error::Interrupted(_)
                | Error::Io(_)
                | Error::Input(_)
        )
        && want_code != Some(code)
    {
        return (Outcome::Errored, e.to_string(), format!("exit code {code}"));
    }
    if let Some(w) = want_code
        && w != code
    {
        problems.push(format!("exit code: expected {w}, got {code}"));
    }
    if r.phase != c.expect.phase && !(want_code.is_some() && r.phase == "UNDEFINED") {
        problems.push(format!(
            "phase: expected {}, got {}",
            c.expect.phase, r.phase
        ));
    }
    if !c.expect.outputs.is_empty() {
        let got = r
            .outputs
            .as_ref()
            .map(literal::map_to_plain_json)
            .unwrap_or(Value::Null);
        for (k, m) in &c.expect.outputs {
            if let Some(why) = mismatch(m, got.get(k)) {
                problems.push(format!("outputs.{k}: {why}"));
            }
        }
    }
    let message = if r.message.is_empty() {
        err.map(|e| e.to_string()).unwrap_or_default()
    } else {
        r.message.clone()
    };
    match &c.expect.message {
        Some(TextMatcher::Contains(s)) if !message.contains(s.as_str()) => problems.push(format!(
            "message: expected it to contain {s:?}, got {message:?}"
        )),
        Some(TextMatcher::Regex(re)) if !re.is_match(&message) => problems.push(format!(
            "message: expected it to match /{re}/, got {message:?}"
        )),
        _ => {}
    }
    for name in &c.expect.log_links {
        if !r.log_links.iter().any(|l| &l.name == name) {
            let got: Vec<&str> = r.log_links.iter().map(|l| l.name.as_str()).collect();
            problems.push(format!(
                "log_links: expected one named {name:?}, got {got:?}"
            ));
        }
    }
    if let Some(a) = c.expect.attempts
        && a != r.attempts
    {
        problems.push(format!("attempts: expected {a}, got {}", r.attempts));
    }
    if let Some(max) = c.expect.max_duration
        && elapsed > max
    {
        problems.push(format!(
            "duration: expected at most {}, took {:.3}s",
            runner::humantime_short(max),
            elapsed.as_secs_f64()
        ));
    }
    if problems.is_empty() {
        (Outcome::Passed, String::new(), String::new())
    } else {
        (Outcome::Failed, problems[0].clone(), problems.join("\n"))
    }
}

impl Matcher {
    /// As the suite wrote it.
    fn to_json(&self) -> Value {
        match self {
            Matcher::Exact(v) => v.clone(),
            Matcher::Regex(re) => serde_json::json!({ "regex": re.as_str() }),
            Matcher::Approx { value, tolerance } => {
                serde_json::json!({ "approx": value, "tolerance": tolerance })
            }
            Matcher::Subset(m) => serde_json::json!({
                "subset": m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect::<serde_json::Map<_, _>>()
            }),
            Matcher::Length(n) => serde_json::json!({ "length": n }),
        }
    }
}

fn expected_json(c: &Case) -> Value {
    let message = c.expect.message.as_ref().map(|m| match m {
        TextMatcher::Contains(s) => Value::String(s.clone()),
        TextMatcher::Regex(re) => serde_json::json!({ "regex": re.as_str() }),
    });
    serde_json::json!({
        "phase": c.expect.phase,
        "exit_code": c.expect.exit_code,
        "outputs": c.expect.outputs.iter().map(|(k, m)| (k.clone(), m.to_json())).collect::<serde_json::Map<_, _>>(),
        "message": message,
        "log_links": c.expect.log_links,
        "attempts": c.expect.attempts,
        "max_duration_seconds": c.expect.max_duration.map(|d| d.as_secs_f64()),
    })
}

/// Runs one case through the runner, with the agent its settings choose.
async fn run_case(
    c: &Case,
    settings: &Settings,
    connect: &crate::transport::ConnectOptions,
    interrupts: &Interrupts,
) -> (Report, Result<(), Error>, Option<Wire>) {
    use crate::agent::registry::Registry;
    use crate::agent::remote::RemoteAgent;
    use crate::transport::{Dial, Target, Transport};
    use crate::wire::detect::Choice;
    let opts = runner::Options {
        output_prefix: OutputPrefix::fresh(),
        retries: settings.retries,
        timeout: settings.timeout,
        poll_interval: settings.poll_interval.unwrap_or(Duration::from_secs(1)),
        max_get_failures: settings.max_get_failures.unwrap_or(5),
        deadline: None,
        logs: false,
    };
    // the template's custom.secrets and configs, as run sends them
    let connection = match Connection::for_template(&c.loaded.template, &[], &[]) {
        Ok(conn) => conn,
        Err(e) => return (Report::default(), Err(e), None),
    };
    let task = runner::Task {
        template: &c.loaded.sendable,
        inputs: &c.inputs,
        connection: &connection,
    };
    let mut progress = crate::progress::Progress::new(crate::progress::Mode::Quiet, &c.name);
    let choice = match settings.wire {
        Some(w) => Choice::Fixed(w, "the suite's wire".into()),
        None => Choice::Auto,
    };
    let category = crate::agent::category(&c.loaded.template);
    let fail = |e: Error| (Report::default(), Err(e), None);
    let remote = match (&settings.endpoint, &settings.config) {
        (Some(e), _) => {
            match Target::parse(e).and_then(|t| Transport::connect(t, connect, Dial::plain())) {
                Ok(t) => Some(RemoteAgent::new(t, choice)),
                Err(e) => return fail(e),
            }
        }
        (None, Some(cfg)) => {
            let routed = match crate::config::load(cfg) {
                Ok(cfg) => crate::route::resolve(&cfg, &category, connect).await,
                Err(e) => Err(e),
            };
            match routed {
                Ok(r) => Some(r.agent),
                Err(e) => return fail(e),
            }
        }
        (None, None) => None,
    };
    match remote {
        Some(agent) => {
            let (r, res) = runner::run(&agent, task, &opts, &mut progress, interrupts).await;
            let w = r.wire.as_ref().map(|w| w.0);
            (r, res, w)
        }
        None => {
            let registry = Registry::builtin();
            if !registry.serves(&category) {
                return fail(Error::input(format!(
                    "no agent for task type {:?}: give the suite an endpoint, a config or an agent to start",
                    category.name
                )));
            }
            let (r, res) = runner::run(&registry, task, &opts, &mut progress, interrupts).await;
            (r, res, None)
        }
    }
}

/// Runs every case of a suite (concurrently up to `jobs`), starting its agent first.
/// What is told as cases run: the terminal's live lines, or a line per finished case.
pub trait Watcher {
    fn started(&self, suite: &str, case: &str);
    fn finished(&self, suite: &str, r: &CaseResult);
}

pub async fn run(
    suite: &SuiteFile,
    opts: &RunOptions,
    interrupts: &Interrupts,
    watcher: &dyn Watcher,
) -> (report::Suite, Vec<CaseResult>, Option<Error>) {
    let started = Instant::now();
    let dir = suite_dir(&suite.path);
    let mut defaults = suite.defaults.clone();
    let mut properties = vec![("suite".to_string(), suite.path.display().to_string())];
    let name = suite
        .path
        .file_name()
        .map(|f| {
            f.to_string_lossy()
                .trim_end_matches(".agentctl.yaml")
                .to_string()
        })
        .unwrap_or_default();
    let mut server = None;
    if let Some(spec) = &suite.agent {
        properties.push(("agent".into(), spec.command.clone()));
        match AgentServer::start(spec, &dir, &opts.connect).await {
            Ok(s) => {
                defaults.endpoint = Some(s.endpoint.clone());
                server = Some(s);
            }
            Err(e) => {
                // a setup problem is an <error> in the reports, as the cases never ran
                let s = report::Suite {
                    name,
                    file: Some(suite.path.clone()),
                    properties,
                    cases: vec![report::Case {
                        name: "start the agent under test".into(),
                        outcome: Outcome::Errored,
                        message: e.to_string().lines().next().unwrap_or_default().into(),
                        detail: e.to_string(),
                        time: started.elapsed(),
                        system_out: String::new(),
                        line: None,
                    }],
                    time: started.elapsed(),
                };
                return (s, Vec::new(), Some(e));
            }
        }
    }
    if let Some(e) = &defaults.endpoint {
        properties.push(("endpoint".into(), e.clone()));
    }
    let cases: Vec<&Case> = suite
        .cases
        .iter()
        .filter(|c| {
            opts.filter
                .as_ref()
                .is_none_or(|f| c.name.contains(f.as_str()))
        })
        .collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // a case's future is made only when it may start: at most `jobs` exist at once, so memory
    // follows --jobs, not the number of cases
    let start = |i: usize| {
        let c: &Case = cases[i];
        let settings = c.settings.over(&defaults);
        let stop = stop.clone();
        let connect = opts.connect.clone();
        let interrupts = interrupts.clone();
        let fail_fast = opts.fail_fast;
        let suite_name = &name;
        Box::pin(async move {
            // after Ctrl-C (or --fail-fast's stop) no new job is started
            if stop.load(std::sync::atomic::Ordering::Relaxed) || interrupts.count() > 0 {
                return (i, None);
            }
            watcher.started(suite_name, &c.name);
            let t0 = Instant::now();
            let (report, result, wire) = run_case(c, &settings, &connect, &interrupts).await;
            let elapsed = t0.elapsed();
            let err = result.err();
            let (outcome, message, detail) = judge(c, &report, err.as_ref(), elapsed);
            if fail_fast && outcome != Outcome::Passed {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            let outputs = report.outputs.as_ref().map(literal::map_to_plain_json);
            let system_out = format!(
                "task type: {}\ngeneration: {}\nattempts: {}\nphase: {}\nresource_meta: {}\noutputs: {}",
                c.loaded.template.r#type,
                match (wire, &settings.endpoint, &settings.config) {
                    (Some(w), _, _) => w.name(),
                    (None, None, None) => "in-process",
                    (None, _, _) => "unknown (the agent was not reached)",
                },
                report.attempts,
                report.phase,
                String::from_utf8_lossy(&report.resource_meta),
                outputs.clone().unwrap_or(Value::Null)
            );
            let result = CaseResult {
                case: report::Case {
                    name: c.name.clone(),
                    outcome,
                    message,
                    detail,
                    time: elapsed,
                    system_out,
                    line: Some(c.line),
                },
                exit_code: err.as_ref().map(Error::exit_code).unwrap_or(0),
                error: err.map(|e| e.to_string()),
                expected: expected_json(c),
                report,
            };
            (i, Some(result))
        })
    };
    let mut results: Vec<Option<CaseResult>> = vec![None; cases.len()];
    let mut running = futures_unordered();
    let mut next = 0;
    loop {
        while running.len() < opts.jobs.max(1) && next < cases.len() {
            running.push(start(next));
            next += 1;
        }
        let Some((i, r)) = running.next().await else {
            break;
        };
        if let Some(r) = r {
            watcher.finished(&name, &r);
            results[i] = Some(r);
        }
    }
    // the cases' futures borrow the suite's name
    drop(running);
    drop(server);
    let results: Vec<CaseResult> = results.into_iter().flatten().collect();
    let s = report::Suite {
        name,
        file: Some(suite.path.clone()),
        properties,
        cases: results.iter().map(|r| r.case.clone()).collect(),
        time: started.elapsed(),
    };
    (s, results, None)
}

/// A minimal unordered set of futures polled together (tokio has no FuturesUnordered).
fn futures_unordered<F: Future + Unpin>() -> Unordered<F> {
    Unordered(Vec::new())
}

struct Unordered<F>(Vec<F>);

impl<F: Future + Unpin> Unordered<F> {
    fn push(&mut self, f: F) {
        self.0.push(f);
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    async fn next(&mut self) -> Option<F::Output> {
        if self.0.is_empty() {
            return None;
        }
        std::future::poll_fn(|cx| {
            for i in 0..self.0.len() {
                if let std::task::Poll::Ready(out) = std::pin::Pin::new(&mut self.0[i]).poll(cx) {
                    drop(self.0.swap_remove(i));
                    return std::task::Poll::Ready(Some(out));
                }
            }
            std::task::Poll::Pending
        })
        .await
    }
}

/// Every `*.agentctl.yaml` in a directory, sorted; a file as it is.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::input(format!("cannot read {}: {e}", p.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.to_string_lossy().ends_with(".agentctl.yaml"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Error::input(format!(
                    "{} holds no *.agentctl.yaml suite",
                    p.display()
                )));
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_match_loosely_where_asked() {
        let m = |v: Value| matcher(&v).unwrap();
        assert!(mismatch(&m(serde_json::json!(2)), Some(&serde_json::json!(2.0))).is_none());
        assert!(
            mismatch(
                &m(serde_json::json!({"regex": "^hello"})),
                Some(&serde_json::json!("hello ada"))
            )
            .is_none()
        );
        assert!(
            mismatch(
                &m(serde_json::json!({"approx": 1.0, "tolerance": 0.1})),
                Some(&serde_json::json!(1.05))
            )
            .is_none()
        );
        assert!(
            mismatch(
                &m(serde_json::json!({"approx": 1.0, "tolerance": 0.01})),
                Some(&serde_json::json!(1.05))
            )
            .is_some()
        );
        assert!(
            mismatch(
                &m(serde_json::json!({"length": 2})),
                Some(&serde_json::json!([1, 2]))
            )
            .is_none()
        );
        assert!(
            mismatch(
                &m(serde_json::json!({"subset": {"a": 1}})),
                Some(&serde_json::json!({"a": 1, "b": 2}))
            )
            .is_none()
        );
        assert!(
            mismatch(
                &m(serde_json::json!({"subset": {"a": 2}})),
                Some(&serde_json::json!({"a": 1}))
            )
            .is_some()
        );
        assert!(mismatch(&m(serde_json::json!("x")), None).is_some());
    }

    #[test]
    fn case_lines_and_keys_are_found() {
        let text = "defaults:\n  timeout: 60s\ncases:\n  - name: a\n    template: t\n  - name: b\n    template: u\n    expect: {phase: FAILED, message: x}\n";
        let p = Places::new(text);
        assert_eq!(p.cases, vec![3, 5]);
        assert_eq!(p.key(Some(1), "template"), (7, 5));
        assert_eq!(p.key(Some(1), "message"), (8, 29));
        assert_eq!(p.key(None, "defaults"), (1, 1));
    }
}
