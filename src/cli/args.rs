//! The clap definition of agentctl's command line, apart from what the commands do. Task inputs
//! are not here: they come from the template at run time ([`crate::inputs::add_args`]).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "agentctl",
    version,
    about = "Run Flyte agent tasks the way propeller does: create, poll, delete on abort, print the outputs",
    after_help = crate::error::exit::help_text(),
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Load environment variables from FILE (default: ./.env when it exists); the real
    /// environment wins over the file
    #[arg(long, global = true, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// More detail on stderr (the route taken, each call)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print only errors on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Propeller's configmap YAML (plugins.agent-service / plugins.connector-service): route
    /// tasks, set deadlines and connect exactly as the cluster would
    #[arg(long, global = true, env = "AGENTCTL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The protocol generation: v1 (Flyte 1 agents, flyteidl.service), v2 (Flyte 2
    /// connectors, flyteidl2.connector), or auto (detected per endpoint)
    #[arg(long, global = true, env = "AGENTCTL_WIRE", value_name = "WIRE", default_value = "auto", value_parser = ["v1", "v2", "auto"])]
    pub wire: String,
    /// The deadline of each unary call (CreateTask, GetTask, DeleteTask, discovery, health)
    /// [default: 10s, propeller's; a configmap's own deadlines otherwise]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_positive_duration)]
    pub call_timeout: Option<std::time::Duration>,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Connection options beyond propeller's (TLS with a private CA, mutual TLS, request metadata).
#[derive(Debug, Args, Clone)]
pub struct ConnectArgs {
    /// Trust this PEM CA for TLS, besides the system roots
    #[arg(long, global = true, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS; with --client-key
    #[arg(long, global = true, value_name = "PEM")]
    pub client_cert: Option<PathBuf>,
    /// Client private key (PEM) for mutual TLS; with --client-cert
    #[arg(long, global = true, value_name = "PEM")]
    pub client_key: Option<PathBuf>,
    /// Extra request metadata, `name: value`; `${VAR}` in the value is read from the environment
    /// (quote it: -H 'authorization: Bearer ${TOKEN}')
    #[arg(
        short = 'H',
        long = "header",
        global = true,
        value_name = "NAME: VALUE"
    )]
    pub headers: Vec<String>,
    /// Override the :authority (and the TLS server name) sent to the agent
    #[arg(long, global = true, value_name = "HOST[:PORT]")]
    pub authority: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a task: create it on the agent, poll until it ends, print the outputs
    Run(RunArgs),
    /// Create a task and print its handle (JSON) for `get` and `delete`
    Create(CreateArgs),
    /// Ask an agent once for the state of a job, by handle
    Get(JobArgs),
    /// Delete (abort) a job, by handle
    Delete(JobArgs),
    /// Print a job's logs (GetTaskLogs), by handle; --follow until the job ends
    Logs(LogsArgs),
    /// Print a job's metrics (GetTaskMetrics), by handle
    Metrics(MetricsArgs),
    /// Show what a task template holds: type, interface, target, timeout, retries
    Describe(DescribeArgs),
    /// Print the LiteralMap the given input flags make, without sending anything
    Inputs(InputsArgs),
    /// Print a task template as proto3 JSON or binary, whatever form it was read from
    Template(TemplateArgs),
    /// What agent services offer: health, agents, sync or async, task categories
    #[command(subcommand)]
    Agents(AgentsCommand),
    /// Serve agentctl's built-in agents over gRPC to propeller, flytekit or another agentctl
    Serve(ServeArgs),
    /// Run declarative suites of cases (*.agentctl.yaml) concurrently, with reports CI reads
    Test(TestArgs),
    /// Check an agent deployment against the contract propeller relies on, rule by rule
    Check(CheckArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// Every deployment (--endpoint, or each one in --config): health and agents
    List(AgentsArgs),
    /// One agent by name, from the first deployment that has it
    Get {
        /// The agent's name, as ListAgents reports it (e.g. "Sensor")
        name: String,
        #[command(flatten)]
        args: AgentsArgs,
    },
}

#[derive(Debug, Args)]
pub struct AgentsArgs {
    /// The agent service to ask (instead of the deployments in --config)
    #[arg(long, env = "AGENTCTL_ENDPOINT", value_name = "TARGET")]
    pub endpoint: Option<String>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (loopback by default; 0.0.0.0 for a pod)
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// The port; 0 picks a free one. `listening on HOST:PORT` is printed once calls are accepted
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Connections open at once; more wait in the listen backlog
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// Close a connection that sends nothing for this long (live clients answer the 30 s
    /// keepalive pings)
    #[arg(long, value_name = "DURATION", default_value = "90s", value_parser = parse_positive_duration)]
    pub idle_timeout: std::time::Duration,
}

#[derive(Debug, Args, Clone)]
pub struct SelectArgs {
    /// In a `pyflyte package` tarball holding several tasks, the one to use
    #[arg(long, value_name = "NAME")]
    pub task: Option<String>,
    /// In `flytectl get task` output holding several versions, the one to use
    #[arg(long = "task-version", value_name = "VERSION")]
    pub task_version: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// A task input as NAME=VALUE; reaches inputs whose name an agentctl option already takes
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub input: Vec<String>,
    /// Input values from FILE: a LiteralMap (binary or proto3 JSON), or YAML/JSON values by name.
    /// Flags override it
    #[arg(long = "inputs", value_name = "FILE")]
    pub inputs_file: Option<PathBuf>,
}

/// Flyte 2's `connection`, beyond what the template's `custom.secrets`/`custom.configs` give.
#[derive(Debug, Args, Clone, Default)]
pub struct ConnectionArgs {
    /// A connection secret: the connector's NAME, read from the environment variable ENV_VAR
    /// (never a value on the command line)
    #[arg(long = "secret", value_name = "NAME=ENV_VAR")]
    pub secrets: Vec<String>,
    /// A connection config entry
    #[arg(long = "connection-config", value_name = "KEY=VALUE")]
    pub configs: Vec<String>,
}

#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// The agent service: host:port, dns:///host:port, http://host:port or https://host:port
    #[arg(long, env = "AGENTCTL_ENDPOINT", value_name = "TARGET")]
    pub endpoint: Option<String>,
    /// Run the task in this process with agentctl's built-in agent for its type; beats
    /// AGENTCTL_ENDPOINT (a flag beats the environment)
    #[arg(long, conflicts_with = "remote")]
    pub local: bool,
    /// Send the task over gRPC (needs --endpoint or AGENTCTL_ENDPOINT)
    #[arg(long)]
    pub remote: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The task template: JSON, YAML or binary; TaskTemplate, TaskSpec, flytectl output, or a
    /// `pyflyte package` .tgz
    #[arg(value_name = "TEMPLATE")]
    pub template: PathBuf,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub inputs: InputArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Where the agent writes outputs: a path, a file:// URI, or another scheme passed as is
    /// [default: a fresh local directory]
    #[arg(long, value_name = "PREFIX")]
    pub output_prefix: Option<String>,
    /// Bound the whole run, discovery and every attempt included (90s, 5m, 1h30m); on expiry
    /// the job is deleted, exit 124
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Retries for retryable failures [default: the template's metadata.retries]
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// The longest wait between two GetTask calls; the first come quickly, then back off to this
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub poll_interval: std::time::Duration,
    /// Failed GetTask calls allowed per attempt before giving up with exit 3 (propeller's maxSystemFailures)
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_get_failures: u32,
    /// Output format on stdout
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Stream the job's logs to stderr while it runs (GetTaskLogs between polls)
    #[arg(long)]
    pub logs: bool,
    /// Print the route the task would take (deployment, address, sync or async, deadlines)
    /// and why, then exit 0 without creating anything
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(value_name = "TEMPLATE")]
    pub template: PathBuf,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub inputs: InputArgs,
    /// The agent service: host:port, dns:///host:port, http://host:port or https://host:port
    #[arg(long, env = "AGENTCTL_ENDPOINT", value_name = "TARGET")]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Where the agent writes outputs [default: a fresh local directory]
    #[arg(long, value_name = "PREFIX")]
    pub output_prefix: Option<String>,
}

#[derive(Debug, Args)]
pub struct JobArgs {
    /// A handle printed by `create` (or by `run` when it gave up): a file, or - for stdin
    #[arg(value_name = "HANDLE", required_unless_present = "resource_meta")]
    pub handle: Option<PathBuf>,
    /// The agent service (overrides the handle's; AGENTCTL_ENDPOINT is used only for a job
    /// given without a handle)
    #[arg(long, value_name = "TARGET")]
    pub endpoint: Option<String>,
    /// Without a handle: the task type
    #[arg(long, value_name = "TYPE", requires = "resource_meta")]
    pub task_type: Option<String>,
    /// Without a handle: the task type's version
    #[arg(long = "task-version", value_name = "N", default_value_t = 0)]
    pub task_version: i32,
    /// Without a handle: the connection secrets to send again (Flyte 2)
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Without a handle: the job's resource_meta, base64
    #[arg(
        long,
        value_name = "BASE64",
        requires = "task_type",
        conflicts_with = "handle"
    )]
    pub resource_meta: Option<String>,
    /// The output prefix sent with GetTask (overrides the handle's)
    #[arg(long, value_name = "PREFIX")]
    pub output_prefix: Option<String>,
    /// Output format on stdout (get, logs: NDJSON, metrics)
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Suite files, or directories holding *.agentctl.yaml
    #[arg(value_name = "SUITE", required = true)]
    pub suites: Vec<PathBuf>,
    /// Cases run at once [default: the number of CPUs, at least 4]
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only the cases whose name contains PATTERN
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// Start no further case after the first that does not pass
    #[arg(long)]
    pub fail_fast: bool,
    /// Write JUnit XML (GitLab, Jenkins, GitHub actions read it)
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write every case as one JSON document
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// GitHub annotations on failing cases and a step summary [default: on when GITHUB_ACTIONS=true]
    #[arg(long)]
    pub github: bool,
    /// Output format on stdout (json: the report document)
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Templates whose jobs the job rules run (none: only the rules that need no job)
    #[arg(value_name = "TEMPLATE")]
    pub template: Vec<PathBuf>,
    #[command(flatten)]
    pub inputs: InputArgs,
    /// With several templates: the inputs file of one
    #[arg(long = "inputs-for", value_name = "TEMPLATE=FILE")]
    pub inputs_for: Vec<String>,
    /// The agent service to check (instead of --config's routing)
    #[arg(long, env = "AGENTCTL_ENDPOINT", value_name = "TARGET")]
    pub endpoint: Option<String>,
    /// Rule ids or prefixes, comma-separated (serving, create.latency, …) [default: all]
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// How long a checked job may take to end
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_positive_duration)]
    pub timeout: std::time::Duration,
    /// Write JUnit XML: one testcase per rule and template
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Output format on stdout
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// Keep asking until the job ends (or Ctrl-C, which exits 0 and never deletes the job)
    #[arg(short, long)]
    pub follow: bool,
    /// Ask for at most N lines, and show the last N of what is there now
    #[arg(short = 'n', long, value_name = "N")]
    pub lines: Option<u64>,
    /// Show only lines from the last DURATION (10m, 1h)
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration)]
    pub since: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// A metric to ask for (repeat for several)
    #[arg(long = "query", value_name = "NAME", required = true)]
    pub queries: Vec<String>,
    /// From this time (as a datetime input takes it: 2024-01-02T03:04:05, now - 1h)
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// Until this time [default: now]
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// The resolution
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub step: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    #[arg(value_name = "TEMPLATE")]
    pub template: PathBuf,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProtoFormat {
    /// proto3 JSON, keys sorted
    Json,
    /// binary protobuf
    Pb,
}

#[derive(Debug, Args)]
pub struct InputsArgs {
    #[arg(value_name = "TEMPLATE")]
    pub template: PathBuf,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ProtoFormat::Json)]
    pub format: ProtoFormat,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    #[arg(value_name = "TEMPLATE")]
    pub template: PathBuf,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ProtoFormat::Json)]
    pub format: ProtoFormat,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// Write the script into DIR (as agentctl.bash, _agentctl, …) instead of stdout
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = crate::literal::parse_duration(s)
        .ok_or_else(|| format!("{s:?} is not a duration; write it like 90s, 500ms, 5m or 1h30m"))?;
    if d.seconds < 0 || d.nanos < 0 {
        return Err(format!("{s:?} is negative"));
    }
    Ok(std::time::Duration::new(d.seconds as u64, d.nanos as u32))
}

fn parse_positive_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err(format!(
            "{s:?} is zero; give a positive duration such as 30s"
        ));
    }
    Ok(d)
}
