//! agentctl runs Flyte agent tasks on a laptop, in a script or in CI the way Flyte's propeller
//! runs them in a cluster: it loads a task template and its inputs, runs the agent in-process
//! or reaches an agent service over gRPC, drives create → get (polling) → delete, and prints
//! the outputs. It also serves its built-in agents over gRPC (`agentctl serve`).
//!
//! # Layout
//!
//! - [`cli`]: the command line — clap types in `cli::args`, the two-pass parse that turns a
//!   template's interface into flags, dispatch, printing and exit codes.
//! - [`template`]: reading a `core.TaskTemplate` from every form users have (JSON, YAML,
//!   binary, `TaskSpec`, `flytectl` output, `pyflyte package` tarballs).
//! - [`inputs`]: a template's inputs as flags, `--input NAME=VALUE` and `--inputs FILE`, into a
//!   `LiteralMap`.
//! - [`literal`]: literal types and values — parsing strings and JSON the way `pyflyte run`
//!   does, readable type names, literals back to plain JSON.
//! - [`agent`]: the one [`agent::Agent`] trait every agent is driven through: `agent::grpc`
//!   (a remote agent service), `agent::local` (the in-process registry and the contract built-in
//!   agents implement: sensor, webhook, BigQuery), `agent::server` (`agentctl serve`),
//!   `agent::secrets` (secrets found as flytekit finds them) and the HTTPS client the
//!   built-in agents share.
//! - [`config`]: propeller's configmap (`plugins.agent-service`/`connector-service`).
//! - [`route`]: which deployment serves a task, decided as propeller decides it.
//! - [`runner`]: the one loop — routing, create, polling, phase mapping, retries, timeouts,
//!   delete on abort, outputs.
//! - [`progress`]: live progress on stderr (spinner on a terminal, plain lines elsewhere).
//! - [`describe`]: `agentctl describe`.
//! - [`json`]: proto3 JSON identical to Python's `json_format`, via the embedded descriptors.
//! - [`pb`]: the flyteidl 1.16.8 types generated from `proto/`.
//! - [`error`]: the error type and the exit codes it maps to.

pub mod agent;
pub mod cli;
pub mod config;
pub mod describe;
pub mod error;
pub mod inputs;
pub mod json;
pub mod literal;
pub mod mask;
pub mod pb;
pub mod progress;
pub mod route;
pub mod runner;
pub mod template;
pub mod transport;
pub mod wire;
