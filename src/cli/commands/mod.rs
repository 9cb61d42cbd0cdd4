//! One small function per command, each over the shared [`Context`]. A new command is a file
//! here, its clap type in `cli::args`, and one arm in [`dispatch`].

mod agents;
mod check;
mod jobs;
mod logs;
mod run;
mod serve;
mod show;
mod test;

use std::collections::BTreeMap;

use base64::Engine as _;
use clap::ArgMatches;

use super::Context;
use super::args::{self, Command, ConnectionArgs, Format};
use crate::agent::registry::Registry;
use crate::agent::remote::RemoteAgent;
use crate::error::{Error, Result};
use crate::pb::core;
use crate::runner::Report;
use crate::template::Loaded;
use crate::transport::{Dial, Target, Transport};
use crate::wire::Connection;
use crate::wire::detect::Choice;
use crate::{inputs, json, literal};

pub fn dispatch(command: Command, ctx: Context) -> Result<u8> {
    match command {
        Command::Run(a) => run::run(&ctx, a),
        Command::Create(a) => jobs::create(&ctx, a),
        Command::Get(a) => jobs::get(&ctx, a),
        Command::Delete(a) => jobs::delete(&ctx, a),
        Command::Logs(a) => logs::logs(&ctx, a),
        Command::Metrics(a) => logs::metrics(&ctx, a),
        Command::Describe(a) => show::describe(&ctx, a),
        Command::Template(a) => show::template(&ctx, a),
        Command::Inputs(a) => show::inputs(&ctx, a),
        Command::Agents(a) => agents::agents(&ctx, a),
        Command::Serve(a) => serve::serve(&ctx, a),
        Command::Test(a) => test::test(&ctx, a),
        Command::Check(a) => check::check(&ctx, a),
        Command::Completions(a) => serve::completions(&ctx, a),
    }
}

/// The inputs from flags, `--input` and `--inputs`, with the template's defaults.
fn collect_inputs(
    l: &Loaded,
    a: &args::InputArgs,
    m: Option<&ArgMatches>,
) -> Result<core::LiteralMap> {
    inputs::collect(
        l,
        &inputs::Sources {
            matches: m,
            pairs: &a.input,
            file: a.inputs_file.as_deref(),
            values: None,
        },
    )
}

/// A remote agent at `endpoint`, spoken to as `--wire` says.
fn remote(ctx: &Context, endpoint: &str, choice: Choice) -> Result<RemoteAgent> {
    let transport = Transport::connect(Target::parse(endpoint)?, &ctx.connect, Dial::plain())?;
    Ok(RemoteAgent::new(transport, choice))
}

/// Flyte 2's `connection` for a template, with `--secret`/`--connection-config`
/// ([`Connection::for_template`]).
fn connection(t: &core::TaskTemplate, a: &ConnectionArgs) -> Result<Connection> {
    Connection::for_template(t, &a.secrets, &a.configs)
}

/// A handle's `connection` ([`Connection::from_parts`]), with the flags.
fn connection_with(
    task_type: &str,
    env_of: BTreeMap<String, String>,
    configs: BTreeMap<String, String>,
    a: &ConnectionArgs,
) -> Result<Connection> {
    Connection::from_parts(task_type, env_of, configs, &a.secrets, &a.configs)
}

/// A run's or a job's result on stdout: outputs by name, or the whole report as JSON.
fn print_report(ctx: &Context, r: &Report, err: Option<&Error>, format: Format) -> Result<()> {
    match format {
        Format::Json => {
            let outputs = r
                .outputs
                .as_ref()
                .map(literal::map_to_plain_json)
                .unwrap_or_else(|| serde_json::json!({}));
            let doc = serde_json::json!({
                "phase": r.phase,
                "message": r.message,
                "outputs": outputs,
                "outputs_literal": r.outputs.as_ref().map(json::to_value),
                "log_links": r.log_links.iter().map(|l| l.json.clone()).collect::<Vec<_>>(),
                "custom_info": r.custom_info.as_ref().map(literal::struct_to_json),
                "wire": r.wire.as_ref().map(|w| w.0.name()),
                "wire_reason": r.wire.as_ref().map(|w| w.1.clone()),
                "attempts": r.attempts,
                "polls": r.polls,
                "resource_meta": base64::engine::general_purpose::STANDARD.encode(&r.resource_meta),
                "duration_seconds": r.duration.as_secs_f64(),
                "output_prefix": r.output_prefix,
                "calls": ctx.connect.calls.all(),
                "error": err.map(|e| e.to_string()),
                "exit_code": err.map(Error::exit_code).unwrap_or(0),
            });
            ctx.printer.json(&doc).map(|_| ())
        }
        Format::Human => {
            if let Some(o) = &r.outputs {
                let text: String = o
                    .literals
                    .iter()
                    .map(|(n, l)| format!("{n}: {}\n", literal::display(l)))
                    .collect();
                ctx.printer.out(&text)?;
            }
            Ok(())
        }
    }
}

/// The names of the built-in agents' task types, for messages.
fn builtin_types(registry: &Registry) -> String {
    registry
        .all()
        .iter()
        .map(|a| a.category.name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}
