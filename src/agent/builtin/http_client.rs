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
