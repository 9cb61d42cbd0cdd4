//! Secrets never printed: every secret value agentctl knows of (header values given with `-H`,
//! webhook secrets, Flyte 2 `connection` secrets) is registered here, and everything printed
//! passes through [`apply`], which replaces each value in every form a server may echo it in:
//! raw, JSON-escaped (serde's, Go's `\u003c` style, Python's `ensure_ascii`), percent-encoded
//! (form and path) and base64 (standard and URL-safe, padded or not).

use std::sync::{LazyLock, Mutex};

use base64::Engine as _;

static SECRETS: LazyLock<Mutex<Vec<String>>> = LazyLock::new(Default::default);

/// Values shorter than this are not masked: masking `a` or `1` would garble every message.
const MIN_LEN: usize = 4;

/// Adds `value` to what [`apply`] masks.
pub fn register(value: &str) {
    if value.len() < MIN_LEN {
        return;
    }
    if let Ok(mut s) = SECRETS.lock()
        && !s.iter().any(|v| v == value)
    {
        s.push(value.to_string());
    }
}

/// Adds a header value: the whole of it, and for `<scheme> <credential>` (`Bearer tok`) the
/// credential alone, which a server is as likely to echo.
pub fn register_header(value: &str) {
    register(value);
    if let Some((_, credential)) = value.trim().split_once(char::is_whitespace) {
        register(credential.trim());
    }
}

/// `text` with every registered secret masked as `****`.
pub fn apply(text: &str) -> String {
    let secrets = SECRETS.lock().map(|s| s.clone()).unwrap_or_default();
    mask_values(text, &secrets)
}

/// `text` with each of `values` masked in every form it may be echoed in.
pub fn mask_values(text: &str, values: &[String]) -> String {
    let mut forms: Vec<String> = values
        .iter()
        .filter(|v| !v.is_empty())
        .flat_map(|v| forms_of(v))
        .collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    let mut text = text.to_string();
    for f in forms {
        if !f.is_empty() && text.contains(&f) {
            text = text.replace(&f, "****");
        }
    }
    text
}

fn forms_of(v: &str) -> Vec<String> {
    let mut forms = vec![v.to_string()];
    let json = serde_json::Value::String(v.to_string()).to_string();
    forms.push(json[1..json.len() - 1].to_string());
    let escape_if = |pred: &dyn Fn(char) -> bool| -> String {
        v.chars()
            .map(|c| {
                if pred(c) {
                    let mut buf = [0u16; 2];
                    c.encode_utf16(&mut buf)
                        .iter()
                        .map(|u| format!("\\u{u:04x}"))
                        .collect()
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    // Go's encoding/json escapes <, > and & (and non-ASCII is kept); Python's ensure_ascii
    // escapes everything outside ASCII
    forms.push(escape_if(&|c| matches!(c, '<' | '>' | '&')));
    forms.push(escape_if(&|c| !c.is_ascii()));
    forms.push(escape_if(&|c| !c.is_ascii_alphanumeric()));
    let form: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
    forms.push(form.replace('+', "%20"));
    forms.push(form);
    for engine in [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::URL_SAFE,
    ] {
        let b = engine.encode(v);
        forms.push(b.trim_end_matches('=').to_string());
        forms.push(b);
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_echoed_form_is_masked() {
        let v = vec!["s3cr<t&/ü x".to_string()];
        for form in forms_of(&v[0]) {
            let masked = mask_values(&format!("echo: {form}!"), &v);
            assert_eq!(masked, "echo: ****!", "form {form:?}");
        }
        assert_eq!(mask_values("nothing here", &v), "nothing here");
    }

    #[test]
    fn registered_values_are_masked_and_short_ones_are_not() {
        register("tok-123456");
        register("ab");
        assert_eq!(apply("Bearer tok-123456 ab"), "Bearer **** ab");
    }
}
