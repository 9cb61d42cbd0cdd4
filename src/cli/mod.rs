//! The command line's behaviour: the two-pass parse (the template's interface becomes flags),
//! `.env` loading, dispatch to the library, printing, and exit codes.

pub mod args;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use base64::Engine as _;
use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches};
use prost::Message as _;

use crate::agent::grpc::{ConnectOptions, GrpcAgent, Target};
use crate::agent::local::Registry;
use crate::agent::{Agent, Job};
use crate::error::{Error, Result};
use crate::pb::{admin, core};
use crate::progress::{Mode, Progress};
use crate::runner::{self, Interrupts, OutputPrefix, Report};
use crate::template::{self, Loaded, Selection};
use crate::{describe, inputs, json, literal};
use args::{Cli, Command, Format, ProtoFormat};

/// Subcommands whose flags include the template's inputs.
const WITH_INPUTS: &[&str] = &["run", "create", "inputs"];
/// Subcommands that take a TEMPLATE.
const WITH_TEMPLATE: &[&str] = &["run", "create", "inputs", "describe", "template"];

pub fn main(argv: Vec<OsString>) -> ExitCode {
    // gRPC channels need a runtime from the moment they are built; one thread is enough for
    // one job and starts faster than a pool.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "error: cannot start the async runtime: {e}"
            );
            return ExitCode::from(crate::error::exit::TASK_FAILED);
        }
    };
    let rt = RUNTIME.get_or_init(|| rt);
    let _entered = rt.enter();
    let result = real_main(argv);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// What the lenient first pass learns: enough to load `.env` and the template.
#[derive(Default)]
struct Prescan {
    sub: Option<String>,
    template: Option<PathBuf>,
    env_file: Option<PathBuf>,
    select: Selection,
    help: bool,
}

fn prescan(argv: &[OsString]) -> Prescan {
    let mut cmd = Cli::command()
        .ignore_errors(true)
        .disable_version_flag(true);
    for name in WITH_TEMPLATE {
        cmd = cmd.mut_subcommand(*name, |c| {
            c.disable_help_flag(true).arg(
                Arg::new("__rest")
                    .num_args(0..)
                    .trailing_var_arg(true)
                    .allow_hyphen_values(true),
            )
        });
    }
    let mut p = Prescan::default();
    let Ok(m) = cmd.try_get_matches_from(argv) else {
        return p;
    };
    let Some((sub, sm)) = m.subcommand() else {
        return p;
    };
    p.sub = Some(sub.to_string());
    p.template = sm
        .try_get_one::<PathBuf>("template")
        .ok()
        .flatten()
        .cloned();
    // Options after TEMPLATE landed in __rest; pick out the few that matter before parsing.
    let mut rest: Vec<String> = sm
        .try_get_many::<String>("__rest")
        .ok()
        .flatten()
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    rest.extend(
        argv.iter()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned()),
    );
    let mut it = rest.iter().peekable();
    while let Some(a) = it.next() {
        let mut take = |name: &str| -> Option<String> {
            if let Some(v) = a.strip_prefix(&format!("--{name}=")) {
                Some(v.to_string())
            } else if a == &format!("--{name}") {
                it.peek().map(|v| v.to_string())
            } else {
                None
            }
        };
        if let Some(v) = take("env-file") {
            p.env_file = Some(v.into());
        } else if let Some(v) = take("task") {
            p.select.task = Some(v);
        } else if let Some(v) = take("task-version") {
            p.select.version = Some(v);
        } else if a == "--help" || a == "-h" {
            p.help = true;
        }
    }
    p
}

fn real_main(argv: Vec<OsString>) -> Result<u8> {
    let pre = prescan(&argv);
    load_env(pre.env_file.as_deref())?;

    let mut loaded: Option<Loaded> = None;
    if let (Some(sub), Some(path)) = (pre.sub.as_deref(), pre.template.as_ref())
        && WITH_TEMPLATE.contains(&sub)
    {
        match template::load(path, &pre.select) {
            Ok(l) => loaded = Some(l),
            // `run broken.json --help` still shows the generic help
            Err(_) if pre.help => {}
            Err(e) => return Err(e),
        }
    }

    let mut cmd = Cli::command();
    if let (Some(sub), Some(l)) = (pre.sub.as_deref(), loaded.as_ref())
        && WITH_INPUTS.contains(&sub)
    {
        let root_longs: BTreeSet<String> = cmd
            .get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect();
        let t = l.template.clone();
        cmd = cmd.mut_subcommand(sub, move |c| inputs::add_args(c, &t, &root_longs));
    }
    let matches = match cmd.try_get_matches_from(&argv) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return Ok(if e.use_stderr() {
                crate::error::exit::USAGE
            } else {
                0
            });
        }
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| Error::input(e.to_string()))?;
    let sub_matches = matches.subcommand().map(|(_, m)| m);
    dispatch(cli, loaded, sub_matches)
}

fn load_env(explicit: Option<&std::path::Path>) -> Result<()> {
    match explicit {
        Some(path) => dotenvy::from_path(path)
            .map_err(|e| Error::input(format!("--env-file {}: {e}", path.display()))),
        None => {
            if let Err(e) = dotenvy::dotenv()
                && !e.not_found()
            {
                return Err(Error::input(format!(".env: {e}")));
            }
            Ok(())
        }
    }
}

fn dispatch(cli: Cli, loaded: Option<Loaded>, m: Option<&ArgMatches>) -> Result<u8> {
    let quiet = cli.global.quiet;
    match cli.command {
        Command::Completions(a) => completions(a),
        Command::Serve(a) => serve(a),
        Command::Describe(a) => {
            let l = loaded
                .ok_or_else(|| Error::input(format!("cannot load {}", a.template.display())))?;
            match a.format {
                Format::Human => out(&describe::to_text(&l)),
                Format::Json => out(&pretty(&describe::to_json(&l))),
            }
        }
        Command::Template(a) => {
            let l = loaded
                .ok_or_else(|| Error::input(format!("cannot load {}", a.template.display())))?;
            match a.format {
                ProtoFormat::Json => out(&json::to_string_pretty(&l.template)),
                ProtoFormat::Pb => out_bytes(&l.template.encode_to_vec()),
            }
        }
        Command::Inputs(a) => {
            let l = loaded
                .ok_or_else(|| Error::input(format!("cannot load {}", a.template.display())))?;
            let map = collect_inputs(&l, &a.inputs, m)?;
            match a.format {
                ProtoFormat::Json => out(&json::to_string_pretty(&map)),
                ProtoFormat::Pb => out_bytes(&map.encode_to_vec()),
            }
        }
        Command::Run(a) => {
            let l = loaded
                .ok_or_else(|| Error::input(format!("cannot load {}", a.template.display())))?;
            let inputs = collect_inputs(&l, &a.inputs, m)?;
            let opts = runner::Options {
                output_prefix: a
                    .output_prefix
                    .as_deref()
                    .map(OutputPrefix::parse)
                    .unwrap_or_else(OutputPrefix::fresh),
                retries: a.retries,
                timeout: a.timeout,
                poll_interval: a.poll_interval,
                max_get_failures: a.max_get_failures,
            };
            let verbose = cli.global.verbose > 0 && !quiet;
            let config = config_of(&cli.global)?;
            let conn = connect_options(&cli.global.connect);
            block_on(async move {
                let chosen = choose_agent(&l, &a.target, config.as_ref(), &conn).await?;
                if a.dry_run {
                    return print_route(&chosen, a.format).await;
                }
                if verbose {
                    eprintln!(
                        "agentctl: {} ({}) via {}; output prefix {}",
                        l.name(),
                        l.template.r#type,
                        chosen.describe(),
                        opts.output_prefix.uri
                    );
                    for n in chosen.notes() {
                        eprintln!("agentctl: {n}");
                    }
                }
                let interrupts = Interrupts::listen();
                let mut progress = Progress::new(Mode::detect(quiet), &l.name());
                let task = runner::Task {
                    template: &l.template,
                    inputs: &inputs,
                };
                let (report, result) = match &chosen {
                    Chosen::Remote(a, _) => {
                        runner::run(a, task, &opts, &mut progress, &interrupts).await
                    }
                    Chosen::Local(r) => {
                        runner::run(r, task, &opts, &mut progress, &interrupts).await
                    }
                };
                print_report(&report, result.as_ref().err(), a.format)?;
                result.map(|()| 0)
            })
        }
        Command::Agents(cmd) => {
            let config = config_of(&cli.global)?;
            let conn = connect_options(&cli.global.connect);
            block_on(agents(cmd, config, conn))
        }
        Command::Create(a) => {
            let l = loaded
                .ok_or_else(|| Error::input(format!("cannot load {}", a.template.display())))?;
            let inputs = collect_inputs(&l, &a.inputs, m)?;
            let config = config_of(&cli.global)?;
            let conn = connect_options(&cli.global.connect);
            let (agent, endpoint) = match (&a.endpoint, &config) {
                (Some(e), _) => (
                    GrpcAgent::connect(Target::parse(e)?, &conn, None)?,
                    e.clone(),
                ),
                (None, Some(cfg)) => {
                    let route = block_on_value(crate::route::resolve(
                        cfg,
                        &crate::agent::category(&l.template),
                        &conn,
                    ))??;
                    (route.agent, route.deployment.endpoint)
                }
                (None, None) => {
                    return Err(Error::input(
                        "create needs --endpoint (or AGENTCTL_ENDPOINT) or --config: the agent service to create the job on",
                    ));
                }
            };
            let prefix = a
                .output_prefix
                .as_deref()
                .map(OutputPrefix::parse)
                .unwrap_or_else(OutputPrefix::fresh);
            if let Some(dir) = &prefix.local {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::Io(format!("cannot create {}: {e}", dir.display())))?;
            }
            block_on(async move {
                let req = admin::CreateTaskRequest {
                    inputs: Some(inputs.clone()),
                    template: Some(runner::render_template(&l.template, &prefix, &inputs, 0)),
                    output_prefix: prefix.uri.clone(),
                    task_execution_metadata: Some(runner::execution_metadata(&l.template, 0)),
                };
                let resp = agent
                    .create(req)
                    .await
                    .map_err(|s| rpc_error(&agent, "CreateTask", &s))?;
                let job = Job {
                    category: crate::agent::category(&l.template),
                    resource_meta: resp.resource_meta,
                    output_prefix: prefix.uri,
                };
                out(&pretty(&runner::handle_json(Some(&endpoint), &job)))
            })
        }
        Command::Get(a) => {
            let (agent, job) = job_from_args(&a, &connect_options(&cli.global.connect))?;
            block_on(async move {
                let resource = agent
                    .get(job.get_request())
                    .await
                    .map_err(|s| rpc_error(&agent, "GetTask", &s))?;
                let (phase, state) = runner::interpret(&resource);
                let report = Report {
                    phase: phase.into(),
                    message: resource.message.clone(),
                    outputs: resource.outputs.clone(),
                    log_links: resource.log_links.clone(),
                    custom_info: resource.custom_info.clone(),
                    resource_meta: job.resource_meta.clone(),
                    output_prefix: job.output_prefix.clone(),
                    ..Default::default()
                };
                let err = matches!(state, runner::State::Failed).then(|| {
                    Error::TaskFailed(format!("the job is {phase}: {}", resource.message))
                });
                print_report(&report, err.as_ref(), a.format)?;
                if a.format == Format::Human && !quiet {
                    eprintln!(
                        "{phase}{}",
                        if resource.message.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", resource.message)
                        }
                    );
                }
                err.map_or(Ok(0), Err)
            })
        }
        Command::Delete(a) => {
            let (agent, job) = job_from_args(&a, &connect_options(&cli.global.connect))?;
            block_on(async move {
                agent
                    .delete(job.delete_request())
                    .await
                    .map_err(|s| rpc_error(&agent, "DeleteTask", &s))?;
                if !quiet {
                    eprintln!(
                        "deleted the {} job on {}",
                        job.category.name,
                        agent.location()
                    );
                }
                Ok(0)
            })
        }
    }
}

fn rpc_error(agent: &GrpcAgent, method: &str, s: &tonic::Status) -> Error {
    Error::Rpc(format!(
        "{method} to {} failed: {:?}: {}",
        agent.location(),
        s.code(),
        s.message().lines().next().unwrap_or_default()
    ))
}

fn collect_inputs(
    l: &Loaded,
    a: &args::InputArgs,
    m: Option<&ArgMatches>,
) -> Result<core::LiteralMap> {
    inputs::collect(
        &l.template,
        &inputs::Sources {
            matches: m,
            pairs: &a.input,
            file: a.inputs_file.as_deref(),
        },
    )
}

/// Where a task runs, in this order: `--local` in-process; `--endpoint` (or `AGENTCTL_ENDPOINT`)
/// or `--remote` over gRPC; with `--config`, wherever propeller's routing sends it; otherwise
/// in-process when a built-in agent serves the task type.
enum Chosen {
    Remote(GrpcAgent, Option<Box<crate::route::Route>>),
    Local(Registry),
}

impl Chosen {
    fn describe(&self) -> String {
        match self {
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

    fn notes(&self) -> Vec<String> {
        match self {
            Chosen::Remote(_, Some(r)) => r.notes.clone(),
            _ => Vec::new(),
        }
    }
}

async fn choose_agent(
    l: &Loaded,
    t: &args::TargetArgs,
    config: Option<&crate::config::Config>,
    conn: &ConnectOptions,
) -> Result<Chosen> {
    let registry = Registry::builtin();
    let category = crate::agent::category(&l.template);
    let builtin_types = || {
        registry
            .all()
            .iter()
            .map(|a| a.category.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if t.local {
        return if registry.serves(&category) {
            Ok(Chosen::Local(registry))
        } else {
            Err(Error::input(format!(
                "--local: agentctl has no built-in agent for task type {:?} (version {}); built in: {}. Name an agent service with --endpoint HOST:PORT",
                category.name,
                category.version,
                builtin_types()
            )))
        };
    }
    match (&t.endpoint, config) {
        (Some(e), _) => Ok(Chosen::Remote(
            GrpcAgent::connect(Target::parse(e)?, conn, None)?,
            None,
        )),
        (None, Some(cfg)) => {
            let route = crate::route::resolve(cfg, &category, conn).await?;
            Ok(Chosen::Remote(route.agent.clone(), Some(Box::new(route))))
        }
        (None, None) if t.remote => Err(Error::input(
            "--remote needs --endpoint HOST:PORT (or AGENTCTL_ENDPOINT) or --config",
        )),
        (None, None) if registry.serves(&category) => Ok(Chosen::Local(registry)),
        (None, None) => Err(Error::input(format!(
            "no agent for task type {:?}: agentctl has no built-in agent for it (built in: {}); name an agent service with --endpoint HOST:PORT \
             (or AGENTCTL_ENDPOINT), for example a local `pyflyte serve connector` on 127.0.0.1:8000, or give propeller's configmap with --config",
            category.name,
            builtin_types()
        ))),
    }
}

fn config_of(g: &args::GlobalArgs) -> Result<Option<crate::config::Config>> {
    g.config.as_deref().map(crate::config::load).transpose()
}

fn connect_options(c: &args::ConnectArgs) -> ConnectOptions {
    ConnectOptions {
        ca_cert: c.ca_cert.clone(),
        client_cert: c.client_cert.clone(),
        client_key: c.client_key.clone(),
        headers: c.headers.clone(),
        authority: c.authority.clone(),
    }
}

/// `run --dry-run`: the route and why; nothing that creates work is sent.
async fn print_route(chosen: &Chosen, format: Format) -> Result<u8> {
    let doc = match chosen {
        Chosen::Remote(_, Some(r)) => r.to_json(),
        Chosen::Remote(a, None) => {
            let category_sync = match a.list_agents().await {
                Ok(_) => "decided by ListAgents at run time",
                Err(_) => "async (ListAgents did not answer)",
            };
            serde_json::json!({ "endpoint": a.target().original, "why": "--endpoint overrides any configuration", "mode": category_sync })
        }
        Chosen::Local(_) => {
            serde_json::json!({ "endpoint": "in-process", "why": "agentctl has a built-in agent for the task type", "mode": "async" })
        }
    };
    match format {
        Format::Json => out(&pretty(&doc)),
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
            out(&text)
        }
    }
}

/// `agents list|get`: each deployment's health and agents.
async fn agents(
    cmd: args::AgentsCommand,
    config: Option<crate::config::Config>,
    conn: ConnectOptions,
) -> Result<u8> {
    let (args, wanted) = match cmd {
        args::AgentsCommand::List(a) => (a, None),
        args::AgentsCommand::Get { name, args } => (args, Some(name)),
    };
    let mut targets: Vec<(String, GrpcAgent)> = Vec::new();
    match (&args.endpoint, &config) {
        (Some(e), _) => targets.push((
            e.clone(),
            GrpcAgent::connect(Target::parse(e)?, &conn, None)?,
        )),
        (None, Some(cfg)) => {
            for p in &cfg.plugins {
                for d in p.all_deployments() {
                    targets.push((
                        format!("{}.{}", p.id, d.name),
                        crate::route::agent_for(d, cfg, &conn)?,
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
    let mut docs = Vec::new();
    let mut answered = 0;
    for (name, agent) in &targets {
        let health = agent
            .health()
            .await
            .unwrap_or_else(|s| format!("unknown ({:?})", s.code()));
        let (agents, error) = match agent.list_agents().await {
            Ok(a) => {
                answered += 1;
                (a, None)
            }
            Err(s) => (
                Vec::new(),
                Some(format!(
                    "{:?}: {}",
                    s.code(),
                    s.message().lines().next().unwrap_or_default()
                )),
            ),
        };
        let agents: Vec<serde_json::Value> = agents
            .iter()
            .filter(|a| wanted.as_ref().is_none_or(|w| &a.name == w))
            .map(|a| {
                let cats: Vec<String> = a
                    .supported_task_categories
                    .iter()
                    .map(|c| format!("{} v{}", c.name, c.version))
                    .collect();
                serde_json::json!({ "name": a.name, "sync": a.is_sync, "task_categories": cats })
            })
            .collect();
        docs.push(serde_json::json!({ "deployment": name, "endpoint": agent.target().original, "health": health, "agents": agents, "error": error }));
    }
    if let Some(w) = &wanted
        && !docs
            .iter()
            .any(|d| d["agents"].as_array().is_some_and(|a| !a.is_empty()))
    {
        return Err(Error::input(format!(
            "no deployment has an agent named {w:?}"
        )));
    }
    match args.format {
        Format::Json => {
            out(&pretty(&serde_json::Value::Array(docs)))?;
        }
        Format::Human => {
            let mut text = String::new();
            for d in &docs {
                text.push_str(&format!(
                    "{} {} health {}\n",
                    d["deployment"].as_str().unwrap_or_default(),
                    d["endpoint"].as_str().unwrap_or_default(),
                    d["health"].as_str().unwrap_or_default()
                ));
                if let Some(e) = d["error"].as_str() {
                    text.push_str(&format!("  ListAgents failed: {e}\n"));
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
            out(&text)?;
        }
    }
    Ok(if answered == 0 {
        crate::error::exit::RPC
    } else {
        0
    })
}

fn job_from_args(a: &args::JobArgs, conn: &ConnectOptions) -> Result<(GrpcAgent, Job)> {
    let (mut endpoint, mut job) = match (&a.handle, &a.resource_meta, &a.task_type) {
        (Some(path), _, _) => parse_handle(path)?,
        (None, Some(meta), Some(tt)) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(meta.trim())
                .map_err(|e| Error::input(format!("--resource-meta is not base64: {e}")))?;
            (
                None,
                Job {
                    category: admin::TaskCategory {
                        name: tt.clone(),
                        version: a.task_version,
                    },
                    resource_meta: bytes,
                    output_prefix: String::new(),
                },
            )
        }
        _ => {
            return Err(Error::input(
                "give a HANDLE (a file, or - for stdin), or --task-type with --resource-meta",
            ));
        }
    };
    if let Some(e) = &a.endpoint {
        endpoint = Some(e.clone());
    }
    if let Some(p) = &a.output_prefix {
        job.output_prefix = p.clone();
    }
    let endpoint = endpoint.ok_or_else(|| {
        Error::input("the handle names no endpoint; give --endpoint (or AGENTCTL_ENDPOINT)")
    })?;
    Ok((
        GrpcAgent::connect(Target::parse(&endpoint)?, conn, None)?,
        job,
    ))
}

fn parse_handle(path: &std::path::Path) -> Result<(Option<String>, Job)> {
    let bytes = template::read_file(path, "handle")?;
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
    let version = v["task_version"].as_i64().unwrap_or(0) as i32;
    let meta = v["resource_meta"]
        .as_str()
        .ok_or_else(|| ctx("no resource_meta"))?;
    let resource_meta = base64::engine::general_purpose::STANDARD
        .decode(meta)
        .map_err(|e| ctx(&format!("resource_meta is not base64: {e}")))?;
    let output_prefix = v["output_prefix"].as_str().unwrap_or_default().to_string();
    let endpoint = v["endpoint"].as_str().map(str::to_string);
    Ok((
        endpoint,
        Job {
            category: admin::TaskCategory {
                name: task_type,
                version,
            },
            resource_meta,
            output_prefix,
        },
    ))
}

fn print_report(r: &Report, err: Option<&Error>, format: Format) -> Result<()> {
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
                "log_links": r.log_links.iter().map(json::to_value).collect::<Vec<_>>(),
                "custom_info": r.custom_info.as_ref().map(literal::struct_to_json),
                "attempts": r.attempts,
                "polls": r.polls,
                "resource_meta": base64::engine::general_purpose::STANDARD.encode(&r.resource_meta),
                "duration_seconds": r.duration.as_secs_f64(),
                "output_prefix": r.output_prefix,
                "error": err.map(|e| e.to_string()),
                "exit_code": err.map(Error::exit_code).unwrap_or(0),
            });
            out(&pretty(&doc)).map(|_| ())
        }
        Format::Human => {
            if let Some(o) = &r.outputs {
                let mut names: Vec<_> = o.literals.keys().collect();
                names.sort();
                let text: String = names
                    .iter()
                    .map(|n| format!("{n}: {}\n", literal::display(&o.literals[*n])))
                    .collect();
                out(&text)?;
            }
            Ok(())
        }
    }
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("a Value always serializes");
    s.push('\n');
    s
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn out(s: &str) -> Result<u8> {
    out_bytes(s.as_bytes())
}

fn out_bytes(b: &[u8]) -> Result<u8> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(b).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Error::Io(format!("cannot write to stdout: {e}"))),
    }
}

/// The process's runtime. A current-thread runtime drives its timers and sockets only from
/// `Runtime::block_on`, so the runtime itself (not a handle) is kept here.
static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();

fn block_on<F: std::future::Future<Output = Result<u8>>>(f: F) -> Result<u8> {
    block_on_value(f)?
}

fn block_on_value<T, F: std::future::Future<Output = T>>(f: F) -> Result<T> {
    let rt = RUNTIME
        .get()
        .ok_or_else(|| Error::Io("no async runtime".into()))?;
    Ok(rt.block_on(f))
}

fn serve(a: args::ServeArgs) -> Result<u8> {
    // A server takes many calls at once: it gets a runtime with a thread per core.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async move {
        // listening before the port is announced: a SIGTERM right after it is a clean stop
        let interrupts = Interrupts::listen();
        let shutdown = async move { interrupts.after(0).await };
        let announce = |addr: std::net::SocketAddr| {
            let _ = out(&format!("listening on {addr}\n"));
        };
        crate::agent::server::serve(
            (a.host, a.port).into(),
            Registry::builtin(),
            announce,
            shutdown,
        )
        .await?;
        Ok(0)
    })
}

fn completions(a: args::CompletionsArgs) -> Result<u8> {
    let mut cmd = Cli::command();
    match a.dir {
        Some(dir) => {
            clap_complete::generate_to(a.shell, &mut cmd, "agentctl", &dir)
                .map_err(|e| Error::Io(format!("cannot write into {}: {e}", dir.display())))?;
            Ok(0)
        }
        None => {
            let mut buf = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "agentctl", &mut buf);
            out_bytes(&buf)
        }
    }
}
