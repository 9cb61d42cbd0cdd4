//! An agent service reached over gRPC: target parsing (`host:port`, `dns:///`, `http://`,
//! `https://`), TLS (system roots, a CA, a client identity), request metadata, round-robin over
//! every address a `dns:///` target resolves to, per-method deadlines as propeller sets them,
//! and the calls propeller makes.

use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio_stream::StreamExt;
use tonic::metadata::{MetadataKey, MetadataValue};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Code, Request, Status};

use super::Agent;
use crate::config::Deployment;
use crate::error::{Error, Result};
use crate::pb::service::{
    agent_metadata_service_client::AgentMetadataServiceClient,
    async_agent_service_client::AsyncAgentServiceClient,
    sync_agent_service_client::SyncAgentServiceClient,
};
use crate::pb::{admin, core};

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
/// request metadata and an authority override.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub ca_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// `name: value`; `${VAR}` in a value is read from the environment, so a token never sits in
    /// shell history.
    pub headers: Vec<String>,
    pub authority: Option<String>,
}

/// Where the agent's settings came from, for deadlines and for messages.
#[derive(Debug, Clone)]
pub struct Configured {
    pub deployment: Deployment,
    pub config_path: PathBuf,
}

#[derive(Clone)]
pub struct GrpcAgent {
    target: Target,
    channels: Arc<Vec<Channel>>,
    next: Arc<AtomicUsize>,
    headers: Arc<
        Vec<(
            MetadataKey<tonic::metadata::Ascii>,
            MetadataValue<tonic::metadata::Ascii>,
        )>,
    >,
    configured: Option<Arc<Configured>>,
    /// Set when routing already learnt sync or async, so ListAgents is not asked twice.
    sync_hint: Option<bool>,
}

/// What resolves a host and port to addresses; tests inject their own.
pub type Resolver = dyn Fn(&str) -> std::io::Result<Vec<std::net::SocketAddr>>;

fn system_resolver(authority: &str) -> std::io::Result<Vec<std::net::SocketAddr>> {
    Ok(authority.to_socket_addrs()?.collect())
}

impl GrpcAgent {
    /// A plain `--endpoint` with no configuration: no deadlines, round-robin for `dns:///`.
    pub fn new(target: Target) -> Result<Self> {
        Self::connect(target, &ConnectOptions::default(), None)
    }

    pub fn connect(
        target: Target,
        opts: &ConnectOptions,
        configured: Option<Configured>,
    ) -> Result<Self> {
        Self::connect_with(target, opts, configured, &system_resolver)
    }

    /// Builds lazy channels: nothing is dialled until the first call, so a bad address surfaces
    /// as that call's UNAVAILABLE with the address in the message.
    pub fn connect_with(
        target: Target,
        opts: &ConnectOptions,
        configured: Option<Configured>,
        resolve: &Resolver,
    ) -> Result<Self> {
        let tls = match &configured {
            Some(c) => !c.deployment.insecure || target.tls,
            None => target.tls,
        };
        let round_robin = target.resolve_all
            && configured
                .as_ref()
                .is_none_or(|c| c.deployment.round_robin());
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
                .connect_timeout(Duration::from_secs(10))
                .tcp_nodelay(true);
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
        Ok(GrpcAgent {
            target,
            channels: Arc::new(channels),
            next: Arc::new(AtomicUsize::new(0)),
            headers: Arc::new(headers),
            configured: configured.map(Arc::new),
            sync_hint: None,
        })
    }

    pub fn with_sync(mut self, is_sync: bool) -> Self {
        self.sync_hint = Some(is_sync);
        self
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// How many addresses calls are spread over.
    pub fn addresses(&self) -> usize {
        self.channels.len()
    }

    fn channel(&self) -> Channel {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.channels.len();
        self.channels[i].clone()
    }

    fn request<T>(&self, method: &str, msg: T) -> (Request<T>, Option<Duration>) {
        let mut req = Request::new(msg);
        for (k, v) in self.headers.iter() {
            req.metadata_mut().insert(k.clone(), v.clone());
        }
        let deadline = self.deadline(method).map(|(d, _)| d.value);
        if let Some(d) = deadline {
            req.set_timeout(d);
        }
        (req, deadline)
    }

    fn deadline(&self, method: &str) -> Option<(crate::config::GoDuration, String)> {
        self.configured.as_ref()?.deployment.deadline(method)
    }

    /// Runs one call under its deadline, and words a deadline error so that it cannot be
    /// mistaken for the task's own timeout (flytekit#2439).
    async fn call<T>(
        &self,
        method: &str,
        fut: impl std::future::Future<Output = Result<T, Status>>,
        deadline: Option<Duration>,
    ) -> Result<T, Status> {
        let r = match deadline {
            Some(d) => tokio::time::timeout(d, fut)
                .await
                .unwrap_or_else(|_| Err(Status::deadline_exceeded("Timeout expired"))),
            None => fut.await,
        };
        r.map_err(|s| {
            let timed_out = matches!(s.code(), Code::DeadlineExceeded) || (s.code() == Code::Cancelled && s.message().contains("Timeout expired"));
            match (timed_out, self.deadline(method), &self.configured) {
                (true, Some((d, key)), Some(c)) => Status::deadline_exceeded(format!(
                    "no answer within the {} RPC deadline of deployment {} ({key} in {}); this is the per-call deadline, not the task's timeout: raise it there",
                    d.text,
                    c.deployment.name,
                    c.config_path.display()
                )),
                _ => s,
            }
        })
    }

    pub async fn list_agents(&self) -> Result<Vec<admin::Agent>, Status> {
        let method = self
            .configured
            .as_ref()
            .map(|_| self.discovery_method())
            .unwrap_or("ListAgents");
        let (req, d) = self.request(method, admin::ListAgentsRequest {});
        let mut c = AgentMetadataServiceClient::new(self.channel());
        self.call(
            method,
            async { Ok(c.list_agents(req).await?.into_inner().agents) },
            d,
        )
        .await
    }

    fn discovery_method(&self) -> &'static str {
        match self.configured.as_ref().map(|c| {
            c.deployment
                .key_path
                .starts_with("plugins.connector-service")
        }) {
            Some(true) => "ListConnectors",
            _ => "ListAgents",
        }
    }

    pub async fn get_agent(&self, name: &str) -> Result<Option<admin::Agent>, Status> {
        let (req, d) = self.request(
            "GetAgent",
            admin::GetAgentRequest {
                name: name.to_string(),
            },
        );
        let mut c = AgentMetadataServiceClient::new(self.channel());
        self.call(
            "GetAgent",
            async { Ok(c.get_agent(req).await?.into_inner().agent) },
            d,
        )
        .await
    }

    /// grpc.health.v1 Check for the whole server.
    pub async fn health(&self) -> Result<String, Status> {
        use tonic_health::pb::{
            HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
        };
        let (req, d) = self.request(
            "Check",
            HealthCheckRequest {
                service: String::new(),
            },
        );
        let mut c = HealthClient::new(self.channel());
        let status = self
            .call(
                "Check",
                async { Ok(c.check(req).await?.into_inner().status) },
                d.or(Some(Duration::from_secs(5))),
            )
            .await?;
        Ok(ServingStatus::try_from(status)
            .map(|s| s.as_str_name().to_string())
            .unwrap_or_else(|_| status.to_string()))
    }
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

/// `name: value`, with `${VAR}` in the value read from the environment.
fn parse_header(
    h: &str,
) -> Result<(
    MetadataKey<tonic::metadata::Ascii>,
    MetadataValue<tonic::metadata::Ascii>,
)> {
    let (name, value) = h
        .split_once(':')
        .ok_or_else(|| Error::input(format!("--header {h:?} is not `name: value`")))?;
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
    // never echo the value: it is usually a secret
    let value = expanded
        .parse()
        .map_err(|_| Error::input(format!("--header {name}: the value is not printable ASCII")))?;
    Ok((key, value))
}

/// Whether `agents` (a ListAgents answer) serves `category` synchronously, as propeller's
/// registry decides: categories first, the deprecated type names at version 0 before them.
pub fn route_is_sync(agents: &[admin::Agent], category: &admin::TaskCategory) -> Option<bool> {
    let mut found = None;
    for a in agents {
        #[allow(deprecated)]
        let by_name = category.version == 0 && a.supported_task_types.contains(&category.name);
        let by_category = a
            .supported_task_categories
            .iter()
            .any(|c| c.name == category.name && c.version == category.version);
        if by_name || by_category {
            found = Some(a.is_sync);
        }
    }
    found
}

impl Agent for GrpcAgent {
    fn location(&self) -> String {
        match &self.configured {
            Some(c) => format!("{} ({})", self.target.original, c.deployment.name),
            None => self.target.original.clone(),
        }
    }

    async fn is_sync(&self, category: &admin::TaskCategory) -> Result<bool, Status> {
        if let Some(known) = self.sync_hint {
            return Ok(known);
        }
        match self.list_agents().await {
            Ok(agents) => Ok(route_is_sync(&agents, category).unwrap_or(false)),
            Err(s) if s.code() == Code::Unimplemented => Ok(false),
            Err(s) => Err(s),
        }
    }

    async fn create(
        &self,
        req: admin::CreateTaskRequest,
    ) -> Result<admin::CreateTaskResponse, Status> {
        let (req, d) = self.request("CreateTask", req);
        let mut c = AsyncAgentServiceClient::new(self.channel());
        self.call(
            "CreateTask",
            async { Ok(c.create_task(req).await?.into_inner()) },
            d,
        )
        .await
    }

    async fn get(&self, req: admin::GetTaskRequest) -> Result<admin::Resource, Status> {
        let (req, d) = self.request("GetTask", req);
        let mut c = AsyncAgentServiceClient::new(self.channel());
        self.call(
            "GetTask",
            async {
                Ok(c.get_task(req)
                    .await?
                    .into_inner()
                    .resource
                    .unwrap_or_default())
            },
            d,
        )
        .await
    }

    async fn delete(&self, req: admin::DeleteTaskRequest) -> Result<(), Status> {
        let (req, d) = self.request("DeleteTask", req);
        let mut c = AsyncAgentServiceClient::new(self.channel());
        self.call(
            "DeleteTask",
            async { c.delete_task(req).await.map(|_| ()) },
            d,
        )
        .await
    }

    async fn execute_sync(
        &self,
        header: admin::CreateRequestHeader,
        inputs: core::LiteralMap,
    ) -> Result<admin::Resource, Status> {
        use admin::execute_task_sync_request::Part;
        // Header, then the inputs, then half-close: exactly what propeller sends.
        let parts = vec![
            admin::ExecuteTaskSyncRequest {
                part: Some(Part::Header(header)),
            },
            admin::ExecuteTaskSyncRequest {
                part: Some(Part::Inputs(inputs)),
            },
        ];
        let (req, d) = self.request("ExecuteTaskSync", tokio_stream::iter(parts));
        let mut c = SyncAgentServiceClient::new(self.channel());
        let fut = async {
            let mut stream = c.execute_task_sync(req).await?.into_inner();
            match stream.next().await {
                Some(Ok(admin::ExecuteTaskSyncResponse {
                    res: Some(admin::execute_task_sync_response::Res::Header(h)),
                })) => Ok(h.resource.unwrap_or_default()),
                Some(Ok(_)) | None => Err(Status::internal(
                    "expected header in the response, but got none",
                )),
                Some(Err(s)) => Err(s),
            }
        };
        self.call("ExecuteTaskSync", fut, d).await
    }
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
        let a = GrpcAgent::connect_with(t.clone(), &ConnectOptions::default(), None, &resolver)
            .unwrap();
        assert_eq!(a.addresses(), 2);
        let text = "plugins:\n  agent-service:\n    defaultAgent:\n      endpoint: dns:///agents.local:7000\n      defaultServiceConfig: '{}'\n";
        let cfg = crate::config::parse(text, std::path::Path::new("c.yaml")).unwrap();
        let configured = Configured {
            deployment: cfg.plugins[0].default.clone(),
            config_path: "c.yaml".into(),
        };
        let a = GrpcAgent::connect_with(t, &ConnectOptions::default(), Some(configured), &resolver)
            .unwrap();
        assert_eq!(a.addresses(), 1);
        let plain = GrpcAgent::connect_with(
            Target::parse("127.0.0.1:7000").unwrap(),
            &ConnectOptions::default(),
            None,
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
        assert!(parse_header("no colon").is_err());
    }
}
