//! Secrets for agents that need them, found where flytekit's `get_connector_secret` finds them:
//! the environment variable `<prefix><KEY>` (prefix from `FLYTE_SECRETS_ENV_PREFIX`, `_FSEC_` by
//! default), then — only when running locally, not under `agentctl serve` — `<KEY>` itself,
//! then the file `<FLYTE_SECRETS_DEFAULT_DIR or /etc/secrets>/<FLYTE_SECRETS_FILE_PREFIX><key>`.
//! Variables may come from `.env`, which agentctl loads before anything runs. Values are never
//! printed: errors name the places looked in, not what was found.
//!
//! A Flyte 2 call's `connection.secrets` come before all of these ([`with_connection`]).
//!
//! Keys are names, not paths: a template under `serve` is written by whoever submits the task,
//! and must not be able to name `/proc/self/environ` or any variable of the server's.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::wire::Connection;

tokio::task_local! {
    /// The Flyte 2 `connection.secrets` of the call being served: the first place looked.
    static CONNECTION: BTreeMap<String, String>;
}

/// Runs `f` with `secrets` (a Flyte 2 call's `connection.secrets`) as the first place any
/// [`lookup`] inside it looks.
pub async fn with_connection<F: Future>(secrets: BTreeMap<String, String>, f: F) -> F::Output {
    CONNECTION.scope(secrets, f).await
}

/// A connection's secrets by name, as [`with_connection`] takes them.
pub fn connection_values(c: &Connection) -> BTreeMap<String, String> {
    c.secrets
        .iter()
        .map(|(k, s)| (k.clone(), s.value.clone()))
        .collect()
}

static SERVING: AtomicBool = AtomicBool::new(false);

/// From now on this process serves agents to others: a bare `<KEY>` variable is no longer a
/// secret (flytekit reads it only in local executions).
pub fn serving() {
    SERVING.store(true, Ordering::Relaxed);
}

/// The secret `key`, or a message saying why there is none (an invalid key, or the places it
/// was looked for). Never the value of anything.
pub fn lookup(key: &str) -> Result<String, String> {
    if let Ok(Some(v)) = CONNECTION.try_with(|c| c.get(key).cloned()) {
        return Ok(v);
    }
    let env = |k: &str| std::env::var(k).ok();
    let local = !SERVING.load(Ordering::Relaxed);
    if !valid(key) {
        return Err(format!(
            "{key:?} is not a secret name: use letters, digits, '_' and '-'"
        ));
    }
    let found = get_with(key, local, &env);
    // in a local run every secret found is masked wherever it is echoed (under serve the
    // values belong to the server, and its callers' output is theirs)
    if local && let Some(v) = &found {
        crate::mask::register(v);
    }
    found.ok_or_else(|| {
        format!(
            "the secret {key} is not set: looked for {} (the environment or .env)",
            places_with(key, local, &env)
        )
    })
}

fn valid(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn prefix(env: &dyn Fn(&str) -> Option<String>) -> String {
    env("FLYTE_SECRETS_ENV_PREFIX").unwrap_or_else(|| "_FSEC_".into())
}

fn file(key: &str, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    let dir = env("FLYTE_SECRETS_DEFAULT_DIR").unwrap_or_else(|| "/etc/secrets".into());
    let file_prefix = env("FLYTE_SECRETS_FILE_PREFIX").unwrap_or_default();
    PathBuf::from(dir).join(format!("{file_prefix}{}", key.to_lowercase()))
}

fn get_with(key: &str, local: bool, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let upper = key.to_uppercase();
    env(&format!("{}{upper}", prefix(env)))
        .or_else(|| if local { env(&upper) } else { None })
        .or_else(|| {
            std::fs::read_to_string(file(key, env))
                .ok()
                .map(|s| s.trim_end_matches(['\n', '\r']).to_string())
        })
}

fn places_with(key: &str, local: bool, env: &dyn Fn(&str) -> Option<String>) -> String {
    let upper = key.to_uppercase();
    let bare = if local {
        format!(", ${upper}")
    } else {
        String::new()
    };
    format!(
        "${}{upper}{bare} or {}",
        prefix(env),
        file(key, env).display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn lookup_order_follows_flytekit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pre_api_key"), "from-file\n").unwrap();
        let d = dir.path().to_str().unwrap();
        let all = env_of(&[
            ("_FSEC_API_KEY", "prefixed"),
            ("API_KEY", "plain"),
            ("FLYTE_SECRETS_DEFAULT_DIR", d),
            ("FLYTE_SECRETS_FILE_PREFIX", "pre_"),
        ]);
        assert_eq!(get_with("api_key", true, &all).as_deref(), Some("prefixed"));
        let no_prefixed = env_of(&[
            ("API_KEY", "plain"),
            ("FLYTE_SECRETS_DEFAULT_DIR", d),
            ("FLYTE_SECRETS_FILE_PREFIX", "pre_"),
        ]);
        assert_eq!(
            get_with("api_key", true, &no_prefixed).as_deref(),
            Some("plain")
        );
        let file_only = env_of(&[
            ("FLYTE_SECRETS_DEFAULT_DIR", d),
            ("FLYTE_SECRETS_FILE_PREFIX", "pre_"),
        ]);
        assert_eq!(
            get_with("api_key", true, &file_only).as_deref(),
            Some("from-file")
        );
        let custom_prefix = env_of(&[
            ("FLYTE_SECRETS_ENV_PREFIX", "MY_"),
            ("MY_API_KEY", "custom"),
            ("_FSEC_API_KEY", "ignored"),
        ]);
        assert_eq!(
            get_with("api_key", true, &custom_prefix).as_deref(),
            Some("custom")
        );
        let nothing = env_of(&[("FLYTE_SECRETS_DEFAULT_DIR", d)]);
        assert_eq!(get_with("missing", true, &nothing), None);
        let where_ = places_with("api_key", true, &nothing);
        assert!(
            where_.contains("$_FSEC_API_KEY") && where_.contains("api_key"),
            "{where_}"
        );
        // serving others: the bare variable is not a secret
        assert_eq!(
            get_with("api_key", false, &no_prefixed).as_deref(),
            Some("from-file")
        );
        assert!(!places_with("api_key", false, &nothing).contains("$API_KEY"));
    }

    #[test]
    fn keys_are_names_not_paths() {
        assert!(valid("api_key") && valid("hook-token") && valid("X1"));
        for bad in ["", "/proc/self/environ", "../x", "a.b", "a b", "a/b"] {
            assert!(!valid(bad), "{bad:?}");
        }
    }
}
