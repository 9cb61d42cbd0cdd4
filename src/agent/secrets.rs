//! Secrets for agents that need them, found where flytekit's `get_connector_secret` finds them
//! when it runs locally: the environment variable `<prefix><KEY>` (prefix from
//! `FLYTE_SECRETS_ENV_PREFIX`, `_FSEC_` by default), then `<KEY>` itself, then the file
//! `<FLYTE_SECRETS_DEFAULT_DIR or /etc/secrets>/<FLYTE_SECRETS_FILE_PREFIX><key>`. Variables
//! may come from `.env`, which agentctl loads before anything runs. Values are never printed:
//! errors name the places looked in, not what was found.

use std::path::PathBuf;

/// Where a secret was looked for, for a message when it is missing.
pub fn places(key: &str) -> String {
    places_with(key, &|k| std::env::var(k).ok())
}

/// The secret `key`, or None.
pub fn get(key: &str) -> Option<String> {
    get_with(key, &|k| std::env::var(k).ok())
}

fn prefix(env: &dyn Fn(&str) -> Option<String>) -> String {
    env("FLYTE_SECRETS_ENV_PREFIX").unwrap_or_else(|| "_FSEC_".into())
}

fn file(key: &str, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    let dir = env("FLYTE_SECRETS_DEFAULT_DIR").unwrap_or_else(|| "/etc/secrets".into());
    let file_prefix = env("FLYTE_SECRETS_FILE_PREFIX").unwrap_or_default();
    PathBuf::from(dir).join(format!("{file_prefix}{}", key.to_lowercase()))
}

fn get_with(key: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let upper = key.to_uppercase();
    env(&format!("{}{upper}", prefix(env)))
        .or_else(|| env(&upper))
        .or_else(|| {
            std::fs::read_to_string(file(key, env))
                .ok()
                .map(|s| s.trim_end_matches(['\n', '\r']).to_string())
        })
}

fn places_with(key: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let upper = key.to_uppercase();
    format!(
        "${}{upper}, ${upper} or {}",
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
        assert_eq!(get_with("api_key", &all).as_deref(), Some("prefixed"));
        let no_prefixed = env_of(&[
            ("API_KEY", "plain"),
            ("FLYTE_SECRETS_DEFAULT_DIR", d),
            ("FLYTE_SECRETS_FILE_PREFIX", "pre_"),
        ]);
        assert_eq!(get_with("api_key", &no_prefixed).as_deref(), Some("plain"));
        let file_only = env_of(&[
            ("FLYTE_SECRETS_DEFAULT_DIR", d),
            ("FLYTE_SECRETS_FILE_PREFIX", "pre_"),
        ]);
        assert_eq!(
            get_with("api_key", &file_only).as_deref(),
            Some("from-file")
        );
        let custom_prefix = env_of(&[
            ("FLYTE_SECRETS_ENV_PREFIX", "MY_"),
            ("MY_API_KEY", "custom"),
            ("_FSEC_API_KEY", "ignored"),
        ]);
        assert_eq!(
            get_with("api_key", &custom_prefix).as_deref(),
            Some("custom")
        );
        let nothing = env_of(&[("FLYTE_SECRETS_DEFAULT_DIR", d)]);
        assert_eq!(get_with("missing", &nothing), None);
        let where_ = places_with("api_key", &nothing);
        assert!(
            where_.contains("$_FSEC_API_KEY") && where_.contains("api_key"),
            "{where_}"
        );
    }
}
