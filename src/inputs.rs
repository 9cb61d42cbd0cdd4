//! A task's inputs on the command line: the interface becomes clap flags (`--version 10`), and
//! flags, `--input NAME=VALUE` and `--inputs FILE` become the `core.LiteralMap` sent to the agent.
//! Semantics follow `pyflyte run`: a boolean is a flag pair and defaults to false, an
//! `Optional[T]` left out is None, an input with a default (Flyte 2's `TaskSpec.default_inputs`)
//! left out takes it and is sent as a value, anything else left out is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::error::{Error, Result};
use crate::literal::{self, ValueError};
use crate::pb::core::{self, LiteralMap, TaskTemplate};
use crate::pb::v2;
use crate::template::Loaded;
use crate::{json, template};

const HEADING: &str = "Task inputs";

/// The template's input variables, sorted by name (the interface is a map; its order means nothing).
pub fn variables(t: &TaskTemplate) -> BTreeMap<String, core::Variable> {
    t.interface
        .as_ref()
        .and_then(|i| i.inputs.as_ref())
        .map(|vm| {
            vm.variables
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub fn output_variables(t: &TaskTemplate) -> BTreeMap<String, core::Variable> {
    t.interface
        .as_ref()
        .and_then(|i| i.outputs.as_ref())
        .map(|vm| {
            vm.variables
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn var_type(v: &core::Variable) -> core::LiteralType {
    v.r#type.clone().unwrap_or_default()
}

fn arg_id(name: &str) -> String {
    format!("input::{name}")
}

fn no_arg_id(name: &str) -> String {
    format!("input-no::{name}")
}

/// Every long option `cmd` already has: agentctl's own options win over a task's inputs.
fn own_longs(cmd: &Command) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = ["help".to_string()].into();
    for a in cmd.get_arguments() {
        set.extend(a.get_long().map(str::to_string));
        set.extend(
            a.get_all_aliases()
                .unwrap_or_default()
                .into_iter()
                .map(str::to_string),
        );
    }
    set
}

/// Adds a flag per input variable to `cmd` (`run`, `create`, `inputs`), under their own heading.
/// Inputs whose name an agentctl option already takes are listed after the help instead, with
/// the `--input NAME=VALUE` form that reaches them.
pub fn add_args(mut cmd: Command, l: &Loaded, global_longs: &BTreeSet<String>) -> Command {
    let t = &l.template;
    let mut taken = own_longs(&cmd);
    taken.extend(global_longs.iter().cloned());
    // an input's `--no-…` form must not take another input's name (`cache` and `no_cache`)
    let input_names: BTreeSet<String> = variables(t)
        .keys()
        .flat_map(|n| [n.clone(), n.replace('_', "-")])
        .collect();
    let mut collisions = Vec::new();
    for (name, var) in variables(t) {
        let ty = var_type(&var);
        let type_name = literal::type_name(&ty);
        if taken.contains(&name) {
            collisions.push(format!(
                "  {name} ({type_name}): pass it as --input {name}=VALUE"
            ));
            continue;
        }
        let dashed = name.replace('_', "-");
        let alias = (dashed != name && !taken.contains(&dashed)).then_some(dashed.clone());
        let mut help = if var.description.is_empty() || var.description == name {
            String::new()
        } else {
            format!("{} ", var.description)
        };
        help.push_str(&format!("[{type_name}]"));
        if literal::is_boolean(&ty) {
            let mut arg = Arg::new(arg_id(&name))
                .long(name.clone())
                .value_name("BOOL")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("true")
                .help(format!(
                    "{help} (--{name}, --no-{dashed}, --{name}=false; default false)"
                ))
                .help_heading(HEADING);
            if let Some(a) = &alias {
                arg = arg.alias(a.clone());
            }
            cmd = cmd.arg(arg);
            let no_names: Vec<String> = [format!("no-{dashed}"), format!("no_{name}")]
                .into_iter()
                .filter(|n| !taken.contains(n) && !input_names.contains(n))
                .collect();
            if let Some((first, rest)) = no_names.split_first() {
                let mut no = Arg::new(no_arg_id(&name))
                    .long(first.clone())
                    .action(ArgAction::SetTrue)
                    .hide(true);
                for r in rest.iter().filter(|r| *r != first) {
                    no = no.alias(r.clone());
                }
                cmd = cmd.arg(no);
            }
        } else {
            if let Some(d) = l.defaults.get(&name) {
                help.push_str(&format!(" (default {})", literal::display(d)));
            } else if literal::optional_none_variant(&ty).is_some() {
                help.push_str(" (optional)");
            }
            let mut arg = Arg::new(arg_id(&name))
                .long(name.clone())
                .value_name(literal::value_name(&ty))
                .action(ArgAction::Set)
                .allow_hyphen_values(true)
                .help(help)
                .help_heading(HEADING);
            if let Some(a) = &alias {
                arg = arg.alias(a.clone());
            }
            cmd = cmd.arg(arg);
        }
    }
    if !collisions.is_empty() {
        let note = format!(
            "Task inputs that share a name with an agentctl option:\n{}",
            collisions.join("\n")
        );
        cmd = cmd.after_help(note);
    }
    cmd
}

/// Where the input values come from, lowest precedence first: the file, then `--input`, then flags.
pub struct Sources<'a> {
    pub matches: Option<&'a ArgMatches>,
    pub pairs: &'a [String],
    pub file: Option<&'a Path>,
    /// Plain values by name (a suite case's `inputs`), as a file's would be.
    pub values: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

pub fn collect(l: &Loaded, src: &Sources) -> Result<LiteralMap> {
    let t = &l.template;
    let vars = variables(t);
    let mut values: BTreeMap<String, core::Literal> = BTreeMap::new();

    if let Some(path) = src.file {
        values.extend(read_inputs_file(path, &vars)?);
    }
    if let Some(map) = src.values {
        values.extend(values_by_name(map, &vars)?);
    }

    let mut from_pairs = BTreeSet::new();
    for pair in src.pairs {
        let (name, raw) = pair.split_once('=').ok_or_else(|| {
            Error::input(format!(
                "--input {pair:?} is not NAME=VALUE (for example --input version=10)"
            ))
        })?;
        let var = vars.get(name).ok_or_else(|| unknown_input(name, &vars))?;
        let ty = var_type(var);
        let lit = literal::parse_str(raw, &ty)
            .map_err(|e| bad_value(&format!("--input {name}"), raw, &e))?;
        // one rule wherever an input is given: twice in one place is a mistake, not "last wins"
        if !from_pairs.insert(name.to_string()) {
            return Err(Error::input(format!(
                "input {name} is given twice with --input; keep one"
            )));
        }
        values.insert(name.to_string(), lit);
    }

    if let Some(m) = src.matches {
        for (name, var) in &vars {
            let ty = var_type(var);
            let id = arg_id(name);
            let flag_value =
                m.try_get_one::<String>(&id).ok().flatten().filter(|_| {
                    m.value_source(&id) == Some(clap::parser::ValueSource::CommandLine)
                });
            let negated = m
                .try_get_one::<bool>(&no_arg_id(name))
                .ok()
                .flatten()
                .copied()
                .unwrap_or(false);
            if (flag_value.is_some() || negated) && from_pairs.contains(name) {
                return Err(Error::input(format!(
                    "input {name} is given twice, as --{name} and as --input {name}=…; keep one"
                )));
            }
            if negated && flag_value.is_some() {
                return Err(Error::input(format!(
                    "--{name} and --no-{} contradict each other; keep one",
                    name.replace('_', "-")
                )));
            }
            if negated {
                values.insert(name.clone(), literal::boolean(false));
            } else if let Some(raw) = flag_value {
                let lit = literal::parse_str(raw, &ty)
                    .map_err(|e| bad_value(&format!("--{name}"), raw, &e))?;
                values.insert(name.clone(), lit);
            }
        }
    }

    let mut missing = Vec::new();
    for (name, var) in &vars {
        if values.contains_key(name) {
            continue;
        }
        let ty = var_type(var);
        if let Some(d) = l.defaults.get(name) {
            // sent as a value, as `flyte run` and the Flyte 2 backend send it
            values.insert(name.clone(), d.clone());
        } else if literal::is_boolean(&ty) {
            values.insert(name.clone(), literal::boolean(false));
        } else if let Some(none) = literal::optional_none_variant(&ty) {
            values.insert(name.clone(), literal::none_union(none));
        } else {
            missing.push(format!("--{name} <{}>", literal::value_name(&ty)));
        }
    }
    if !missing.is_empty() {
        let noun = if missing.len() == 1 {
            "input is"
        } else {
            "inputs are"
        };
        return Err(Error::input(format!(
            "{} required {noun} missing: {}\n  give them as flags, as --input NAME=VALUE, or in --inputs FILE; `agentctl run {} --help` lists every input",
            missing.len(),
            missing.join(", "),
            l.path.display()
        )));
    }
    for lit in values.values_mut() {
        absolute_uris(lit);
    }
    Ok(LiteralMap { literals: values })
}

/// Files and directories named by a relative path are sent as absolute paths: the agent does
/// not run in this directory.
fn absolute_uris(lit: &mut core::Literal) {
    use core::{literal::Value as L, scalar::Value as S};
    match &mut lit.value {
        Some(L::Scalar(sc)) => {
            if let Some(S::Blob(b)) = &mut sc.value
                && !b.uri.is_empty()
                && !b.uri.contains("://")
                && let Ok(abs) = std::path::absolute(&b.uri)
            {
                b.uri = abs.display().to_string();
            }
        }
        Some(L::Collection(c)) => c.literals.iter_mut().for_each(absolute_uris),
        Some(L::Map(m)) => m.literals.values_mut().for_each(absolute_uris),
        _ => {}
    }
}

fn bad_value(flag: &str, raw: &str, e: &ValueError) -> Error {
    let mut msg = format!("invalid value {raw:?} for {flag}: expected {}", e.expected);
    if let Some(d) = &e.detail {
        msg.push_str(&format!(" ({d})"));
    }
    // `--input NAME` takes NAME=VALUE; a flag takes the value after it
    let example = match flag.strip_prefix("--input ") {
        Some(name) => match e.example.strip_prefix('\'') {
            Some(quoted) => format!("--input '{name}={quoted}"),
            None => format!("--input {name}={}", e.example),
        },
        None => format!("{flag} {}", e.example),
    };
    msg.push_str(&format!("\n  for example: {example}"));
    Error::input(msg)
}

fn unknown_input(name: &str, vars: &BTreeMap<String, core::Variable>) -> Error {
    let known: Vec<&str> = vars.keys().map(String::as_str).collect();
    let mut msg = format!("the task has no input named {name:?}");
    if let Some(s) = closest(name, &known) {
        msg.push_str(&format!("; did you mean {s:?}?"));
    }
    if known.is_empty() {
        msg.push_str(" (it takes no inputs)");
    } else {
        msg.push_str(&format!("\n  its inputs: {}", known.join(", ")));
    }
    Error::input(msg)
}

/// The known name nearest to `name`, when it is near enough to be a typo.
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}

/// Plain values keyed by input name, typed by the interface (an inputs file's, or a suite
/// case's `inputs`).
pub fn values_by_name(
    map: &serde_json::Map<String, serde_json::Value>,
    vars: &BTreeMap<String, core::Variable>,
) -> Result<BTreeMap<String, core::Literal>> {
    let mut out = BTreeMap::new();
    for (name, v) in map {
        let var = vars.get(name).ok_or_else(|| unknown_input(name, vars))?;
        let ty = var_type(var);
        let lit = literal::from_json(v, &ty).map_err(|e| {
            Error::input(format!(
                "invalid value {v} for input {name}: expected {}{}; for example {}",
                e.expected,
                e.detail.map(|d| format!(" ({d})")).unwrap_or_default(),
                e.example
            ))
        })?;
        out.insert(name.clone(), lit);
    }
    Ok(out)
}

/// An inputs file: a `core.LiteralMap` (binary or proto3 JSON), or plain YAML/JSON values keyed
/// by input name and typed by the interface (like `pyflyte run --inputs-file`).
fn read_inputs_file(
    path: &Path,
    vars: &BTreeMap<String, core::Variable>,
) -> Result<BTreeMap<String, core::Literal>> {
    let bytes = template::read_file(path, "inputs file")?;
    let ctx = |m: String| Error::input(format!("{}: {m}", path.display()));
    let doc: Option<serde_json::Value> = match std::str::from_utf8(&bytes) {
        Ok(text) if text.trim_start().starts_with('{') => {
            let malformed = |e: serde_json::Error| {
                ctx(format!(
                    "malformed JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ))
            };
            // JSON parsers keep the last of two equal keys; YAML's refuses them, and so does this
            serde_json::from_str::<NoDuplicateKeys>(text).map_err(malformed)?;
            Some(serde_json::from_str(text).map_err(malformed)?)
        }
        Ok(text) if !text.chars().any(|c| c.is_control() && !c.is_whitespace()) => {
            Some(serde_saphyr::from_str(text).map_err(|e| ctx(format!("malformed YAML: {e}")))?)
        }
        _ => None,
    };
    let literals: BTreeMap<String, core::Literal> = match doc {
        None => match json::decode_exact::<v2::task::Inputs>(&bytes) {
            // Flyte 2's Inputs: the same bytes as a LiteralMap, plus `context`; a name twice is refused
            Some(i) => crate::wire::v2::inputs_to_map(&i.literals)
                .map_err(|e| ctx(format!("not usable inputs: {e}")))?
                .literals,
            None => {
                json::decode_exact::<LiteralMap>(&bytes)
                    .ok_or_else(|| ctx("neither YAML/JSON values nor a binary core.LiteralMap or flyteidl2.task.Inputs".into()))?
                    .literals
            }
        },
        Some(serde_json::Value::Object(map))
            if map.len() <= 2 && map.get("literals").is_some_and(|l| l.is_array()) =>
        {
            let i = json::from_value::<v2::task::Inputs>(&serde_json::Value::Object(map))
                .map_err(|e| ctx(format!("not a valid flyteidl2.task.Inputs: {e}")))?;
            crate::wire::v2::inputs_to_map(&i.literals)
                .map_err(|e| ctx(format!("not usable inputs: {e}")))?
                .literals
        }
        Some(serde_json::Value::Object(map)) if is_literal_map(&map) => {
            json::from_value::<LiteralMap>(&serde_json::Value::Object(map))
                .map_err(|e| ctx(format!("not a valid core.LiteralMap: {e}")))?
                .literals
        }
        Some(serde_json::Value::Object(map)) => values_by_name(&map, vars).map_err(|e| match e {
            Error::Input(m) => ctx(m),
            e => e,
        })?,
        Some(serde_json::Value::Null) => BTreeMap::new(),
        Some(_) => return Err(ctx("expected a mapping from input name to value".into())),
    };
    for (name, lit) in &literals {
        let Some(var) = vars.get(name) else {
            return Err(match unknown_input(name, vars) {
                Error::Input(m) => ctx(m),
                e => e,
            });
        };
        // a literal file is checked as flags are: a wrong type is refused here, not by the server
        if let Some(why) = literal::mismatch(lit, &var_type(var)) {
            return Err(ctx(format!("input {name}: {why}")));
        }
    }
    Ok(literals)
}

/// `{"literals": {name: {scalar|collection|map|…: …}}}` is a proto3 JSON LiteralMap, not values.
fn is_literal_map(map: &serde_json::Map<String, serde_json::Value>) -> bool {
    const LITERAL_KEYS: &[&str] = &[
        "scalar",
        "collection",
        "map",
        "offloadedMetadata",
        "offloaded_metadata",
    ];
    map.len() == 1
        && map
            .get("literals")
            .and_then(|l| l.as_object())
            .is_some_and(|lits| {
                lits.values().all(|v| {
                    v.as_object()
                        .is_some_and(|o| o.keys().any(|k| LITERAL_KEYS.contains(&k.as_str())))
                })
            })
}

/// Deserializes any JSON and fails on an object that names a key twice, anywhere in it.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = NoDuplicateKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut seen = BTreeSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !seen.insert(key.clone()) {
                        return Err(serde::de::Error::custom(format!(
                            "the key {key:?} appears twice; keep one"
                        )));
                    }
                    map.next_value::<NoDuplicateKeys>()?;
                }
                Ok(NoDuplicateKeys)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
                Ok(NoDuplicateKeys)
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
        }
        d.deserialize_any(Visitor)
    }
}
