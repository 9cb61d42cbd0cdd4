//! `agentctl describe`: what a template holds, for people (aligned text) and scripts (JSON).

use serde_json::json;

use crate::inputs;
use crate::literal;
use crate::pb::core::{self, task_template::Target};
use crate::template::Loaded;

pub fn to_json(l: &Loaded) -> serde_json::Value {
    let t = &l.template;
    let meta = t.metadata.clone().unwrap_or_default();
    let vars = |m: std::collections::BTreeMap<String, core::Variable>| -> serde_json::Value {
        m.into_iter()
            .map(|(name, v)| {
                let ty = v.r#type.clone().unwrap_or_default();
                let default = l.defaults.get(&name);
                let required = default.is_none()
                    && !literal::is_boolean(&ty)
                    && literal::optional_none_variant(&ty).is_none();
                let mut doc = json!({ "type": literal::type_name(&ty), "description": v.description, "required": required });
                if let Some(d) = default {
                    doc["default"] = literal::to_plain_json(d);
                }
                (name, doc)
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let id = t.id.clone().unwrap_or_default();
    json!({
        "name": l.name(),
        "type": t.r#type,
        "version": t.task_type_version,
        "form": l.form,
        "generation": l.generation.describe(),
        "id": { "project": id.project, "domain": id.domain, "name": id.name, "version": id.version, "org": id.org },
        "inputs": vars(inputs::variables(t)),
        "outputs": vars(inputs::output_variables(t)),
        "custom": t.custom.as_ref().map(literal::struct_to_json),
        "builtin_agent": builtin_agent(t),
        "target": target(t),
        "timeout": meta.timeout.as_ref().map(literal::format_duration),
        "retries": meta.retries.map(|r| r.retries).unwrap_or(0),
        "example": example_command(l),
    })
}

fn target(t: &core::TaskTemplate) -> serde_json::Value {
    match &t.target {
        Some(Target::Container(c)) => {
            json!({ "kind": "container", "image": c.image, "command": c.command, "args": c.args })
        }
        Some(Target::Sql(s)) => json!({
            "kind": "sql",
            "statement": s.statement,
            "dialect": core::sql::Dialect::try_from(s.dialect).map(|d| d.as_str_name()).unwrap_or("UNDEFINED"),
        }),
        Some(Target::K8sPod(p)) => {
            json!({ "kind": "k8s_pod", "primary_container_name": p.primary_container_name })
        }
        None => json!({ "kind": "none" }),
    }
}

/// A command line that would run the task: every required input with an example value.
pub fn example_command(l: &Loaded) -> String {
    let mut cmd = format!(
        "agentctl run {}",
        shell_quote(&l.path.display().to_string())
    );
    for (name, v) in inputs::variables(&l.template) {
        let ty = v.r#type.unwrap_or_default();
        if literal::is_boolean(&ty)
            || literal::optional_none_variant(&ty).is_some()
            || l.defaults.contains_key(&name)
        {
            continue;
        }
        let example = literal::example(&ty);
        let value = example
            .split(" (")
            .next()
            .unwrap_or_default()
            .trim_matches('\'')
            .to_string();
        cmd.push_str(&format!(" --{name} {}", shell_quote(&value)));
    }
    cmd
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// What agentctl's built-in agent for the task type would do with it, if there is one.
fn builtin_agent(t: &core::TaskTemplate) -> serde_json::Value {
    let registry = crate::agent::registry::Registry::builtin();
    match registry.find(&crate::agent::category(t)) {
        None => serde_json::Value::Null,
        Some(a) => {
            let mut doc = json!({ "name": a.name });
            for (k, v) in (a.describe)(t) {
                doc[k] = v.into();
            }
            doc
        }
    }
}

pub fn to_text(l: &Loaded) -> String {
    let j = to_json(l);
    let mut out = String::new();
    let row = |out: &mut String, k: &str, v: String| out.push_str(&format!("{k:<10} {v}\n"));
    row(&mut out, "task", l.name());
    row(
        &mut out,
        "type",
        format!(
            "{} (version {})",
            l.template.r#type, l.template.task_type_version
        ),
    );
    let id = &j["id"];
    let id_text = ["project", "domain", "name", "version"]
        .iter()
        .map(|k| id[k].as_str().unwrap_or_default())
        .map(|s| if s.is_empty() { "-" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    row(&mut out, "id", id_text);
    row(&mut out, "read as", l.form.to_string());
    row(&mut out, "written by", l.generation.describe().to_string());
    let tgt = &j["target"];
    let target_text = match tgt["kind"].as_str().unwrap_or_default() {
        "container" => format!("container {}", tgt["image"].as_str().unwrap_or_default()),
        "sql" => format!(
            "sql ({}): {}",
            tgt["dialect"].as_str().unwrap_or_default(),
            tgt["statement"].as_str().unwrap_or_default()
        ),
        "k8s_pod" => "k8s pod".to_string(),
        _ => "none".to_string(),
    };
    row(&mut out, "target", target_text);
    if let Some(a) = j["builtin_agent"].as_object() {
        row(
            &mut out,
            "built-in",
            a["name"].as_str().unwrap_or_default().to_string(),
        );
        for (k, v) in a.iter().filter(|(k, _)| *k != "name") {
            row(
                &mut out,
                &format!("  {k}"),
                v.as_str().unwrap_or_default().to_string(),
            );
        }
    }
    row(
        &mut out,
        "timeout",
        j["timeout"].as_str().unwrap_or("none").to_string(),
    );
    row(&mut out, "retries", j["retries"].to_string());
    for (title, key) in [("inputs", "inputs"), ("outputs", "outputs")] {
        let vars = j[key].as_object().cloned().unwrap_or_default();
        if vars.is_empty() {
            row(&mut out, title, "none".to_string());
            continue;
        }
        out.push_str(&format!("{title}\n"));
        let width = vars.keys().map(String::len).max().unwrap_or(0);
        for (name, v) in vars {
            let ty = v["type"].as_str().unwrap_or_default();
            let desc = v["description"].as_str().unwrap_or_default();
            let desc = if desc.is_empty() || desc == name {
                String::new()
            } else {
                format!("  {desc}")
            };
            let opt = if key == "inputs" && v["required"] == false {
                "  (optional)"
            } else {
                ""
            };
            out.push_str(&format!("  {name:<width$}  {ty}{opt}{desc}\n"));
        }
    }
    match &j["custom"] {
        serde_json::Value::Null => row(&mut out, "custom", "none".to_string()),
        c => {
            out.push_str("custom\n");
            for line in serde_json::to_string_pretty(c).unwrap_or_default().lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    out.push_str(&format!("example\n  {}\n", example_command(l)));
    out
}
