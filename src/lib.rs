//! agentctl runs Flyte agent tasks on a laptop, in a script or in CI the way Flyte's propeller
//! runs them in a cluster: it loads a task template and its inputs, runs the agent in-process
//! or reaches an agent service over gRPC, drives create → get (polling) → delete, and prints
//! the outputs. It also serves its built-in agents over gRPC (`agentctl serve`).
//!
//! It speaks both Flyte generations — Flyte 1 agents (`flyteidl.service.*`) and Flyte 2
//! connectors (`flyteidl2.connector.*`) — through one loop, detecting which an endpoint serves.
//!
//! # Layout
//!
//! - [`cli`]: the command line — clap types in `cli::args`, the two-pass parse that turns a
//!   template's interface into flags, one [`cli::Context`], one function per command in
//!   `cli::commands`, and `cli::printer` for everything printed.
//! - [`template`]: reading a template from every form either generation's tools write, kept as
//!   the Flyte 2 superset so nothing is dropped ([`template::Template`]).
//! - [`inputs`]: a template's inputs as flags, `--input NAME=VALUE` and `--inputs FILE`, with
//!   Flyte 2's default inputs, into a `LiteralMap`.
//! - [`literal`]: literal types and values — parsing strings and JSON the way `pyflyte run`
//!   does, readable type names, literals back to plain JSON.
//! - [`runner`]: the one loop — create, polling, phase mapping, retries, timeouts, delete on
//!   abort, outputs — over the [`agent::Agent`] trait, for every agent and both generations.
//! - [`agent`]: the trait; `agent::remote` (a service over gRPC in either generation),
//!   `agent::registry` (the built-ins in this process), `agent::builtin` (the contract built-in
//!   agents implement, one file per agent: sensor, webhook, BigQuery, Databricks, Snowflake;
//!   secrets; the HTTPS client), `agent::server` (`agentctl serve`, both generations on one
//!   port).
//! - [`wire`]: the protocol generations side by side — `wire::v1`, `wire::v2`, and
//!   `wire::detect`; the neutral request and answer types the runner reads.
//! - [`transport`]: channels, TLS, headers, round-robin, a deadline on every call, the call
//!   record for `-v`; no protocol knowledge.
//! - [`config`], [`route`]: propeller's configmap and its routing (each deployment in its own
//!   generation).
//! - [`logs`]: GetTaskLogs paging and following, and how log lines are shown.
//! - [`mask`]: every secret agentctl knows of, masked in every form before anything is printed.
//! - [`check`]: `agentctl check` — the contract rules propeller relies on, each with its id
//!   and evidence.
//! - [`suite`]: `agentctl test` — suite files, expectations, the agent under test, running cases
//!   concurrently.
//! - [`report`]: JUnit XML, GitHub annotations and step summary, shared by `test` and `check`.
//! - [`progress`]: live progress on stderr (spinner on a terminal, plain lines elsewhere).
//! - [`describe`]: `agentctl describe`.
//! - [`json`]: proto3 JSON identical to Python's `json_format`, via the embedded descriptors.
//! - [`pb`]: flyteidl 1.16.8 and flyteidl2 2.0.51 types generated from `proto/`.
//! - [`error`]: the error type and the exit-code table, defined once.
//!
//! # Where a change goes
//!
//! A protocol generation: a file in `wire/` and an arm in `agent::remote`. A built-in agent: a
//! file in `agent/builtin/` and its line in `builtin::all`. A command: a file in
//! `cli/commands/` and its clap type. An output format: `cli::printer`.

pub mod agent;
pub mod check;
pub mod cli;
pub mod config;
pub mod describe;
pub mod error;
pub mod inputs;
pub mod json;
pub mod literal;
pub mod logs;
pub mod mask;
pub mod pb;
pub mod progress;
pub mod report;
pub mod route;
pub mod runner;
pub mod suite;
pub mod template;
pub mod transport;
pub mod wire;
