//! Which generation an endpoint speaks, decided once per endpoint per process: gRPC health for
//! each generation's per-service name (health for `""` says nothing: every server answers
//! SERVING), else discovery on both paths, reading UNIMPLEMENTED by its code only (grpcio says
//! `Method not found!`, tonic nothing). A server that answers for both (as `agentctl serve`
//! does) is spoken to as Flyte 1, which keeps sync agents sync.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use tonic::{Code, Status};

use super::{Wire, v1, v2};
use crate::error::Error;
use crate::transport::Transport;

/// The generation to speak and why, for `-v` and `--dry-run`.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    pub wire: Wire,
    pub why: String,
}

/// What the user asked for: a generation (with what set it), or detection.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    Fixed(Wire, String),
    Auto,
}

static CACHE: LazyLock<Mutex<HashMap<String, Detected>>> = LazyLock::new(Default::default);

fn serving(r: &Result<String, Status>) -> bool {
    matches!(r, Ok(s) if s == "SERVING")
}

fn unimplemented(r: &Result<impl Sized, Status>) -> bool {
    matches!(r, Err(s) if s.code() == Code::Unimplemented)
}

/// Detects (or recalls) the generation of `t`'s endpoint.
pub async fn detect(t: &Transport) -> Result<Detected, Error> {
    let key = t.target().original.clone();
    if let Some(d) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(d);
    }
    let d = probe(t).await?;
    if let Ok(mut c) = CACHE.lock() {
        c.insert(key, d.clone());
    }
    Ok(d)
}

async fn probe(t: &Transport) -> Result<Detected, Error> {
    let (h1, h2) = tokio::join!(t.health(v1::HEALTH_NAME), t.health(v2::HEALTH_NAME));
    match (serving(&h1), serving(&h2)) {
        (true, false) => {
            return Ok(Detected {
                wire: Wire::V1,
                why: format!("gRPC health answers SERVING for {}", v1::HEALTH_NAME),
            });
        }
        (false, true) => {
            return Ok(Detected {
                wire: Wire::V2,
                why: format!("gRPC health answers SERVING for {}", v2::HEALTH_NAME),
            });
        }
        (true, true) => {
            return Ok(Detected {
                wire: Wire::V1,
                why: "the server answers for both generations; Flyte 1 keeps sync agents sync"
                    .into(),
            });
        }
        (false, false) => {}
    }
    let (l1, l2) = tokio::join!(v1::list(t), v2::list(t));
    match (&l1, &l2) {
        (Ok(_), Ok(_)) => Ok(Detected {
            wire: Wire::V1,
            why: "both ListAgents and ListConnectors answer; Flyte 1 keeps sync agents sync".into(),
        }),
        (Ok(_), _) => Ok(Detected {
            wire: Wire::V1,
            why: "ListAgents answers (health names no generation)".into(),
        }),
        (_, Ok(_)) => Ok(Detected {
            wire: Wire::V2,
            why: "ListConnectors answers (health names no generation)".into(),
        }),
        // an agent service need not offer discovery or health (propeller skips a deployment
        // whose discovery is UNIMPLEMENTED): Flyte 1 is assumed, and a CreateTask that is
        // UNIMPLEMENTED too then says the server speaks neither
        (Err(_), Err(_)) if unimplemented(&l1) && unimplemented(&l2) => Ok(Detected {
            wire: Wire::V1,
            why: "neither health nor discovery names a generation; Flyte 1 assumed".into(),
        }),
        (Err(e), _) => Err(Error::Rpc(format!(
            "cannot tell which generation {} speaks: {:?}: {}",
            t.label(),
            e.code(),
            e.message()
        ))),
    }
}

/// After a call on `wire`'s paths answered UNIMPLEMENTED: whether the endpoint serves the other
/// generation, as a clear message (exit 2) rather than a generic RPC failure.
pub async fn mismatch(t: &Transport, wire: Wire, set_by: &str) -> Option<Error> {
    let (other, name) = match wire {
        Wire::V1 => (Wire::V2, v2::HEALTH_NAME),
        Wire::V2 => (Wire::V1, v1::HEALTH_NAME),
    };
    let h = t.health(name).await;
    serving(&h).then(|| {
        Error::input(format!(
            "{set_by} says {}, but {} speaks {}: it answers SERVING for {name}; use --wire {} or --wire auto",
            wire.describe(),
            t.label(),
            other.describe(),
            other.name(),
        ))
    })
}
