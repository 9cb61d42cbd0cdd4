//! `agentctl run`: choose where the task runs, then the runner's one loop; `--dry-run` shows
//! the choice and sends nothing that creates work.

use super::super::Context;
use super::super::args::{Format, RunArgs, TargetArgs};
use super::{builtin_types, collect_inputs, connection, print_report, remote};
use crate::agent::Agent;
use crate::agent::registry::Registry;
use crate::agent::remote::RemoteAgent;
use crate::error::{Error, Result};
use crate::route::Route;
use crate::runner::{self, Interrupts, OutputPrefix};
use crate::template::Loaded;

/// Where a task runs, in this order: `--local` in-process; `--endpoint` (or `AGENTCTL_ENDPOINT`)
/// or `--remote` over gRPC; with `--config`, wherever propeller's routing sends it; otherwise
/// in-process when a built-in agent serves the task type.
pub(super) enum Chosen {
    Remote(Box<RemoteAgent>, Option<Box<Route>>),
    Local(Registry),
}

pub(super) fn output_prefix(given: Option<&str>) -> Result<OutputPrefix> {
    match given {
        Some(p) if p.trim().is_empty() => Err(Error::input(
            "--output-prefix is empty; give a directory, a file:// URI or another scheme's URI",
        )),
        Some(p) => Ok(OutputPrefix::parse(p)),
        None => Ok(OutputPrefix::fresh()),
    }
}

pub fn run(ctx: &Context, a: RunArgs) -> Result<u8> {
    let l = ctx.template()?;
    let inputs = collect_inputs(l, &a.inputs, ctx.matches.as_ref())?;
    let connection = connection(&l.template, &a.connection)?;
    let opts = runner::Options {
        output_prefix: output_prefix(a.output_prefix.as_deref())?,
        retries: a.retries,
        timeout: a.timeout,
        poll_interval: a.poll_interval,
        max_get_failures: a.max_get_failures,
        logs: a.logs,
        // one clock for routing and the run: --timeout bounds the whole command
        deadline: a
            .timeout
            .and_then(|d| tokio::time::Instant::now().checked_add(d)),
    };
    let deadline = opts.deadline;
    super::super::block_on(async move {
        // routing's discovery is part of the run: --timeout bounds it too
        let chosen = match deadline {
            Some(d) => tokio::time::timeout_at(d, choose(ctx, l, &a.target))
                .await
                .map_err(|_| {
                    Error::Timeout(format!(
                        "the run timed out after {} (--timeout) while routing; nothing was created",
                        runner::humantime_short(a.timeout.unwrap_or_default())
                    ))
                })??,
            None => choose(ctx, l, &a.target).await?,
        };
        if a.dry_run {
            return print_route(ctx, &chosen, a.format).await;
        }
        ctx.printer.detail(&format!(
            "{} ({}, {}) via {}; output prefix {}",
            l.name(),
            l.template.r#type,
            l.generation.describe(),
            describe(&chosen),
            opts.output_prefix.uri
        ));
        if let Chosen::Remote(_, Some(r)) = &chosen {
            for n in &r.notes {
                ctx.printer.detail(n);
            }
        }
        let interrupts = Interrupts::listen();
        let mut progress = ctx.printer.progress(&l.name());
        let task = runner::Task {
            template: &l.sendable,
            inputs: &inputs,
            connection: &connection,
        };
        let (report, result) = match &chosen {
            Chosen::Remote(agent, _) => {
                runner::run(agent.as_ref(), task, &opts, &mut progress, &interrupts).await
            }
            Chosen::Local(r) => runner::run(r, task, &opts, &mut progress, &interrupts).await,
        };
        if let Some((w, why)) = &report.wire {
            ctx.printer
                .detail(&format!("spoke {} ({why})", w.describe()));
        }
        if let Err(e) = print_report(ctx, &report, result.as_ref().err(), a.format) {
            // the run's own error may hold a handle: it must not be lost with stdout
            if let Err(r) = &result {
                super::super::printer::Printer::error(r);
            }
            return Err(e);
        }
        result.map(|()| 0)
    })
}

pub(super) async fn choose(ctx: &Context, l: &Loaded, t: &TargetArgs) -> Result<Chosen> {
    let registry = Registry::builtin();
    let category = crate::agent::category(&l.template);
    if t.local {
        // --local beats AGENTCTL_ENDPOINT, but not an --endpoint given beside it
        let endpoint_flag = ctx.matches.as_ref().is_some_and(|m| {
            m.value_source("endpoint") == Some(clap::parser::ValueSource::CommandLine)
        });
        if endpoint_flag {
            return Err(Error::input(
                "--local and --endpoint contradict each other: run in this process, or on the agent service; keep one",
            ));
        }
        return if registry.serves(&category) {
            Ok(Chosen::Local(registry))
        } else {
            Err(Error::input(format!(
                "--local: agentctl has no built-in agent for task type {:?} (version {}); built in: {}. Name an agent service with --endpoint HOST:PORT",
                category.name,
                category.version,
                builtin_types(&registry)
            )))
        };
    }
    match (&t.endpoint, &ctx.config) {
        (Some(e), _) => Ok(Chosen::Remote(
            Box::new(remote(ctx, e, ctx.wire.clone())?),
            None,
        )),
        (None, Some(cfg)) => {
            let route = crate::route::resolve(cfg, &category, &ctx.connect).await?;
            Ok(Chosen::Remote(
                Box::new(route.agent.clone()),
                Some(Box::new(route)),
            ))
        }
        (None, None) if t.remote => Err(Error::input(
            "--remote needs --endpoint HOST:PORT (or AGENTCTL_ENDPOINT) or --config",
        )),
        (None, None) if registry.serves(&category) => Ok(Chosen::Local(registry)),
        (None, None) => Err(Error::input(format!(
            "no agent for task type {:?}: agentctl has no built-in agent for it (built in: {}); name an agent service with --endpoint HOST:PORT \
             (or AGENTCTL_ENDPOINT), for example a local `pyflyte serve connector` on 127.0.0.1:8000, or give propeller's configmap with --config",
            category.name,
            builtin_types(&registry)
        ))),
    }
}

fn describe(chosen: &Chosen) -> String {
    match chosen {
        Chosen::Remote(_, Some(r)) => format!(
            "{} {} ({}, {}), because {}",
            r.plugin,
            r.deployment.name,
            r.deployment.endpoint,
            if r.is_sync { "sync" } else { "async" },
            r.why
        ),
        Chosen::Remote(a, None) => a.location(),
        Chosen::Local(r) => r.location(),
    }
}

/// `run --dry-run`: the route, the generation and why; nothing that creates work is sent.
async fn print_route(ctx: &Context, chosen: &Chosen, format: Format) -> Result<u8> {
    let mut doc = match chosen {
        Chosen::Remote(_, Some(r)) => r.to_json(),
        Chosen::Remote(a, None) => {
            serde_json::json!({ "endpoint": a.transport().target().original, "why": "--endpoint overrides any configuration" })
        }
        Chosen::Local(_) => {
            serde_json::json!({ "endpoint": "in-process", "why": "agentctl has a built-in agent for the task type" })
        }
    };
    let l = ctx.template()?;
    let category = crate::agent::category(&l.template);
    let prepared = match chosen {
        Chosen::Remote(a, _) => a.prepare(&category).await?,
        Chosen::Local(r) => r.prepare(&category).await?,
    };
    doc["mode"] = (if prepared.sync { "sync" } else { "async" }).into();
    if let Some((w, why)) = &prepared.wire {
        doc["wire"] = w.name().into();
        doc["wire_reason"] = why.clone().into();
    }
    doc["template_generation"] = l.generation.name().into();
    match format {
        Format::Json => ctx.printer.json(&doc),
        Format::Human => {
            let mut text = String::new();
            for (k, v) in doc.as_object().into_iter().flatten() {
                match v {
                    serde_json::Value::Null => {}
                    serde_json::Value::String(s) => text.push_str(&format!("{k:<11} {s}\n")),
                    serde_json::Value::Array(a) if a.is_empty() => {}
                    other => text.push_str(&format!("{k:<11} {other}\n")),
                }
            }
            ctx.printer.out(&text)
        }
    }
}
