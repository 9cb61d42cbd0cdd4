//! The HTTPS client the built-in agents share (webhook calls, BigQuery's API), and the rustls
//! crypto provider it and `google-cloud-auth`'s own clients need.

use std::sync::OnceLock;

/// Makes ring rustls's process-wide provider. reqwest and google-cloud-auth are built without
/// one of their own (their default is aws-lc, a C build this crate avoids), so this must run
/// before either makes a TLS client. Idempotent.
pub(super) fn install_crypto_provider() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        // Err means another provider is already installed, which serves as well
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Built on first use: loading the system's CA roots costs milliseconds and memory that a run
/// of a task type with no HTTP agent should not pay.
pub(super) fn shared() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        install_crypto_provider();
        reqwest::Client::new()
    })
}

/// An error with the errors under it: reqwest and google-cloud-auth keep what went wrong (the
/// refused connection, the token endpoint's answer) in `source()`, not in their own message.
pub(super) fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// A random (version 4) UUID, for ids a client chooses so that a retried call is recognised:
/// BigQuery job ids, Databricks idempotency tokens, Snowflake request ids.
pub fn uuid_v4(what: &str) -> Result<String, tonic::Status> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| tonic::Status::internal(format!("no randomness for {what}")))?;
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// A REST URL: `$env_var` (tests, private links) or `default_base`, then `path` as segments
/// (each percent-encoded: a caller's name never turns into another path) and `query`. A bad
/// base is the agent's configuration, not the caller's request: FAILED_PRECONDITION.
pub fn api_url(
    service: &str,
    env_var: &str,
    default_base: &str,
    path: &[&str],
    query: &[(&str, &str)],
) -> Result<reqwest::Url, tonic::Status> {
    let base = std::env::var(env_var)
        .ok()
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| default_base.to_string());
    let mut url = reqwest::Url::parse(&base).map_err(|e| {
        tonic::Status::failed_precondition(format!(
            "the {service} endpoint {base:?} is not a URL: {e}"
        ))
    })?;
    url.path_segments_mut()
        .map_err(|()| tonic::Status::failed_precondition(format!("{base:?} cannot be a base URL")))?
        .pop_if_empty()
        .extend(path);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}
