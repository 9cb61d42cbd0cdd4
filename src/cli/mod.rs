//! The command line's behaviour: the two-pass parse (the template's interface becomes flags),
//! `.env` loading, one [`Context`] built once, and dispatch to one small function per command
//! ([`commands`]); printing goes through one [`printer::Printer`].

pub mod args;
pub mod commands;
pub mod printer;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::inputs;
use crate::template::{self, Loaded, Selection};
use crate::transport::{CallLog, ConnectOptions};
use crate::wire::Wire;
use crate::wire::detect::Choice;
use args::Cli;
use printer::Printer;

/// Subcommands whose flags include the template's inputs.
const WITH_INPUTS: &[&str] = &["run", "create", "inputs", "check"];
/// Subcommands that take a TEMPLATE.
const WITH_TEMPLATE: &[&str] = &["run", "create", "inputs", "describe", "template", "check"];

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
            return ExitCode::from(crate::error::exit::LOCAL);
        }
    };
    let rt = RUNTIME.get_or_init(|| rt);
    let _entered = rt.enter();
    let result = real_main(argv);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            Printer::error(&e);
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
    // `check` takes several templates: its positional is already variadic, and clap allows one
    for name in WITH_TEMPLATE.iter().filter(|n| **n != "check") {
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
        .try_get_many::<PathBuf>("template")
        .ok()
        .flatten()
        .and_then(|mut t| t.next())
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

/// What every command shares, built once: the parsed arguments' global part, the configmap,
/// how to connect, which generation to speak, the printer, and the template when one was given.
pub struct Context {
    pub config: Option<Config>,
    pub connect: ConnectOptions,
    pub wire: Choice,
    pub printer: Printer,
    pub loaded: Option<Loaded>,
    /// The matches of the subcommand, where the template's input flags are.
    pub matches: Option<ArgMatches>,
}

impl Context {
    /// The loaded template; commands that take one always have it.
    pub fn template(&self) -> Result<&Loaded> {
        self.loaded
            .as_ref()
            .ok_or_else(|| Error::input("this command needs a TEMPLATE"))
    }
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
        let l = l.clone();
        cmd = cmd.mut_subcommand(sub, move |c| inputs::add_args(c, &l, &root_longs));
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
    let g = &cli.global;
    let printer = Printer::new(g.quiet, g.verbose);
    let connect = ConnectOptions {
        ca_cert: g.connect.ca_cert.clone(),
        client_cert: g.connect.client_cert.clone(),
        client_key: g.connect.client_key.clone(),
        headers: g.connect.headers.clone(),
        authority: g.connect.authority.clone(),
        call_timeout: g.call_timeout,
        calls: CallLog::new(printer.verbose),
    };
    // a header value is usually a token: whatever echoes it back is masked
    for v in connect.header_values() {
        crate::mask::register_header(&v);
    }
    let wire = match g.wire.as_str() {
        "auto" => Choice::Auto,
        w => Choice::Fixed(
            Wire::parse(w)
                .ok_or_else(|| Error::input(format!("--wire {w}: use v1, v2 or auto")))?,
            format!("--wire {w}"),
        ),
    };
    let ctx = Context {
        config: g.config.as_deref().map(crate::config::load).transpose()?,
        connect,
        wire,
        printer,
        loaded,
        matches: matches.subcommand().map(|(_, m)| m.clone()),
    };
    commands::dispatch(cli.command, ctx)
}

fn load_env(explicit: Option<&std::path::Path>) -> Result<()> {
    match explicit {
        Some(path) => dotenvy::from_path(path)
            .map_err(|e| Error::input(format!("--env-file {}: {}", path.display(), env_error(&e)))),
        None => {
            if let Err(e) = dotenvy::dotenv()
                && !e.not_found()
            {
                return Err(Error::input(format!(".env: {}", env_error(&e))));
            }
            Ok(())
        }
    }
}

/// A `.env` error without the offending line's text: it may hold a secret's value.
pub(crate) fn env_error(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(_, index) => format!(
            "cannot parse it at character {index}; write each line as NAME=VALUE (quote values with spaces or #)"
        ),
        other => other.to_string(),
    }
}

/// The process's runtime. A current-thread runtime drives its timers and sockets only from
/// `Runtime::block_on`, so the runtime itself (not a handle) is kept here.
static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();

/// Runs a command's future on the process's runtime.
pub fn block_on<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    let rt = RUNTIME
        .get()
        .ok_or_else(|| Error::Io("no async runtime".into()))?;
    rt.block_on(f)
}
