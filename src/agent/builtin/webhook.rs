//! flytekit's webhook agent (task type `webhook`, sync): one HTTP call described by the
//! template's `custom` (`url`, `method`, `headers`, `data`, `show_data`, `show_url`,
//! `timeout_sec`), with `{inputs.x}` placeholders filled from the inputs, answering the `info`
//! output as flytekit's `WebhookConnector` does.
//!
//! `{secrets.KEY}` placeholders (which flytekit's `WebhookTask` documents as coming) are filled
//! from [`super::secrets`], so a webhook URL or token need not sit in the template. Secret
//! values go only into the request: the `info` output, errors and logs show `****`.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::SyncAgent;
use crate::literal;
use crate::pb::{admin, core};

pub struct Webhook;

/// A value as Python's `str()` writes it, which is what flytekit's `format_dict` substitutes.
fn python_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or_default();
            if f.fract() == 0.0 && f.abs() < 1e16 {
                format!("{f:.1}")
            } else {
                f.to_string()
            }
        }
        other => other.to_string(),
    }
}

/// flytekit's `format_dict`: `{a.b}` placeholders are looked up in `vars`; a string that is
/// exactly one placeholder becomes the value itself, otherwise its text is substituted.
fn format_value(v: &Value, vars: &Value) -> Result<Value, String> {
    match v {
        Value::String(s) if s.contains('{') && s.contains('}') => {
            let mut out = s.clone();
            let mut rest = s.as_str();
            while let Some(start) = rest.find('{') {
                let Some(len) = rest[start..].find('}') else {
                    break;
                };
                let key = &rest[start + 1..start + len];
                rest = &rest[start + len + 1..];
                if !key.contains('.') {
                    continue;
                }
                let mut value = vars;
                for part in key.split('.') {
                    value = value
                        .get(part)
                        .ok_or_else(|| format!("Could not find the key {part} in the inputs."))?;
                }
                if *s == format!("{{{key}}}") {
                    return Ok(value.clone());
                }
                out = out.replace(&format!("{{{key}}}"), &python_str(value));
            }
            Ok(Value::String(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|i| format_value(i, vars))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(map) => map
            .iter()
            .map(|(k, x)| Ok((k.clone(), format_value(x, vars)?)))
            .collect::<Result<Map<_, _>, String>>()
            .map(Value::Object),
        other => Ok(other.clone()),
    }
}

/// The secrets `{secrets.KEY}` placeholders in `custom` name, found by [`super::secrets`], and
/// the same keys with masked values; a missing one is an error naming where it was
/// looked for.
fn secrets_for(custom: &Value) -> Result<(Value, Value), String> {
    let mut keys = Vec::new();
    collect_secret_keys(custom, &mut keys);
    let (mut found, mut masked) = (Map::new(), Map::new());
    for key in keys {
        let value = super::secrets::lookup(&key)
            .map_err(|why| format!("the webhook's {{secrets.{key}}}: {why}"))?;
        found.insert(key.clone(), value.into());
        masked.insert(key, "****".into());
    }
    Ok((Value::Object(found), Value::Object(masked)))
}

/// `text` with every secret value in `secrets` replaced by `****`, as sent and in the forms a
/// server echoes it in (JSON-escaped, URL-encoded); longest first, so a secret inside another
/// does not leave the rest of the longer one showing.
fn mask(text: String, secrets: &Value) -> String {
    let values: Vec<String> = secrets
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    crate::mask::mask_values(&text, &values)
}

fn collect_secret_keys(v: &Value, keys: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            for part in s.split("{secrets.").skip(1) {
                if let Some(key) = part.split('}').next().filter(|k| !k.is_empty())
                    && !keys.iter().any(|k| k == key)
                {
                    keys.push(key.to_string());
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_secret_keys(i, keys)),
        Value::Object(map) => map.values().for_each(|i| collect_secret_keys(i, keys)),
        _ => {}
    }
}

fn failed(message: String) -> admin::Resource {
    admin::Resource {
        phase: core::task_execution::Phase::Failed as i32,
        message,
        ..Default::default()
    }
}

impl Webhook {
    async fn call(
        &self,
        header: &admin::CreateRequestHeader,
        inputs: &core::LiteralMap,
    ) -> Result<admin::Resource, String> {
        let t = header.template.as_ref().ok_or("no template")?;
        let custom = t
            .custom
            .as_ref()
            .map(literal::struct_to_json)
            .unwrap_or(Value::Null);
        let inputs = literal::map_to_plain_json(inputs);
        let (secrets, masked) = secrets_for(&custom)?;
        let spec = format_value(&custom, &json!({"inputs": inputs, "secrets": secrets}))?;
        // what may be shown: the same call with every secret masked
        let shown = format_value(&custom, &json!({"inputs": inputs, "secrets": masked}))?;
        let url = spec
            .get("url")
            .and_then(Value::as_str)
            .ok_or("the template's custom has no url")?
            .to_string();
        let method = spec
            .get("method")
            .map(python_str)
            .unwrap_or_else(|| "POST".into())
            .to_uppercase();
        let data = spec.get("data").cloned().unwrap_or(Value::Null);
        let timeout = spec
            .get("timeout_sec")
            .and_then(Value::as_f64)
            .unwrap_or(10.0);
        let mut req = if method == "GET" {
            let params: Vec<(String, String)> = data
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), python_str(v)))
                .collect();
            super::http_client::shared().get(&url).query(&params)
        } else {
            super::http_client::shared().post(&url).json(&data)
        };
        for (k, v) in spec
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            req = req.header(k.as_str(), python_str(v));
        }
        let resp = req
            .timeout(Duration::from_secs_f64(timeout.max(0.001)))
            .send()
            .await
            // the URL may hold a secret: name the shown one instead
            .map_err(|e| {
                let shown_url = shown.get("url").map(python_str).unwrap_or_default();
                format!(
                    "{} ({shown_url})",
                    super::http_client::describe(&e.without_url())
                )
            })?;
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .map_err(|e| super::http_client::describe(&e.without_url()))?;
        // servers echo what they were sent (a rejected token, the request): mask that too
        let text = mask(text, &secrets);
        if status != 200 {
            return Ok(failed(format!(
                "Webhook failed with status code {status}, response: {text}"
            )));
        }
        let mut info = Map::new();
        info.insert("status_code".into(), json!(status));
        info.insert("response_data".into(), json!(text));
        if spec
            .get("show_data")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            info.insert(
                "input_data".into(),
                shown.get("data").cloned().unwrap_or(Value::Null),
            );
        }
        if spec
            .get("show_url")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            info.insert("url".into(), shown.get("url").cloned().unwrap_or_default());
        }
        let info = Value::Object(info);
        let info_type = crate::inputs::output_variables(t)
            .get("info")
            .and_then(|v| v.r#type.clone());
        let lit = match info_type {
            Some(ty) => literal::from_json(&info, &ty).map_err(|e| {
                format!(
                    "the info output does not fit its declared type {}",
                    e.expected
                )
            })?,
            None => literal::from_json(&info, &struct_type()).map_err(|e| e.expected)?,
        };
        Ok(admin::Resource {
            phase: core::task_execution::Phase::Succeeded as i32,
            message: "Webhook was successfully invoked!".into(),
            outputs: Some(core::LiteralMap {
                literals: [("info".to_string(), lit)].into(),
            }),
            ..Default::default()
        })
    }
}

fn struct_type() -> core::LiteralType {
    core::LiteralType {
        r#type: Some(core::literal_type::Type::Simple(
            core::SimpleType::Struct as i32,
        )),
        ..Default::default()
    }
}

#[tonic::async_trait]
impl SyncAgent for Webhook {
    async fn execute(
        &self,
        header: &admin::CreateRequestHeader,
        inputs: &core::LiteralMap,
    ) -> Result<admin::Resource, tonic::Status> {
        // like flytekit, any failure of the call is a FAILED resource with the error's text
        Ok(self.call(header, inputs).await.unwrap_or_else(failed))
    }
}

pub fn registered() -> super::Registered {
    super::Registered {
        name: "Webhook Connector",
        category: super::category("webhook"),
        implementation: super::Implementation::Sync(std::sync::Arc::new(Webhook)),
        describe: super::nothing_to_describe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_like_format_dict() {
        let vars = json!({"inputs": {"id": 7, "name": "x", "ok": true, "f": 2.0}});
        let spec = json!({"url": "http://h/items/{inputs.id}", "data": {"whole": "{inputs.id}", "text": "{inputs.name}-{inputs.ok}-{inputs.f}", "keep": "{plain}"}});
        let got = format_value(&spec, &vars).unwrap();
        assert_eq!(
            got,
            json!({"url": "http://h/items/7", "data": {"whole": 7, "text": "x-True-2.0", "keep": "{plain}"}})
        );
        assert!(format_value(&json!("{inputs.missing}"), &vars).is_err());
    }

    #[test]
    fn echoed_secrets_are_masked_in_every_form_a_server_sends_back() {
        let secrets = json!({"short": "ab+c", "long": "xxab+cyy/\"z"});
        let echoed = r#"ab+c xxab+cyy/"z xxab%2Bcyy%2F%22z ab%2Bc xxab+cyy/\"z"#.to_string();
        assert_eq!(mask(echoed, &secrets), "**** **** **** **** ****");
    }
}
