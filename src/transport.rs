//! The gRPC transport, with no protocol knowledge: target parsing (`host:port`, `dns:///`,
//! `http://`, `https://`), TLS (system roots, a CA, a client identity), request metadata,
//! round-robin over every address a `dns:///` target resolves to, a deadline on every call, and
//! a record of every call for `-v` and `-o json`. The protocol generations (`crate::wire`) say
//! which paths and messages go over it; routing (`crate::route`) says which deadlines apply.

use std::collections::BTreeMap;
use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::uri::PathAndQuery;
use tonic::metadata::{Ascii, MetadataKey, MetadataValue};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Code, Request, Status, Streaming};

use crate::error::{Error, Result};

/// propeller's connector-service default for every unary call (reference §3.4).
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed `--endpoint` or configured `endpoint`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// What the user wrote, for messages and handles.
    pub original: String,
    /// host:port
    pub authority: String,
    pub tls: bool,
    /// `dns:///`: resolve every address and spread calls over them.
    pub resolve_all: bool,
}

impl Target {
    pub fn parse(s: &str) -> Result<Self> {
        let original = s.trim().to_string();
        let (authority, tls, resolve_all) = if let Some(rest) = original.strip_prefix("https://") {
            (rest, true, false)
        } else if let Some(rest) = original.strip_prefix("http://") {
            (rest, false, false)
        } else if let Some(rest) = original.strip_prefix("dns:///") {
            (rest, false, true)
        } else if original.starts_with("k8s://") || original.starts_with("k8s:///") {
            return Err(Error::input(format!(
                "{original}: k8s:// targets are resolved by propeller inside a cluster; from here, forward the service's port \
                 (kubectl port-forward -n flyte svc/flyteconnector 8000:8000) and use --endpoint dns:///127.0.0.1:8000"
            )));
        } else if original.contains("://") {
            return Err(Error::input(format!(
                "{original}: unsupported endpoint scheme; use host:port, dns:///host:port, http://host:port or https://host:port"
            )));
        } else {
            (original.as_str(), false, false)
        };
        let authority = authority.trim_end_matches('/').to_string();
        let valid = authority
            .rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
        if !valid {
            return Err(Error::input(format!(
                "{original}: the endpoint needs a host and a port, as in 127.0.0.1:8000"
            )));
        }
        Ok(Target {
            original,
            authority,
            tls,
            resolve_all,
        })
    }

    fn host(&self) -> &str {
        let host = self
            .authority
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(&self.authority);
        host.trim_start_matches('[').trim_end_matches(']')
    }
}

/// How to connect, beyond what propeller offers (flyte#3823): a CA, a client identity, extra
/// request metadata, an authority override, the per-call deadline, and where calls are recorded.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub ca_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// `name: value`; `${VAR}` in a value is read from the environment, so a token never sits in
    /// shell history.
    pub headers: Vec<String>,
    pub authority: Option<String>,
    /// `--call-timeout`: beats both the default and a configmap's deadlines.
    pub call_timeout: Option<Duration>,
    pub calls: CallLog,
}

impl ConnectOptions {
    /// The values of `-H` headers, so that anything an agent echoes back can be masked.
    pub fn header_values(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter_map(|h| parse_header(h).ok())
            .filter_map(|(_, v)| v.to_str().ok().map(str::to_string))
            .collect()
    }
}

/// The deadline of each call and what set it, so that a deadline error names the knob to turn.
#[derive(Debug, Clone)]
pub struct Deadlines {
    by_method: BTreeMap<String, (Duration, String)>,
    /// `None`: no deadline (a configmap can say 0).
    default: Option<(Duration, String)>,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines::flat(
            DEFAULT_CALL_TIMEOUT,
            "default per-call deadline (set it with --call-timeout)",
        )
    }
}

impl Deadlines {
    pub fn flat(d: Duration, source: impl Into<String>) -> Self {
        Deadlines {
            by_method: BTreeMap::new(),
            default: Some((d, source.into())),
        }
    }

    /// Per-method deadlines as a configmap sets them; methods it does not name get `default`.
    pub fn configured(
        by_method: BTreeMap<String, (Duration, String)>,
        default: Option<(Duration, String)>,
    ) -> Self {
        Deadlines { by_method, default }
    }

    /// `--call-timeout`, when given, beats everything else.
    pub fn overridden(self, call_timeout: Option<Duration>) -> Self {
        match call_timeout {
            Some(d) => Deadlines::flat(d, "per-call deadline of --call-timeout"),
            None => self,
        }
    }

    pub fn of(&self, method: &str) -> Option<(Duration, &str)> {
        self.by_method
            .get(method)
            .or(self.default.as_ref())
            .map(|(d, s)| (*d, s.as_str()))
    }
}

/// One call as `-v` prints it and `-o json` lists it: never a header value or a payload.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Call {
    pub method: String,
    pub target: String,
    pub duration_ms: f64,
    pub status: String,
}

/// Every call made in this process, shared by all transports. With `live`, each is also
/// printed to stderr as it ends (grpcurl's `-vv`, without the headers).
#[derive(Debug, Clone, Default)]
pub struct CallLog {
    calls: Arc<Mutex<Vec<Call>>>,
    live: bool,
}

impl CallLog {
    pub fn new(live: bool) -> Self {
        CallLog {
            calls: Arc::default(),
            live,
        }
    }

    fn record(&self, call: Call) {
        if self.live {
            eprintln!(
                "agentctl: call {} {} {:.1}ms {}",
                call.target, call.method, call.duration_ms, call.status
            );
        }
        if let Ok(mut c) = self.calls.lock() {
            c.push(call);
        }
    }

    pub fn all(&self) -> Vec<Call> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

type Header = (MetadataKey<Ascii>, MetadataValue<Ascii>);

/// A connection to one agent service: calls any path with any prost message.
#[derive(Clone)]
pub struct Transport {
    target: Target,
    /// For messages and the call record: the address, with the deployment's name if configured.
    label: String,
    channels: Arc<Vec<Channel>>,
    next: Arc<AtomicUsize>,
    headers: Arc<Vec<Header>>,
    deadlines: Deadlines,
    calls: CallLog,
    /// How it was dialled, for [`Transport::reconnect`].
    dialled: Arc<(ConnectOptions, Dial)>,
}

/// What resolves a host and port to addresses; tests inject their own.
pub type Resolver = dyn Fn(&str) -> std::io::Result<Vec<std::net::SocketAddr>>;

fn system_resolver(authority: &str) -> std::io::Result<Vec<std::net::SocketAddr>> {
    Ok(authority.to_socket_addrs()?.collect())
}

/// What routing knows about a configured deployment that changes how it is dialled.
#[derive(Debug, Clone, Default)]
pub struct Dial {
    /// The deployment's name, for messages.
    pub name: Option<String>,
    /// `insecure: false` in the configmap: TLS even for a plain `host:port`.
    pub force_tls: bool,
    /// `dns:///` spreads calls unless the deployment's service config picks the first address.
    pub round_robin: bool,
    pub deadlines: Deadlines,
}

impl Dial {
    /// A plain `--endpoint`: round-robin for `dns:///`, the default deadlines.
    pub fn plain() -> Self {
        Dial {
            name: None,
            force_tls: false,
            round_robin: true,
            deadlines: Deadlines::default(),
        }
    }
}

impl Transport {
    pub fn connect(target: Target, opts: &ConnectOptions, dial: Dial) -> Result<Self> {
        Self::connect_with(target, opts, dial, &system_resolver)
    }

    /// Builds lazy channels: nothing is dialled until the first call, so a bad address surfaces
    /// as that call's UNAVAILABLE with the address in the message.
    pub fn connect_with(
        target: Target,
        opts: &ConnectOptions,
        dial: Dial,
        resolve: &Resolver,
    ) -> Result<Self> {
        let tls = dial.force_tls || target.tls;
        let round_robin = target.resolve_all && dial.round_robin;
        // dns:/// resolves now so that calls can be spread; if it fails, the name is dialled
        // as it is and the first call says why
        let mut addrs: Vec<String> = if target.resolve_all {
            resolve(&target.authority)
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.to_string())
                .collect()
        } else {
            Vec::new()
        };
        addrs.dedup();
        if addrs.is_empty() {
            addrs.push(target.authority.clone());
        }
        if !round_robin {
            addrs.truncate(1);
        }
        let tls_config = tls.then(|| tls_config(&target, opts)).transpose()?;
        let scheme = if tls { "https" } else { "http" };
        let mut channels = Vec::new();
        for addr in &addrs {
            let mut ep = Endpoint::from_shared(format!("{scheme}://{addr}"))
                .map_err(|e| Error::input(format!("{}: invalid endpoint: {e}", target.original)))?
                .connect_timeout(DEFAULT_CALL_TIMEOUT)
                .tcp_nodelay(true)
                // a server that stops answering is found out, not waited on forever
                .http2_keep_alive_interval(Duration::from_secs(30))
                .keep_alive_timeout(Duration::from_secs(10));
            if let Some(authority) = &opts.authority {
                let uri = format!("{scheme}://{authority}")
                    .parse()
                    .map_err(|e| Error::input(format!("--authority {authority}: {e}")))?;
                ep = ep.origin(uri);
            }
            if let Some(cfg) = &tls_config {
                ep = ep.tls_config(cfg.clone()).map_err(|e| {
                    Error::input(format!("{}: TLS setup failed: {e}", target.original))
                })?;
            }
            channels.push(ep.connect_lazy());
        }
        let headers = opts
            .headers
            .iter()
            .map(|h| parse_header(h))
            .collect::<Result<Vec<_>>>()?;
        let label = match &dial.name {
            Some(n) => format!("{} ({n})", target.original),
            None => target.original.clone(),
        };
        let dialled = Arc::new((opts.clone(), dial.clone()));
        Ok(Transport {
            target,
            label,
            channels: Arc::new(channels),
            next: Arc::new(AtomicUsize::new(0)),
            headers: Arc::new(headers),
            deadlines: dial.deadlines.overridden(opts.call_timeout),
            calls: opts.calls.clone(),
            dialled,
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The same endpoint on new connections, dialled as this one was.
    pub fn reconnect(&self) -> Result<Self> {
        let (opts, dial) = &*self.dialled;
        Self::connect(self.target.clone(), opts, dial.clone())
    }

    /// Where calls go, for messages: the address, and the deployment's name if configured.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn deadlines(&self) -> &Deadlines {
        &self.deadlines
    }

    /// How many addresses calls are spread over.
    pub fn addresses(&self) -> usize {
        self.channels.len()
    }

    fn channel(&self) -> Channel {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.channels.len();
        self.channels[i].clone()
    }

    fn request<T>(&self, msg: T, deadline: Option<Duration>) -> Request<T> {
        let mut req = Request::new(msg);
        for (k, v) in self.headers.iter() {
            req.metadata_mut().insert(k.clone(), v.clone());
        }
        if let Some(d) = deadline {
            req.set_timeout(d);
        }
        req
    }

    /// Runs one call under its deadline, records it, and words a deadline error so that it
    /// cannot be mistaken for the task's own timeout (flytekit#2439).
    async fn timed<T>(
        &self,
        method: &str,
        deadline: Option<(Duration, String)>,
        fut: impl Future<Output = Result<T, Status>>,
    ) -> Result<T, Status> {
        let started = Instant::now();
        let r = match &deadline {
            Some((d, _)) => tokio::time::timeout(*d, fut)
                .await
                .unwrap_or_else(|_| Err(Status::deadline_exceeded("Timeout expired"))),
            None => fut.await,
        };
        let r = r.map_err(|s| {
            let timed_out = s.code() == Code::DeadlineExceeded
                || (s.code() == Code::Cancelled && s.message().contains("Timeout expired"));
            match (timed_out, &deadline) {
                (true, Some((d, source))) => Status::deadline_exceeded(format!(
                    "no answer within the {} {source}; this is the per-call deadline, not the task's timeout",
                    crate::runner::humantime_short(*d),
                )),
                _ => s,
            }
        });
        self.calls.record(Call {
            method: method.to_string(),
            target: self.label.clone(),
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            status: match &r {
                Ok(_) => "OK".into(),
                Err(s) => format!("{:?}", s.code()),
            },
        });
        r
    }

    fn deadline_of(&self, method: &str) -> Option<(Duration, String)> {
        self.deadlines.of(method).map(|(d, s)| (d, s.to_string()))
    }

    /// One unary call on `path` (`/package.Service/Method`).
    pub async fn unary<Req, Resp>(&self, path: &'static str, msg: Req) -> Result<Resp, Status>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let method = method_name(path);
        let deadline = self.deadline_of(method);
        let req = self.request(msg, deadline.as_ref().map(|d| d.0));
        let channel = self.channel();
        self.timed(method, deadline, async move {
            let mut grpc = ready(channel).await?;
            let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
            Ok(grpc
                .unary(req, PathAndQuery::from_static(path), codec)
                .await?
                .into_inner())
        })
        .await
    }

    /// A server-streaming call; the deadline covers opening it (the caller bounds each message).
    pub async fn server_streaming<Req, Resp>(
        &self,
        path: &'static str,
        msg: Req,
        open_within: Duration,
    ) -> Result<Streaming<Resp>, Status>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let method = method_name(path);
        let source = "bound on opening a stream".to_string();
        let req = self.request(msg, None);
        let channel = self.channel();
        self.timed(method, Some((open_within, source)), async move {
            let mut grpc = ready(channel).await?;
            let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
            Ok(grpc
                .server_streaming(req, PathAndQuery::from_static(path), codec)
                .await?
                .into_inner())
        })
        .await
    }

    /// A bidirectional call that sends `parts`, half-closes, and takes the first answer
    /// (ExecuteTaskSync). `deadline` replaces the per-call one when given (the attempt's).
    pub async fn stream_first<Req, Resp>(
        &self,
        path: &'static str,
        parts: Vec<Req>,
        deadline: Option<Duration>,
    ) -> Result<Option<Resp>, Status>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let method = method_name(path);
        let deadline = match deadline {
            Some(d) => Some((
                d,
                "attempt's timeout (the template's metadata.timeout)".to_string(),
            )),
            None => self.deadline_of(method),
        };
        let req = self.request(tokio_stream::iter(parts), deadline.as_ref().map(|d| d.0));
        let channel = self.channel();
        self.timed(method, deadline, async move {
            let mut grpc = ready(channel).await?;
            let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
            let mut stream = grpc
                .streaming(req, PathAndQuery::from_static(path), codec)
                .await?
                .into_inner();
            stream.message().await
        })
        .await
    }

    /// grpc.health.v1 Check for one service name (`""` for the whole server): the serving
    /// status's name, or the call's status (NOT_FOUND for a name the server does not know).
    pub async fn health(&self, service: &str) -> Result<String, Status> {
        use tonic_health::pb::{
            HealthCheckRequest, HealthCheckResponse, health_check_response::ServingStatus,
        };
        let resp: HealthCheckResponse = self
            .unary(
                "/grpc.health.v1.Health/Check",
                HealthCheckRequest {
                    service: service.to_string(),
                },
            )
            .await?;
        Ok(ServingStatus::try_from(resp.status)
            .map(|s| s.as_str_name().to_string())
            .unwrap_or_else(|_| resp.status.to_string()))
    }
}

/// A client on `channel` once it can take a call (the connection is made here).
async fn ready(channel: Channel) -> Result<tonic::client::Grpc<Channel>, Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(format!("the service was not ready: {e}")))?;
    Ok(grpc)
}

fn method_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn read_pem(path: &PathBuf, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::input(format!("{what} {}: {e}", path.display())))
}

fn tls_config(target: &Target, opts: &ConnectOptions) -> Result<ClientTlsConfig> {
    let mut cfg = ClientTlsConfig::new().with_native_roots();
    // verify the certificate against the name the user wrote, even when dialling a resolved IP
    let name = opts
        .authority
        .as_deref()
        .map(|a| a.rsplit_once(':').map(|(h, _)| h).unwrap_or(a))
        .unwrap_or_else(|| target.host());
    cfg = cfg.domain_name(name.to_string());
    if let Some(ca) = &opts.ca_cert {
        cfg = cfg.ca_certificate(Certificate::from_pem(read_pem(ca, "--ca-cert")?));
    }
    match (&opts.client_cert, &opts.client_key) {
        (Some(c), Some(k)) => {
            cfg = cfg.identity(Identity::from_pem(
                read_pem(c, "--client-cert")?,
                read_pem(k, "--client-key")?,
            ))
        }
        (None, None) => {}
        _ => {
            return Err(Error::input(
                "--client-cert and --client-key go together (mutual TLS needs both)",
            ));
        }
    }
    Ok(cfg)
}

/// `name: value`, with `${VAR}` in the value read from the environment. No message here ever
/// holds the value: it is usually a secret.
pub fn parse_header(h: &str) -> Result<Header> {
    let Some((name, value)) = h.split_once(':') else {
        let shown: String = h
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        return Err(Error::input(format!(
            "--header {shown:?}…: not `name: value` (no colon); write it as -H 'name: value'"
        )));
    };
    let mut expanded = String::new();
    let mut rest = value.trim();
    while let Some(start) = rest.find("${") {
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| Error::input(format!("--header {name}: unclosed ${{ in the value")))?
            + start;
        let var = &rest[start + 2..end];
        let v = std::env::var(var).map_err(|_| {
            Error::input(format!(
                "--header {name}: environment variable {var} is not set"
            ))
        })?;
        expanded.push_str(&rest[..start]);
        expanded.push_str(&v);
        rest = &rest[end + 1..];
    }
    expanded.push_str(rest);
    let key = MetadataKey::from_bytes(name.trim().to_ascii_lowercase().as_bytes())
        .map_err(|_| Error::input(format!("--header: {name:?} is not a valid metadata name")))?;
    let value = expanded
        .parse()
        .map_err(|_| Error::input(format!("--header {name}: the value is not printable ASCII")))?;
    Ok((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_targets_spread_over_every_address_unless_the_config_says_pick_first() {
        let resolver = |_: &str| {
            Ok(vec![
                "127.0.0.1:7000".parse().unwrap(),
                "127.0.0.2:7000".parse().unwrap(),
            ])
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _g = rt.enter();
        let t = Target::parse("dns:///agents.local:7000").unwrap();
        let opts = ConnectOptions::default();
        let a = Transport::connect_with(t.clone(), &opts, Dial::plain(), &resolver).unwrap();
        assert_eq!(a.addresses(), 2);
        let pick_first = Dial {
            round_robin: false,
            ..Dial::plain()
        };
        let a = Transport::connect_with(t, &opts, pick_first, &resolver).unwrap();
        assert_eq!(a.addresses(), 1);
        let plain = Transport::connect_with(
            Target::parse("127.0.0.1:7000").unwrap(),
            &opts,
            Dial::plain(),
            &resolver,
        )
        .unwrap();
        assert_eq!(plain.addresses(), 1);
    }

    #[test]
    fn headers_are_name_value_and_unset_variables_are_an_error() {
        let (k, v) = parse_header("X-Team: data eng").unwrap();
        assert_eq!((k.as_str(), v.to_str().unwrap()), ("x-team", "data eng"));
        let e = parse_header("authorization: Bearer ${AGENTCTL_TEST_UNSET_TOKEN}")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("AGENTCTL_TEST_UNSET_TOKEN is not set") && !e.contains("Bearer"),
            "{e}"
        );
        // without a colon, the value is not echoed: only the leading name-like part is
        let e = parse_header("Bearer s3cr3t-token").unwrap_err().to_string();
        assert!(!e.contains("s3cr3t"), "{e}");
    }

    #[test]
    fn call_timeout_beats_configured_deadlines() {
        let mut by = BTreeMap::new();
        by.insert(
            "GetTask".to_string(),
            (Duration::from_secs(3), "cfg".to_string()),
        );
        let d = Deadlines::configured(by, None);
        assert_eq!(d.of("GetTask").unwrap().0, Duration::from_secs(3));
        assert!(d.of("CreateTask").is_none());
        let d = d.overridden(Some(Duration::from_millis(250)));
        assert_eq!(d.of("CreateTask").unwrap().0, Duration::from_millis(250));
        assert_eq!(
            Deadlines::default().of("ListAgents").unwrap().0,
            DEFAULT_CALL_TIMEOUT
        );
    }
}
