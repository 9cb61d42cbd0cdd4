//! `agentctl serve` and `agentctl completions`.

use clap::CommandFactory;

use super::super::Context;
use super::super::args::{Cli, CompletionsArgs, ServeArgs};
use crate::agent::limits::Limits;
use crate::agent::registry::Registry;
use crate::error::{Error, Result};
use crate::runner::Interrupts;

pub fn serve(ctx: &Context, a: ServeArgs) -> Result<u8> {
    // A server takes many calls at once: it gets a runtime with a thread per core.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))?;
    let printer = ctx.printer;
    rt.block_on(async move {
        // listening before the port is announced: a SIGTERM right after it is a clean stop
        let interrupts = Interrupts::listen();
        let shutdown = async move { interrupts.after(0).await };
        let announce = |addr: std::net::SocketAddr| {
            let _ = printer.out(&format!("listening on {addr}\n"));
        };
        crate::agent::server::serve(
            (a.host, a.port).into(),
            Registry::builtin(),
            Limits {
                max_connections: a.max_connections,
                idle: a.idle_timeout,
            },
            announce,
            shutdown,
        )
        .await?;
        Ok(0)
    })
}

pub fn completions(ctx: &Context, a: CompletionsArgs) -> Result<u8> {
    let mut cmd = Cli::command();
    match a.dir {
        Some(dir) => {
            clap_complete::generate_to(a.shell, &mut cmd, "agentctl", &dir)
                .map_err(|e| Error::input(format!("cannot write into {}: {e}", dir.display())))?;
            Ok(0)
        }
        None => {
            let mut buf = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "agentctl", &mut buf);
            ctx.printer.out_bytes(&buf)
        }
    }
}
