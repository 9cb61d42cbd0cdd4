//! `agentctl agents list|get`: each deployment's generation, health and agents (connectors).

use super::super::Context;
use super::super::args::{AgentsCommand, Format};
use super::remote;
use crate::agent::remote::RemoteAgent;
use crate::error::{Error, Result, exit};
use crate::wire::{Wire, v1, v2};

pub fn agents(ctx: &Context, cmd: AgentsCommand) -> Result<u8> {
    let (args, wanted) = match cmd {
        AgentsCommand::List(a) => (a, None),
        AgentsCommand::Get { name, args } => (args, Some(name)),
    };
    let mut targets: Vec<(String, RemoteAgent)> = Vec::new();
    match (&args.endpoint, &ctx.config) {
        (Some(e), _) => targets.push((e.clone(), remote(ctx, e, ctx.wire.clone())?)),
        (None, Some(cfg)) => {
            for p in &cfg.plugins {
                for d in p.all_deployments() {
                    targets.push((
                        format!("{}.{}", p.id, d.name),
                        crate::route::agent_for(d, cfg, &ctx.connect)?,
                    ));
                }
            }
        }
        (None, None) => {
            return Err(Error::input(
                "agents needs --endpoint (or AGENTCTL_ENDPOINT) or --config",
            ));
        }
    }
    super::super::block_on(async {
        let mut docs = Vec::new();
        let mut answered = 0;
        let mut mismatch = None;
        for (name, agent) in &targets {
            let doc = deployment(agent, name, wanted.as_deref()).await;
            match doc {
                Ok((doc, ok)) => {
                    answered += usize::from(ok);
                    docs.push(doc);
                }
                Err(e) => {
                    docs.push(serde_json::json!({
                        "deployment": name, "endpoint": agent.transport().target().original,
                        "error": e.to_string(), "agents": [],
                    }));
                    if e.exit_code() == exit::USAGE {
                        mismatch = Some(e);
                    }
                }
            }
        }
        print(ctx, &docs, args.format)?;
        if let Some(w) = &wanted {
            let found = docs
                .iter()
                .any(|d| d["agents"].as_array().is_some_and(|a| !a.is_empty()));
            if !found {
                return Err(match (answered, mismatch) {
                    (0, Some(e)) => e,
                    (0, None) => Error::Rpc(format!(
                        "no deployment answered, so it is not known whether one has an agent named {w:?}"
                    )),
                    _ => Error::input(format!("no deployment has an agent named {w:?}")),
                });
            }
            return Ok(0);
        }
        match (answered, mismatch) {
            (0, Some(e)) => Err(e),
            (0, None) => Ok(exit::RPC),
            _ => Ok(0),
        }
    })
}

/// One deployment's document, and whether its discovery answered.
async fn deployment(
    agent: &RemoteAgent,
    name: &str,
    wanted: Option<&str>,
) -> Result<(serde_json::Value, bool)> {
    let detected = agent.wire().await?;
    let health_name = match detected.wire {
        Wire::V1 => v1::HEALTH_NAME,
        Wire::V2 => v2::HEALTH_NAME,
    };
    let health = agent
        .transport()
        .health(health_name)
        .await
        .unwrap_or_else(|s| format!("unknown ({:?})", s.code()));
    let listed = match wanted {
        // GetAgent/GetConnector; c0 answers UNKNOWN for an unknown name, so fall back to the list
        Some(w) => match agent.get_agent(w).await {
            Ok(Some(a)) => Ok(vec![a]),
            Ok(None) => Ok(vec![]),
            Err(s) if s.code() == tonic::Code::NotFound || s.code() == tonic::Code::Unknown => {
                agent
                    .list()
                    .await
                    .map(|all| all.into_iter().filter(|a| a.name == w).collect())
            }
            Err(s) => Err(s),
        },
        None => agent.list().await,
    };
    // a generation set by --wire or the configmap that the server does not speak: say so
    if let Err(s) = &listed
        && s.code() == tonic::Code::Unimplemented
        && let Some(e) =
            crate::wire::detect::mismatch(agent.transport(), detected.wire, &agent.set_by()).await
    {
        return Err(e);
    }
    let (agents, error, ok) = match listed {
        Ok(a) => (a, None, true),
        Err(s) => (
            Vec::new(),
            Some(format!("{:?}: {}", s.code(), s.message())),
            false,
        ),
    };
    let agents: Vec<serde_json::Value> = agents
        .iter()
        .map(|a| {
            let cats: Vec<String> = a
                .categories
                .iter()
                .map(|c| format!("{} v{}", c.name, c.version))
                .collect();
            serde_json::json!({ "name": a.name, "sync": a.sync, "task_categories": cats })
        })
        .collect();
    Ok((
        serde_json::json!({
            "deployment": name,
            "endpoint": agent.transport().target().original,
            "wire": detected.wire.name(),
            "wire_reason": detected.why,
            "health": health,
            "agents": agents,
            "error": error,
        }),
        ok,
    ))
}

fn print(ctx: &Context, docs: &[serde_json::Value], format: Format) -> Result<u8> {
    match format {
        Format::Json => ctx.printer.json(&serde_json::Value::Array(docs.to_vec())),
        Format::Human => {
            let mut text = String::new();
            for d in docs {
                let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
                text.push_str(&format!("{} {}", s("deployment"), s("endpoint")));
                if d["wire"].is_string() {
                    text.push_str(&format!(" {} health {}", s("wire"), s("health")));
                }
                text.push('\n');
                if let Some(e) = d["error"].as_str() {
                    text.push_str(&format!("  failed: {e}\n"));
                }
                for a in d["agents"].as_array().into_iter().flatten() {
                    let cats: Vec<&str> = a["task_categories"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c.as_str())
                        .collect();
                    text.push_str(&format!(
                        "  {:<30} {:<5} {}\n",
                        a["name"].as_str().unwrap_or_default(),
                        if a["sync"] == true { "sync" } else { "async" },
                        cats.join(", ")
                    ));
                }
            }
            ctx.printer.out(&text)
        }
    }
}
