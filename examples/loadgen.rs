//! A GetTask load generator for an agent server on loopback: `agentctl serve`, `pyflyte serve
//! connector`, or anything else that serves `flyteidl.service.AsyncAgentService`. Used by
//! `bench/serve` (see bench/README.md) so that both servers face the same client.
//!
//! ```text
//! cargo run --release --example loadgen -- ADDR [--workers 32] [--seconds 10] [--warmup 1]
//!     [--connections 1] [--threads N] [--timeout-ms 5000] [--max-calls N] [--server-pid PID]
//!     [--path FILE]
//! ```
//!
//! It makes one CreateTask for flytekit's `FileSensor` (task type `sensor`, input `path` = an
//! existing file, a fresh temp file unless `--path` names one), then `--workers` tasks each
//! loop GetTask (task_category `sensor` v0, task_type `sensor`, that resource_meta) for
//! `--warmup` + `--seconds` seconds. A call counts when it completes inside the measured
//! window; a success is an OK answer whose phase is SUCCEEDED (the file exists), anything else
//! is an error. It prints one JSON line on stdout:
//!
//! `{"calls_per_sec", "p50_ms", "p99_ms", "errors", "calls", ...}`
//!
//! plus context keys (`p90_ms`, `p999_ms`, `max_ms`, `mean_ms`, the settings, and with
//! `--server-pid` the CPU the server and this process used during the window, in cores).
//! Latencies go into a log-linear histogram (128 sub-buckets per power of two: under 0.8 %
//! relative error), so memory does not grow with the call count. Only loopback addresses are
//! accepted, and every setting has an upper bound.

use std::collections::BTreeMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use agentctl::pb::admin::{CreateTaskRequest, GetTaskRequest, TaskCategory};
use agentctl::pb::core::{
    self, Identifier, LiteralMap, LiteralType, Primitive, Scalar, SimpleType, TaskTemplate,
    TypedInterface, Variable, VariableMap,
};
use agentctl::pb::service::async_agent_service_client::AsyncAgentServiceClient;
use tonic::transport::{Channel, Endpoint};

const USAGE: &str = "usage: loadgen ADDR [--workers N (32)] [--seconds S (10)] [--warmup S (1)] \
[--connections N (1)] [--threads N (cores)] [--timeout-ms MS (5000)] [--max-calls N (20000000)] \
[--server-pid PID] [--path FILE]";

struct Opts {
    addr: SocketAddr,
    workers: usize,
    seconds: f64,
    warmup: f64,
    connections: usize,
    threads: usize,
    timeout: Duration,
    max_calls: u64,
    server_pid: Option<u32>,
    path: Option<String>,
}

fn parse() -> Result<Opts, String> {
    let mut args = std::env::args().skip(1);
    let mut addr = None;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut o = Opts {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        workers: 32,
        seconds: 10.0,
        warmup: 1.0,
        connections: 1,
        threads: cores,
        timeout: Duration::from_millis(5000),
        max_calls: 20_000_000,
        server_pid: None,
        path: None,
    };
    fn num<T>(flag: &str, v: Option<String>, lo: T, hi: T) -> Result<T, String>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display,
    {
        let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
        let n: T = v
            .parse()
            .map_err(|_| format!("{flag}: not a number: {v}"))?;
        if n < lo || n > hi {
            return Err(format!("{flag} must be between {lo} and {hi}, got {v}"));
        }
        Ok(n)
    }
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => return Err(USAGE.into()),
            "--workers" => o.workers = num(&a, args.next(), 1, 4096)?,
            "--seconds" => o.seconds = num(&a, args.next(), 0.1, 600.0)?,
            "--warmup" => o.warmup = num(&a, args.next(), 0.0, 60.0)?,
            "--connections" => o.connections = num(&a, args.next(), 1, 256)?,
            "--threads" => o.threads = num(&a, args.next(), 1, 64)?,
            "--timeout-ms" => {
                o.timeout = Duration::from_millis(num(&a, args.next(), 1, 60_000)?);
            }
            "--max-calls" => o.max_calls = num(&a, args.next(), 1, 1_000_000_000)?,
            "--server-pid" => o.server_pid = Some(num(&a, args.next(), 1, u32::MAX)?),
            "--path" => o.path = Some(args.next().ok_or("--path needs a value")?),
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            s => {
                if addr.replace(s.to_string()).is_some() {
                    return Err(format!("one address only\n{USAGE}"));
                }
            }
        }
    }
    let addr = addr.ok_or(USAGE)?;
    let hostport = addr
        .strip_prefix("http://")
        .unwrap_or(&addr)
        .trim_end_matches('/');
    let resolved: Vec<SocketAddr> = hostport
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {addr}: {e}"))?
        .collect();
    if resolved.is_empty() || !resolved.iter().all(|a| a.ip().is_loopback()) {
        return Err(format!(
            "refusing {addr}: the load generator only targets loopback addresses (got {resolved:?})"
        ));
    }
    o.addr = resolved[0];
    Ok(o)
}

/// Log-linear latency histogram in nanoseconds: exact below 128 ns, then 128 buckets per
/// power of two.
struct Hist {
    counts: Vec<u64>,
    n: u64,
    sum: u128,
    max: u64,
}

const SUB: u64 = 128;
const SUB_BITS: u32 = 7;

impl Hist {
    fn new() -> Self {
        Hist {
            counts: vec![0; (SUB as usize) * 58],
            n: 0,
            sum: 0,
            max: 0,
        }
    }
    fn index(v: u64) -> usize {
        if v < SUB {
            return v as usize;
        }
        let shift = 63 - v.leading_zeros() - SUB_BITS;
        (SUB as usize) * (shift as usize + 1) + ((v >> shift) - SUB) as usize
    }
    /// The middle of bucket `i`.
    fn value(i: usize) -> u64 {
        let i = i as u64;
        if i < SUB {
            return i;
        }
        let shift = i / SUB - 1;
        let lo = (SUB + i % SUB) << shift;
        lo + ((1u64 << shift) - 1) / 2
    }
    fn record(&mut self, ns: u64) {
        self.counts[Self::index(ns)] += 1;
        self.n += 1;
        self.sum += ns as u128;
        self.max = self.max.max(ns);
    }
    fn merge(&mut self, o: &Hist) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.n += o.n;
        self.sum += o.sum;
        self.max = self.max.max(o.max);
    }
    fn quantile_ns(&self, q: f64) -> u64 {
        if self.n == 0 {
            return 0;
        }
        let rank = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::value(i).min(self.max);
            }
        }
        self.max
    }
}

struct WorkerResult {
    hist: Hist,
    errors: u64,
    errors_in_window: u64,
    messages: BTreeMap<String, u64>,
}

/// utime + stime of a process, in seconds (Linux /proc; USER_HZ is 100).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // fields after the command name, which is in parentheses and may hold spaces
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn string_literal(s: &str) -> core::Literal {
    core::Literal {
        value: Some(core::literal::Value::Scalar(Box::new(Scalar {
            value: Some(core::scalar::Value::Primitive(Primitive {
                value: Some(core::primitive::Value::StringValue(s.to_string())),
            })),
        }))),
        ..Default::default()
    }
}

fn sensor_template() -> TaskTemplate {
    use prost_types::value::Kind;
    let s = |v: &str| prost_types::Value {
        kind: Some(Kind::StringValue(v.into())),
    };
    let null = || prost_types::Value {
        kind: Some(Kind::NullValue(0)),
    };
    let custom = prost_types::Struct {
        fields: [
            (
                "sensor_module".to_string(),
                s("flytekit.sensor.file_sensor"),
            ),
            ("sensor_name".to_string(), s("FileSensor")),
            ("sensor_config".to_string(), null()),
            ("inputs".to_string(), null()),
        ]
        .into_iter()
        .collect(),
    };
    // flytekit's Sensor connector converts the inputs with the template's interface, so it
    // is sent as flytekit writes it (`path: str`).
    let interface = TypedInterface {
        inputs: Some(VariableMap {
            variables: [(
                "path".to_string(),
                Variable {
                    r#type: Some(LiteralType {
                        r#type: Some(core::literal_type::Type::Simple(SimpleType::String as i32)),
                        ..Default::default()
                    }),
                    description: "path".into(),
                    ..Default::default()
                },
            )]
            .into_iter()
            .collect(),
        }),
        outputs: Some(VariableMap::default()),
    };
    TaskTemplate {
        id: Some(Identifier {
            resource_type: core::ResourceType::Task as i32,
            name: "wait_for_file".into(),
            ..Default::default()
        }),
        r#type: "sensor".into(),
        interface: Some(interface),
        custom: Some(custom),
        ..Default::default()
    }
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(o.threads)
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(o)) {
        Ok(line) => {
            use std::io::Write;
            // a closed stdout (a reader that went away) is not worth a panic
            let _ = writeln!(std::io::stdout(), "{line}");
        }
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(1);
        }
    }
    // Do not wait for calls that outlived their deadline on a stuck server.
    rt.shutdown_timeout(Duration::from_millis(100));
}

async fn run(o: Opts) -> Result<String, String> {
    // The sensor's file: it exists, so every GetTask answers SUCCEEDED.
    let scratch = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let path = match &o.path {
        Some(p) => p.clone(),
        None => {
            let p = scratch.path().join("flag");
            std::fs::write(&p, b"").map_err(|e| format!("temp file: {e}"))?;
            p.to_string_lossy().into_owned()
        }
    };
    let output_prefix = scratch.path().join("out").to_string_lossy().into_owned();

    let endpoint = Endpoint::from_shared(format!("http://{}", o.addr))
        .map_err(|e| e.to_string())?
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(5))
        .timeout(o.timeout);
    let mut channels: Vec<Channel> = Vec::with_capacity(o.connections);
    for _ in 0..o.connections {
        channels.push(
            endpoint
                .connect()
                .await
                .map_err(|e| format!("cannot connect to {}: {e}", o.addr))?,
        );
    }

    let mut client = AsyncAgentServiceClient::new(channels[0].clone());
    let created = client
        .create_task(CreateTaskRequest {
            inputs: Some(LiteralMap {
                literals: [("path".to_string(), string_literal(&path))]
                    .into_iter()
                    .collect(),
            }),
            template: Some(sensor_template()),
            output_prefix: output_prefix.clone(),
            task_execution_metadata: None,
        })
        .await
        .map_err(|s| format!("CreateTask failed: {:?}: {}", s.code(), s.message()))?
        .into_inner();
    #[allow(deprecated)]
    let request = GetTaskRequest {
        task_type: "sensor".into(),
        resource_meta: created.resource_meta,
        task_category: Some(TaskCategory {
            name: "sensor".into(),
            version: 0,
        }),
        output_prefix,
    };
    // One call first, so that a wrong setup fails loudly instead of as a run of errors.
    let first = client
        .get_task(request.clone())
        .await
        .map_err(|s| format!("GetTask failed: {:?}: {}", s.code(), s.message()))?
        .into_inner();
    let phase = first.resource.map(|r| r.phase).unwrap_or(-1);
    if phase != core::task_execution::Phase::Succeeded as i32 {
        return Err(format!(
            "GetTask answered phase {phase}, expected SUCCEEDED for the existing file {path}"
        ));
    }

    let t0 = Instant::now();
    let window_start = t0 + Duration::from_secs_f64(o.warmup);
    let planned_end = window_start + Duration::from_secs_f64(o.seconds);
    let started = Arc::new(AtomicU64::new(0));
    let capped = Arc::new(AtomicBool::new(false));
    // When the call cap stops the run early, the instant it did (ns after t0).
    let stop_at = Arc::new(AtomicU64::new(u64::MAX));

    let mut handles = Vec::with_capacity(o.workers);
    for w in 0..o.workers {
        let mut client = AsyncAgentServiceClient::new(channels[w % channels.len()].clone());
        let request = request.clone();
        let (started, capped, stop_at) = (started.clone(), capped.clone(), stop_at.clone());
        let max_calls = o.max_calls;
        handles.push(tokio::spawn(async move {
            let mut r = WorkerResult {
                hist: Hist::new(),
                errors: 0,
                errors_in_window: 0,
                messages: BTreeMap::new(),
            };
            loop {
                let a = Instant::now();
                if a >= planned_end || capped.load(Ordering::Relaxed) {
                    break;
                }
                if started.fetch_add(1, Ordering::Relaxed) >= max_calls {
                    if !capped.swap(true, Ordering::Relaxed) {
                        stop_at.store((a - t0).as_nanos() as u64, Ordering::Relaxed);
                    }
                    break;
                }
                let res = client.get_task(request.clone()).await;
                let b = Instant::now();
                let ok = match res {
                    Ok(resp) => {
                        let phase = resp.into_inner().resource.map(|r| r.phase).unwrap_or(-1);
                        if phase == core::task_execution::Phase::Succeeded as i32 {
                            Ok(())
                        } else {
                            Err(format!("unexpected phase {phase}"))
                        }
                    }
                    Err(s) => Err(format!("{:?}: {}", s.code(), s.message())),
                };
                let in_window = b >= window_start && b < planned_end;
                match ok {
                    Ok(()) if in_window => r.hist.record((b - a).as_nanos() as u64),
                    Ok(()) => {}
                    Err(m) => {
                        r.errors += 1;
                        r.errors_in_window += in_window as u64;
                        if r.messages.len() < 8 || r.messages.contains_key(&m) {
                            *r.messages.entry(m).or_default() += 1;
                        }
                        // a refused connection fails at once: do not spin
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
            }
            r
        }));
    }

    // CPU use of this process and the server over the measured window.
    let me = std::process::id().to_string();
    let server = o.server_pid.map(|p| p.to_string());
    tokio::time::sleep_until(window_start.into()).await;
    let cpu0 = (cpu_seconds(&me), server.as_deref().and_then(cpu_seconds));
    let w0 = Instant::now();
    tokio::time::sleep_until(planned_end.into()).await;
    let cpu1 = (cpu_seconds(&me), server.as_deref().and_then(cpu_seconds));
    let cpu_wall = w0.elapsed().as_secs_f64();

    let mut hist = Hist::new();
    let (mut errors, mut errors_in_window) = (0, 0);
    let mut messages: BTreeMap<String, u64> = BTreeMap::new();
    let grace = planned_end + o.timeout + Duration::from_secs(2);
    for h in handles {
        match tokio::time::timeout_at(grace.into(), h).await {
            Ok(Ok(r)) => {
                hist.merge(&r.hist);
                errors += r.errors;
                errors_in_window += r.errors_in_window;
                for (m, n) in r.messages {
                    *messages.entry(m).or_default() += n;
                }
            }
            Ok(Err(e)) => return Err(format!("a worker panicked: {e}")),
            Err(_) => return Err("a worker did not finish within its deadline".into()),
        }
    }
    for (m, n) in &messages {
        eprintln!("loadgen: {n} x {m}");
    }

    let stop = stop_at.load(Ordering::Relaxed);
    let end = if stop == u64::MAX {
        planned_end
    } else {
        (t0 + Duration::from_nanos(stop)).clamp(window_start, planned_end)
    };
    let window = (end - window_start).as_secs_f64();
    let ms = |ns: u64| (ns as f64 / 1e4).round() / 100.0;
    let cores = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if cpu_wall > 0.0 => {
            serde_json::json!(((b - a) / cpu_wall * 100.0).round() / 100.0)
        }
        _ => serde_json::Value::Null,
    };
    let out = serde_json::json!({
        "calls_per_sec": if window > 0.0 { (hist.n as f64 / window).round() } else { 0.0 },
        "p50_ms": ms(hist.quantile_ns(0.50)),
        "p99_ms": ms(hist.quantile_ns(0.99)),
        "errors": errors,
        "calls": hist.n,
        "p90_ms": ms(hist.quantile_ns(0.90)),
        "p999_ms": ms(hist.quantile_ns(0.999)),
        "max_ms": ms(hist.max),
        "mean_ms": if hist.n > 0 { ms((hist.sum / hist.n as u128) as u64) } else { 0.0 },
        "errors_in_window": errors_in_window,
        "window_s": (window * 1000.0).round() / 1000.0,
        "capped": capped.load(Ordering::Relaxed),
        "workers": o.workers,
        "connections": o.connections,
        "threads": o.threads,
        "loadgen_cpu_cores": cores(cpu0.0, cpu1.0),
        "server_cpu_cores": cores(cpu0.1, cpu1.1),
    });
    // serde_json keeps insertion order only with preserve_order; print the keys in this order.
    let order = [
        "calls_per_sec",
        "p50_ms",
        "p99_ms",
        "errors",
        "calls",
        "p90_ms",
        "p999_ms",
        "max_ms",
        "mean_ms",
        "errors_in_window",
        "window_s",
        "capped",
        "workers",
        "connections",
        "threads",
        "loadgen_cpu_cores",
        "server_cpu_cores",
    ];
    let fields: Vec<String> = order
        .iter()
        .map(|k| format!("\"{k}\": {}", out[*k]))
        .collect();
    Ok(format!("{{{}}}", fields.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::Hist;

    #[test]
    fn buckets_are_tight() {
        for v in [
            0u64,
            1,
            127,
            128,
            129,
            255,
            256,
            1000,
            123_456,
            9_999_999,
            u64::MAX / 3,
        ] {
            let i = Hist::index(v);
            let mid = Hist::value(i);
            let err = (mid as f64 - v as f64).abs() / (v.max(1) as f64);
            assert!(err < 0.008, "{v} -> bucket {i} mid {mid}");
        }
        let mut h = Hist::new();
        for v in 1..=1000u64 {
            h.record(v * 1000);
        }
        let p50 = h.quantile_ns(0.5) as f64;
        assert!((p50 - 500_000.0).abs() / 500_000.0 < 0.008, "{p50}");
    }
}
