//! Loading a `core.TaskTemplate` from every form users have, detected by content: binary
//! `TaskTemplate`, `admin.TaskSpec` (`pyflyte package`/`serialize`) or `admin.Task`; proto3 JSON of
//! any of them; `flytectl get task -o json|yaml` (one `admin.Task` or an array); and a
//! `pyflyte package` tarball. What is read is exactly what is sent on: unknown fields are refused.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::json;
use crate::pb::{admin, core};

/// Which task to take when a file holds several.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// A task's name in a `pyflyte package` tarball (full or the part after the last dot).
    pub task: Option<String>,
    /// A version among several in `flytectl get task` output.
    pub version: Option<String>,
}

/// A template and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub template: core::TaskTemplate,
    pub form: &'static str,
    pub path: PathBuf,
}

impl Loaded {
    /// The task's short name, for progress lines and messages.
    pub fn name(&self) -> String {
        task_name(&self.template)
    }
}

pub fn task_name(t: &core::TaskTemplate) -> String {
    match t.id.as_ref().map(|id| id.name.as_str()) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => format!("<{} task>", t.r#type),
    }
}

const FORMS_TRIED: &str = "binary core.TaskTemplate, binary admin.TaskSpec, binary admin.Task, proto3 JSON or YAML of any of these (including `flytectl get task -o json|yaml` output, one task or an array), and a `pyflyte package` .tgz";

pub fn load(path: &Path, sel: &Selection) -> Result<Loaded> {
    let bytes = read_file(path, "template")?;
    let (template, form) =
        parse(&bytes, sel).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    Ok(Loaded {
        template,
        form,
        path: path.to_path_buf(),
    })
}

pub fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| {
            Error::input(format!("cannot read the {what} from standard input: {e}"))
        })?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| {
        let hint = match e.kind() {
            std::io::ErrorKind::NotFound => " (check the path)",
            std::io::ErrorKind::PermissionDenied => " (check the file's permissions)",
            _ => "",
        };
        Error::input(format!(
            "cannot read the {what} {}: {e}{hint}",
            path.display()
        ))
    })
}

fn parse(bytes: &[u8], sel: &Selection) -> Result<(core::TaskTemplate, &'static str), String> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return from_tarball(bytes, sel).map(|t| (t, "pyflyte package tarball"));
    }
    if let Some(text) = as_text(bytes) {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                format!(
                    "malformed JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                )
            })?;
            return from_document(&v, sel, "JSON");
        }
        if !trimmed.is_empty() {
            if let Ok(v) = serde_saphyr::from_str::<serde_json::Value>(text) {
                if v.is_object() || v.is_array() {
                    return from_document(&v, sel, "YAML");
                }
            } else if looks_like_yaml(trimmed) {
                let e = serde_saphyr::from_str::<serde_json::Value>(text).unwrap_err();
                return Err(format!("malformed YAML: {e}"));
            }
        }
    }
    from_binary(bytes)
        .ok_or_else(|| format!("not a task template in any known form; tried {FORMS_TRIED}"))
}

/// Text that is plausibly JSON or YAML rather than a binary protobuf that happens to be UTF-8.
fn as_text(bytes: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(bytes).ok()?;
    let printable = s.chars().all(|c| !c.is_control() || c.is_whitespace());
    printable.then_some(s)
}

fn looks_like_yaml(s: &str) -> bool {
    s.lines()
        .next()
        .is_some_and(|l| l.contains(':') || l.starts_with("- ") || l.starts_with("---"))
}

fn from_binary(bytes: &[u8]) -> Option<(core::TaskTemplate, &'static str)> {
    if let Some(t) =
        json::decode_exact::<core::TaskTemplate>(bytes).filter(|t| !t.r#type.is_empty())
    {
        return Some((t, "binary core.TaskTemplate"));
    }
    if let Some(t) = json::decode_exact::<admin::TaskSpec>(bytes)
        .and_then(|s| s.template)
        .filter(|t| !t.r#type.is_empty())
    {
        return Some((t, "binary admin.TaskSpec"));
    }
    json::decode_exact::<admin::Task>(bytes)
        .and_then(|t| t.closure?.compiled_task?.template)
        .filter(|t| !t.r#type.is_empty())
        .map(|t| (t, "binary admin.Task"))
}

fn from_document(
    v: &serde_json::Value,
    sel: &Selection,
    syntax: &'static str,
) -> Result<(core::TaskTemplate, &'static str), String> {
    let form = |what: &str| -> &'static str {
        match (syntax, what) {
            ("JSON", "template") => "JSON core.TaskTemplate",
            ("JSON", "spec") => "JSON admin.TaskSpec",
            ("JSON", "task") => "JSON admin.Task (flytectl)",
            ("YAML", "template") => "YAML core.TaskTemplate",
            ("YAML", "spec") => "YAML admin.TaskSpec",
            _ => "YAML admin.Task (flytectl)",
        }
    };
    match v {
        serde_json::Value::Array(items) => {
            let tasks = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    json::from_value::<admin::Task>(item)
                        .map_err(|e| format!("element {i} of the array is not an admin.Task: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            pick_version(tasks, sel).map(|t| (t, form("task")))
        }
        serde_json::Value::Object(map) => {
            if map.contains_key("closure") {
                let task = json::from_value::<admin::Task>(v)
                    .map_err(|e| format!("not a valid admin.Task: {e}"))?;
                return pick_version(vec![task], sel).map(|t| (t, form("task")));
            }
            let is_spec = map.len() <= 2
                && map.contains_key("template")
                && map.keys().all(|k| k == "template" || k == "description");
            if is_spec {
                let spec = json::from_value::<admin::TaskSpec>(v)
                    .map_err(|e| format!("not a valid admin.TaskSpec: {e}"))?;
                let t = spec.template.ok_or("the admin.TaskSpec has no template")?;
                return Ok((t, form("spec")));
            }
            let t = json::from_value::<core::TaskTemplate>(v)
                .map_err(|e| format!("not a valid core.TaskTemplate: {e}"))?;
            if t.r#type.is_empty() {
                return Err(
                    "the task template has no `type`, so no agent can be chosen for it".into(),
                );
            }
            Ok((t, form("template")))
        }
        _ => Err(format!(
            "the {syntax} document is neither an object nor an array; tried {FORMS_TRIED}"
        )),
    }
}

fn pick_version(tasks: Vec<admin::Task>, sel: &Selection) -> Result<core::TaskTemplate, String> {
    let version_of = |t: &admin::Task| t.id.as_ref().map(|i| i.version.clone()).unwrap_or_default();
    let chosen = match &sel.version {
        Some(v) => tasks
            .into_iter()
            .find(|t| &version_of(t) == v)
            .ok_or_else(|| format!("no task with version {v:?}"))?,
        None if tasks.len() == 1 => tasks.into_iter().next().unwrap(),
        None => {
            let versions: Vec<_> = tasks.iter().map(version_of).collect();
            return Err(format!(
                "the file holds {} versions of the task ({}); choose one with --task-version",
                versions.len(),
                versions.join(", ")
            ));
        }
    };
    chosen
        .closure
        .and_then(|c| c.compiled_task)
        .and_then(|c| c.template)
        .ok_or_else(|| "the admin.Task has no closure.compiledTask.template".to_string())
}

fn from_tarball(bytes: &[u8], sel: &Selection) -> Result<core::TaskTemplate, String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut templates = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| format!("unreadable tarball: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("unreadable tarball: {e}"))?;
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        // pyflyte package names task specs `<NN>_<name>_1.pb`; workflows and launch plans end _2/_3.
        if !name.ends_with("_1.pb") {
            continue;
        }
        let mut buf = Vec::new();
        entry
            .read_to_end(&mut buf)
            .map_err(|e| format!("unreadable entry {name}: {e}"))?;
        if let Some(t) = json::decode_exact::<admin::TaskSpec>(&buf).and_then(|s| s.template) {
            templates.push(t);
        }
    }
    let names: Vec<String> = templates.iter().map(task_name).collect();
    let matches = |t: &core::TaskTemplate, want: &str| {
        let n = task_name(t);
        n == want || n.rsplit('.').next() == Some(want)
    };
    match (&sel.task, templates.len()) {
        (_, 0) => Err("the tarball holds no task specs (`*_1.pb` files)".into()),
        (None, 1) => Ok(templates.remove(0)),
        (None, _) => Err(format!(
            "the tarball holds {} tasks; choose one with --task NAME: {}",
            names.len(),
            names.join(", ")
        )),
        (Some(want), _) => {
            let pos = templates.iter().position(|t| matches(t, want));
            pos.map(|i| templates.swap_remove(i)).ok_or_else(|| {
                format!(
                    "no task named {want:?} in the tarball; it holds: {}",
                    names.join(", ")
                )
            })
        }
    }
}
