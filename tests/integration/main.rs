//! agentctl's integration tests: one binary, one module per area.

mod bad_input;
mod bigquery;
mod check;
mod cli;
mod config;
mod databricks;
mod descriptors;
mod faults;
mod flyte2;
mod inputs;
mod local;
mod logs;
mod reliability;
mod run;
mod serve;
mod snowflake;
mod suite;
mod templates;
mod util;
mod webhook;
