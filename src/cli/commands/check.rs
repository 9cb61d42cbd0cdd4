//! `agentctl check`: the contract rules against one deployment, with their evidence.

use std::collections::BTreeMap;
use std::time::Instant;

use super::super::Context;
use super::super::args::{CheckArgs, Format};
use super::{collect_inputs, remote};
use crate::check::{self, Plan, Status};
use crate::error::{Error, Result, exit};
use crate::runner::Interrupts;
use crate::template::{self, Loaded, Selection};

pub fn check(ctx: &Context, a: CheckArgs) -> Result<u8> {
    for r in &a.rules {
        if !check::RULES
            .iter()
            .any(|(id, _, _)| id.starts_with(r.as_str()))
        {
            let ids: Vec<&str> = check::RULES.iter().map(|(id, _, _)| *id).collect();
            return Err(Error::input(format!(
                "--rules {r}: no rule has that id or prefix; the rules: {}",
                ids.join(", ")
            )));
        }
    }
    let files: BTreeMap<String, String> = a
        .inputs_for
        .iter()
        .map(|s| {
            s.split_once('=')
                .map(|(t, f)| (t.to_string(), f.to_string()))
                .ok_or_else(|| Error::input(format!("--inputs-for {s:?} is not TEMPLATE=FILE")))
        })
        .collect::<Result<_>>()?;
    // the first template is the one the two-pass parse read (its inputs may be flags)
    let mut loaded: Vec<Loaded> = Vec::new();
    for (i, path) in a.template.iter().enumerate() {
        match (i, &ctx.loaded) {
            (0, Some(l)) => loaded.push(l.clone()),
            _ => loaded.push(template::load(path, &Selection::default())?),
        }
    }
    let mut with_inputs = Vec::new();
    for (i, l) in loaded.iter().enumerate() {
        let mut args = a.inputs.clone();
        if let Some(f) = files.get(&l.path.display().to_string()) {
            args.inputs_file = Some(f.into());
        } else if i > 0 {
            args = Default::default();
        }
        let matches = if i == 0 { ctx.matches.as_ref() } else { None };
        with_inputs.push(collect_inputs(l, &args, matches)?);
    }
    let agent = match (&a.endpoint, &ctx.config) {
        (Some(e), _) => remote(ctx, e, ctx.wire.clone())?,
        (None, Some(cfg)) => {
            let first = loaded.first().ok_or_else(|| {
                Error::input("with --config, name a TEMPLATE: its task type chooses the deployment")
            })?;
            super::super::block_on(crate::route::resolve(
                cfg,
                &crate::agent::category(&first.template),
                &ctx.connect,
            ))?
            .agent
        }
        (None, None) => {
            return Err(Error::input(
                "check needs --endpoint (or AGENTCTL_ENDPOINT) or --config: the deployment to check",
            ));
        }
    };
    let plan = Plan {
        agent: &agent,
        configured: a.endpoint.is_none(),
        templates: loaded.iter().zip(with_inputs).collect(),
        rules: a.rules.clone(),
        timeout: a.timeout,
    };
    let human = a.format == Format::Human;
    let printer = ctx.printer;
    super::super::block_on(async {
        let interrupts = Interrupts::listen();
        let t0 = Instant::now();
        let mut show = |r: &check::RuleResult| {
            if human {
                let st = match r.status {
                    Status::Pass => "PASS",
                    Status::Warn => "WARN",
                    Status::Fail => "FAIL",
                    Status::Skip => "SKIP",
                };
                let t = r
                    .template
                    .as_ref()
                    .map(|t| format!(" [{t}]"))
                    .unwrap_or_default();
                printer.note(&format!(
                    "{st:<4} {}{t}  {} ({:.0}ms)",
                    r.id,
                    r.evidence,
                    r.seconds * 1000.0
                ));
            }
        };
        let results = check::run(&plan, &interrupts, &mut show).await?;
        let endpoint = agent.transport().target().original.clone();
        if let Some(path) = &a.junit {
            let xml =
                crate::report::junit::write(&[check::to_report(&endpoint, &results, t0.elapsed())]);
            std::fs::write(path, xml)
                .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display())))?;
        }
        let count = |s: Status| results.iter().filter(|r| r.status == s).count();
        if human {
            printer.note(&format!(
                "\n{} passed, {} warnings, {} failed, {} skipped",
                count(Status::Pass),
                count(Status::Warn),
                count(Status::Fail),
                count(Status::Skip)
            ));
        } else {
            printer.json(&serde_json::json!({
                "endpoint": endpoint,
                "rules": results,
                "summary": {
                    "pass": count(Status::Pass),
                    "warn": count(Status::Warn),
                    "fail": count(Status::Fail),
                    "skip": count(Status::Skip),
                },
            }))?;
        }
        Ok(if interrupts.count() > 0 {
            exit::INTERRUPTED
        } else if check::unreachable(&results) {
            exit::RPC
        } else if count(Status::Fail) > 0 {
            exit::TASK_FAILED
        } else {
            exit::SUCCESS
        })
    })
}
