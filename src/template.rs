//! Loading a task template from every form either generation's tools write, detected by
//! content. Flyte 1: binary `TaskTemplate`, `admin.TaskSpec` (`pyflyte package`/`serialize`) or
//! `admin.Task`; proto3 JSON or YAML of any of them; `flytectl get task -o json|yaml` (one
//! `admin.Task` or an array); a `pyflyte package` tarball. Flyte 2: binary and JSON
//! `flyteidl2.task.TaskSpec` (`flyte.extras.serialize`; its `default_inputs` become the inputs'
//! defaults) and flyteidl2 `TaskTemplate` JSON. What is read is exactly what is sent on:
//! a template is kept as the Flyte 2 superset ([`Template::full`]), so no field is dropped, and
//! unknown fields are refused.

use std::io::Read;
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use prost::Message as _;

use crate::error::{Error, Result};
use crate::json;
use crate::pb::{self, admin, core, v2};
use crate::wire::Wire;

/// A template ready to send: the Flyte 1 view that everything reads (interface, custom,
/// metadata), and the whole template as Flyte 2's `TaskTemplate` — the same field numbers, a
/// superset of fields — which is what goes on the wire in either generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub view: core::TaskTemplate,
    pub full: v2::core::TaskTemplate,
}

impl Template {
    /// From a Flyte 1 type, whose interface is a map: the variables come out sorted by name
    /// (the generated maps are ordered), as the Flyte 2 SDK writes them.
    pub fn from_v1(view: core::TaskTemplate) -> Self {
        Template {
            full: pb::transcode(&view),
            view,
        }
    }

    pub fn from_v2(full: v2::core::TaskTemplate) -> Self {
        Template {
            view: pb::transcode(&full),
            full,
        }
    }

    /// Binary bytes of either generation's `TaskTemplate`; the variables keep their order.
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let full = v2::core::TaskTemplate::decode(bytes).ok()?;
        Some(Self::from_v2(full))
    }

    /// The input names in the interface's order (Flyte 2 lists; Flyte 1 maps as written).
    pub fn input_order(&self) -> Vec<String> {
        let vars = self.full.interface.as_ref().and_then(|i| i.inputs.as_ref());
        vars.map(|v| v.variables.iter().map(|e| e.key.clone()).collect())
            .unwrap_or_default()
    }

    /// The output names in the interface's order.
    pub fn output_order(&self) -> Vec<String> {
        let vars = self
            .full
            .interface
            .as_ref()
            .and_then(|i| i.outputs.as_ref());
        vars.map(|v| v.variables.iter().map(|e| e.key.clone()).collect())
            .unwrap_or_default()
    }

    /// The template with its container's args replaced (rendered), in both views.
    pub fn with_args(&self, args: Vec<String>) -> Self {
        let mut t = self.clone();
        if let Some(core::task_template::Target::Container(c)) = &mut t.view.target {
            c.args = args.clone();
        }
        if let Some(v2::core::task_template::Target::Container(c)) = &mut t.full.target {
            c.args = args;
        }
        t
    }

    /// The bytes a re-encoded template has: the full template, variables in order.
    pub fn encode_to_vec(&self) -> Vec<u8> {
        self.full.encode_to_vec()
    }

    /// Which generation wrote it, read from what only that generation writes: Flyte 2-only
    /// fields, or `metadata.runtime` naming a 2.x SDK.
    pub fn generation(&self) -> Wire {
        let m = self.full.metadata.as_ref();
        let v2_only = self.full.reuse_policy.is_some()
            || self.full.worker_kind != 0
            || m.is_some_and(|m| {
                m.timeouts.is_some()
                    || m.is_entrypoint
                    || m.debuggable
                    || !m.log_links.is_empty()
                    || !m.code_bundle_uri.is_empty()
                    || m.image_build_run.is_some()
                    || m.cache_max_age.is_some()
            });
        let v2_runtime = m
            .and_then(|m| m.runtime.as_ref())
            .is_some_and(|r| r.version.starts_with("2."));
        if v2_only || v2_runtime {
            Wire::V2
        } else {
            Wire::V1
        }
    }
}

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
    /// The Flyte 1 view of the template, which readers use.
    pub template: core::TaskTemplate,
    /// The template as it is sent.
    pub sendable: Template,
    /// Flyte 2's `TaskSpec.default_inputs`: inputs the SDK gave a default, as values.
    pub defaults: BTreeMap<String, core::Literal>,
    pub generation: Wire,
    pub form: &'static str,
    pub path: PathBuf,
}

/// What a parser found: the template, the defaults beside it, and the form's name.
struct Parsed {
    template: Template,
    defaults: BTreeMap<String, core::Literal>,
    form: &'static str,
    /// The form belongs to one generation (a spec), rather than the template saying.
    generation: Option<Wire>,
}

impl Parsed {
    fn v1(t: core::TaskTemplate, form: &'static str) -> Self {
        Parsed {
            template: Template::from_v1(t),
            defaults: BTreeMap::new(),
            form,
            generation: Some(Wire::V1),
        }
    }
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

const FORMS_TRIED: &str = "binary core.TaskTemplate, binary admin.TaskSpec, binary admin.Task, binary flyteidl2.task.TaskSpec, proto3 JSON or YAML of any of these (including `flytectl get task -o json|yaml` output, one task or an array), and a `pyflyte package` .tgz";

pub fn load(path: &Path, sel: &Selection) -> Result<Loaded> {
    let bytes = read_file(path, "template")?;
    let p = parse(&bytes, sel).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    Ok(Loaded {
        template: p.template.view.clone(),
        generation: p.generation.unwrap_or_else(|| p.template.generation()),
        sendable: p.template,
        defaults: p.defaults,
        form: p.form,
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

fn parse(bytes: &[u8], sel: &Selection) -> Result<Parsed, String> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return from_tarball(bytes, sel).map(|t| Parsed::v1(t, "pyflyte package tarball"));
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

/// The field numbers at the top level of a binary message, without decoding it.
fn top_level_fields(mut bytes: &[u8]) -> Option<Vec<u32>> {
    use prost::encoding::{DecodeContext, decode_key, skip_field};
    let mut fields = Vec::new();
    while !bytes.is_empty() {
        let (tag, wt) = decode_key(&mut bytes).ok()?;
        fields.push(tag);
        skip_field(wt, tag, &mut bytes, DecodeContext::default()).ok()?;
    }
    Some(fields)
}

/// The two `TaskSpec` envelopes clash at field 2, so a binary spec's generation is read from
/// fields only Flyte 2's has (3–5: `flyte.extras.serialize` always writes `short_name`), never
/// from which type happened to decode it.
fn from_binary(bytes: &[u8]) -> Option<Parsed> {
    let top = top_level_fields(bytes)?;
    if top.iter().any(|f| (3..=5).contains(f))
        && let Some(spec) = json::decode_exact::<v2::task::TaskSpec>(bytes)
        && let Some(p) = from_v2_spec(spec, "binary flyteidl2.task.TaskSpec")
    {
        return Some(p);
    }
    if json::decode_exact::<v2::core::TaskTemplate>(bytes).is_some_and(|t| !t.r#type.is_empty()) {
        let template = Template::from_bytes(bytes)?;
        return Some(Parsed {
            template,
            defaults: BTreeMap::new(),
            form: "binary core.TaskTemplate",
            generation: None,
        });
    }
    if let Some(t) = json::decode_exact::<admin::TaskSpec>(bytes)
        .and_then(|s| s.template)
        .filter(|t| !t.r#type.is_empty())
    {
        return Some(Parsed::v1(t, "binary admin.TaskSpec"));
    }
    if let Some(spec) = json::decode_exact::<v2::task::TaskSpec>(bytes)
        && let Some(p) = from_v2_spec(spec, "binary flyteidl2.task.TaskSpec")
    {
        return Some(p);
    }
    json::decode_exact::<admin::Task>(bytes)
        .and_then(|t| t.closure?.compiled_task?.template)
        .filter(|t| !t.r#type.is_empty())
        .map(|t| Parsed::v1(t, "binary admin.Task"))
}

fn from_v2_spec(spec: v2::task::TaskSpec, form: &'static str) -> Option<Parsed> {
    let t = spec.task_template.filter(|t| !t.r#type.is_empty())?;
    let defaults = spec
        .default_inputs
        .iter()
        .filter_map(|p| match p.parameter.as_ref()?.behavior.as_ref()? {
            v2::core::parameter::Behavior::Default(d) => {
                Some((p.name.clone(), pb::transcode::<core::Literal>(d)))
            }
            _ => None,
        })
        .collect();
    Some(Parsed {
        template: Template::from_v2(t),
        defaults,
        form,
        generation: Some(Wire::V2),
    })
}

/// A Flyte 2 document: arrays where Flyte 1 has maps (`variables`), or the spec's own keys.
fn is_v2_document(map: &serde_json::Map<String, serde_json::Value>) -> bool {
    let arrays = map
        .get("interface")
        .and_then(|i| i.as_object())
        .is_some_and(|i| {
            ["inputs", "outputs"].iter().any(|k| {
                i.get(*k)
                    .and_then(|v| v.get("variables"))
                    .is_some_and(|v| v.is_array())
            })
        });
    arrays || map.contains_key("taskTemplate") || map.contains_key("task_template")
}

fn from_document(
    v: &serde_json::Value,
    sel: &Selection,
    syntax: &'static str,
) -> Result<Parsed, String> {
    let form = |what: &str| -> &'static str {
        match (syntax, what) {
            ("JSON", "template") => "JSON core.TaskTemplate",
            ("JSON", "spec") => "JSON admin.TaskSpec",
            ("JSON", "task") => "JSON admin.Task (flytectl)",
            ("JSON", "spec2") => "JSON flyteidl2.task.TaskSpec",
            ("JSON", "template2") => "JSON flyteidl2.core.TaskTemplate",
            ("YAML", "template") => "YAML core.TaskTemplate",
            ("YAML", "spec") => "YAML admin.TaskSpec",
            ("YAML", "spec2") => "YAML flyteidl2.task.TaskSpec",
            ("YAML", "template2") => "YAML flyteidl2.core.TaskTemplate",
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
            pick_version(tasks, sel).map(|t| Parsed::v1(t, form("task")))
        }
        serde_json::Value::Object(map) => {
            if map.contains_key("closure") {
                let task = json::from_value::<admin::Task>(v)
                    .map_err(|e| format!("not a valid admin.Task: {e}"))?;
                return pick_version(vec![task], sel).map(|t| Parsed::v1(t, form("task")));
            }
            if map.contains_key("taskTemplate") || map.contains_key("task_template") {
                let spec = json::from_value::<v2::task::TaskSpec>(v)
                    .map_err(|e| format!("not a valid flyteidl2.task.TaskSpec: {e}"))?;
                return from_v2_spec(spec, form("spec2")).ok_or_else(|| {
                    "the flyteidl2.task.TaskSpec has no task template with a type".into()
                });
            }
            let is_spec = map.len() <= 2
                && map.contains_key("template")
                && map.keys().all(|k| k == "template" || k == "description");
            if is_spec {
                let spec = json::from_value::<admin::TaskSpec>(v)
                    .map_err(|e| format!("not a valid admin.TaskSpec: {e}"))?;
                let t = spec.template.ok_or("the admin.TaskSpec has no template")?;
                return Ok(Parsed::v1(t, form("spec")));
            }
            let parsed = if is_v2_document(map) {
                let t = json::from_value::<v2::core::TaskTemplate>(v)
                    .map_err(|e| format!("not a valid flyteidl2.core.TaskTemplate: {e}"))?;
                Parsed {
                    template: Template::from_v2(t),
                    defaults: BTreeMap::new(),
                    form: form("template2"),
                    generation: Some(Wire::V2),
                }
            } else {
                let t = json::from_value::<core::TaskTemplate>(v)
                    .map_err(|e| format!("not a valid core.TaskTemplate: {e}"))?;
                Parsed {
                    generation: None,
                    ..Parsed::v1(t, form("template"))
                }
            };
            if parsed.template.view.r#type.is_empty() {
                return Err(
                    "the task template has no `type`, so no agent can be chosen for it".into(),
                );
            }
            Ok(parsed)
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

/// The largest task spec read from a tarball (gRPC's own message limit is 4 MiB).
const MAX_ENTRY: u64 = 16 * 1024 * 1024;

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
        // a small archive can expand to a huge entry: read no more than a template can be
        if entry.size() > MAX_ENTRY {
            return Err(format!(
                "entry {name} is {} bytes; a task spec is at most {MAX_ENTRY} bytes",
                entry.size()
            ));
        }
        let mut buf = Vec::new();
        (&mut entry)
            .take(MAX_ENTRY + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("unreadable entry {name}: {e}"))?;
        if buf.len() as u64 > MAX_ENTRY {
            return Err(format!("entry {name} is larger than {MAX_ENTRY} bytes"));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_tarball_cannot_expand_a_huge_entry_into_memory() {
        // 17 MiB of zeros compresses to a few KiB
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        let size = MAX_ENTRY as usize + 1024 * 1024;
        let mut header = tar::Header::new_gnu();
        header.set_size(size as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(
                &mut header,
                "00_huge_1.pb",
                std::io::repeat(0).take(size as u64),
            )
            .unwrap();
        let gz = builder.into_inner().unwrap().finish().unwrap();
        assert!(gz.len() < 1024 * 1024, "{}", gz.len());
        let e = from_tarball(&gz, &Selection::default()).unwrap_err();
        assert!(e.contains("00_huge_1.pb") && e.contains("at most"), "{e}");
    }
}
