//! `agentctl create|get|delete`: one job by handle, built from the runner's own pieces (the
//! request, the phase rules, the exit codes, the delete command), so they cannot drift from
//! `run`. A handle records where the job is, which generation, and which environment variables
//! fill its `connection`.

use std::collections::BTreeMap;

use base64::Engine as _;

use super::super::Context;
use super::super::args::{ConnectionArgs, CreateArgs, Format, JobArgs};
use super::run::output_prefix;
use super::{collect_inputs, connection, connection_with, print_report, remote};
use crate::agent::Agent;
use crate::agent::remote::RemoteAgent;
use crate::error::{Error, Result};
use crate::pb::admin;
use crate::runner::{self, Interrupts, Report, State};
use crate::wire::detect::Choice;
use crate::wire::{Job, Wire};

pub fn create(ctx: &Context, a: CreateArgs) -> Result<u8> {
    let l = ctx.template()?;
    let inputs = collect_inputs(l, &a.inputs, ctx.matches.as_ref())?;
    let connection = connection(&l.template, &a.connection)?;
    let prefix = output_prefix(a.output_prefix.as_deref())?;
    if let Some(dir) = &prefix.local {
        runner::prepare_prefix(dir, &inputs)?;
    }
    super::super::block_on(async move {
        let interrupts = Interrupts::listen();
        let agent = match (&a.endpoint, &ctx.config) {
            (Some(e), _) => remote(ctx, e, ctx.wire.clone())?,
            (None, Some(cfg)) => {
                crate::route::resolve(cfg, &crate::agent::category(&l.template), &ctx.connect)
                    .await?
                    .agent
            }
            (None, None) => {
                return Err(Error::input(
                    "create needs --endpoint (or AGENTCTL_ENDPOINT) or --config: the agent service to create the job on",
                ));
            }
        };
        let category = crate::agent::category(&l.template);
        let prepared = tokio::select! {
            p = agent.prepare(&category) => p?,
            _ = interrupts.after(0) => return Err(Error::Interrupted("interrupted before anything was created".into())),
        };
        if prepared.sync {
            return Err(Error::input(format!(
                "{} serves {} synchronously: there is no job to create; use `agentctl run`",
                agent.location(),
                category.name
            )));
        }
        let req = runner::create_request(&l.sendable, &inputs, &connection, &prefix, 0);
        // Ctrl-C during CreateTask: wait for its answer (bounded by the call's deadline), then
        // delete the job it made, so that nothing is left without a handle
        let created = agent.create(&req);
        tokio::pin!(created);
        let mut interrupted = false;
        let meta = loop {
            tokio::select! {
                r = &mut created => break r,
                _ = interrupts.after(0), if !interrupted => {
                    ctx.printer.note("interrupted: waiting for CreateTask to return, then deleting the job");
                    interrupted = true;
                }
            }
        }
        // the same reading as run: UNIMPLEMENTED (a generation mismatch) is exit 2
        .map_err(|s| runner::call_error(&agent.location(), "CreateTask", &s))?;
        let job = Job {
            category,
            resource_meta: meta,
            output_prefix: prefix.uri,
            connection,
        };
        let wire = prepared.wire.map(|w| w.0);
        let handle = runner::handle_json(Some(&agent.transport().target().original), wire, &job);
        if interrupted {
            return Err(delete_after_interrupt(&agent, &job, &handle).await);
        }
        if let Err(e) = ctx.printer.json(&handle) {
            // the job exists: its handle must not be lost with stdout
            ctx.printer.note(&format!(
                "{e}; the job was created, and this is its handle:\n{handle}"
            ));
            return Err(e);
        }
        Ok(0)
    })
}

async fn delete_after_interrupt(
    agent: &RemoteAgent,
    job: &Job,
    handle: &serde_json::Value,
) -> Error {
    match tokio::time::timeout(runner::DELETE_WAIT, agent.delete(job)).await {
        Ok(Ok(())) => Error::Interrupted("interrupted; the job CreateTask made was deleted".into()),
        _ => Error::Interrupted(format!(
            "interrupted, and the job could not be deleted; it may still run.\n  handle: {handle}\n  to delete it: {}",
            runner::delete_command(handle)
        )),
    }
}

pub fn get(ctx: &Context, a: JobArgs) -> Result<u8> {
    let (agent, job) = job_from_args(ctx, &a)?;
    super::super::block_on(async move {
        let resource = agent
            .get(&job)
            .await
            .map_err(|s| Error::Rpc(runner::status_text(&agent.location(), "GetTask", &s)))?;
        let (phase, state) = runner::interpret(&resource);
        let report = Report {
            phase: phase.into(),
            message: resource.message.clone(),
            outputs: resource.outputs.clone(),
            log_links: resource.log_links.clone(),
            custom_info: resource.custom_info.clone(),
            resource_meta: job.resource_meta.clone(),
            output_prefix: job.output_prefix.clone(),
            wire: agent.wire().await.ok().map(|d| (d.wire, d.why)),
            ..Default::default()
        };
        // the same reading as `run`: a failure, a retryable failure and an unknown phase fail
        let err = match (&resource.problem, state) {
            (Some(p), _) => Some(Error::TaskFailed(p.clone())),
            (None, State::Failed | State::Retryable | State::Unknown) => {
                Some(Error::TaskFailed(if resource.message.is_empty() {
                    format!("the job is {phase}")
                } else {
                    format!("the job is {phase}: {}", resource.message)
                }))
            }
            (None, State::Pending | State::Succeeded) => None,
        };
        print_report(ctx, &report, err.as_ref(), a.format)?;
        if a.format == Format::Human {
            let message = if resource.message.is_empty() {
                String::new()
            } else {
                format!(": {}", resource.message)
            };
            ctx.printer.note(&format!("{phase}{message}"));
        }
        err.map_or(Ok(0), Err)
    })
}

pub fn delete(ctx: &Context, a: JobArgs) -> Result<u8> {
    let (agent, job) = job_from_args(ctx, &a)?;
    super::super::block_on(async move {
        agent
            .delete(&job)
            .await
            .map_err(|s| Error::Rpc(runner::status_text(&agent.location(), "DeleteTask", &s)))?;
        ctx.printer.note(&format!(
            "deleted the {} job on {}",
            job.category.name,
            agent.location()
        ));
        Ok(0)
    })
}

/// The job and where it is. The endpoint: `--endpoint`, else the handle's, else (without a
/// handle) `AGENTCTL_ENDPOINT` — a handle is never sent elsewhere by the environment. The
/// generation: the handle's, else `--wire`.
pub(super) fn job_from_args(ctx: &Context, a: &JobArgs) -> Result<(RemoteAgent, Job)> {
    let (endpoint, wire, job) = match (&a.handle, &a.resource_meta, &a.task_type) {
        (Some(path), _, _) => parse_handle(path, &a.connection)?,
        (None, Some(meta), Some(tt)) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(meta.trim())
                .map_err(|e| Error::input(format!("--resource-meta is not base64: {e}")))?;
            let job = Job {
                category: admin::TaskCategory {
                    name: tt.clone(),
                    version: a.task_version,
                },
                resource_meta: bytes,
                output_prefix: String::new(),
                connection: connection_with(tt, BTreeMap::new(), BTreeMap::new(), &a.connection)?,
            };
            (std::env::var("AGENTCTL_ENDPOINT").ok(), None, job)
        }
        _ => {
            return Err(Error::input(
                "give a HANDLE (a file, or - for stdin), or --task-type with --resource-meta",
            ));
        }
    };
    let mut job = job;
    if let Some(p) = &a.output_prefix {
        job.output_prefix = p.clone();
    }
    let endpoint = a.endpoint.clone().or(endpoint).ok_or_else(|| {
        Error::input(
            "the handle names no endpoint; give --endpoint (or AGENTCTL_ENDPOINT without a handle)",
        )
    })?;
    let choice = match wire {
        Some(w) => Choice::Fixed(w, "the handle".into()),
        None => ctx.wire.clone(),
    };
    Ok((remote(ctx, &endpoint, choice)?, job))
}

fn parse_handle(
    path: &std::path::Path,
    extra: &ConnectionArgs,
) -> Result<(Option<String>, Option<Wire>, Job)> {
    let bytes = crate::template::read_file(path, "handle")?;
    let ctx = |m: &str| Error::input(format!("{}: not an agentctl handle: {m}", path.display()));
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        ctx(&format!(
            "malformed JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let task_type = v["task_type"]
        .as_str()
        .ok_or_else(|| ctx("no task_type"))?
        .to_string();
    // a version that is not a 32-bit integer is refused, not silently changed
    let version = match &v["task_version"] {
        serde_json::Value::Null => 0,
        n => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| ctx(&format!("task_version {n} is not a 32-bit integer")))?,
    };
    let meta = v["resource_meta"]
        .as_str()
        .ok_or_else(|| ctx("no resource_meta"))?;
    let resource_meta = base64::engine::general_purpose::STANDARD
        .decode(meta)
        .map_err(|e| ctx(&format!("resource_meta is not base64: {e}")))?;
    let output_prefix = v["output_prefix"].as_str().unwrap_or_default().to_string();
    let endpoint = v["endpoint"].as_str().map(str::to_string);
    let wire = match v["wire"].as_str() {
        None => None,
        Some(w) => Some(Wire::parse(w).ok_or_else(|| ctx(&format!("wire {w:?} is not v1 or v2")))?),
    };
    // secrets are read again from the variables the handle names; flags add or override
    let strings = |key: &str| -> BTreeMap<String, String> {
        v["connection"][key]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let connection = connection_with(&task_type, strings("secret_env"), strings("configs"), extra)?;
    Ok((
        endpoint,
        wire,
        Job {
            category: admin::TaskCategory {
                name: task_type,
                version,
            },
            resource_meta,
            output_prefix,
            connection,
        },
    ))
}
