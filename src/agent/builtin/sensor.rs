//! flytekit's sensor agent (task type `sensor`) with its `FileSensor`: RUNNING until the path
//! exists, then SUCCEEDED. The `resource_meta` has the shape flytekit's `SensorMetadata` has,
//! so either side can read the other's.

use serde_json::{Value, json};
use tonic::Status;

use super::AsyncAgent;
use crate::literal;
use crate::pb::{admin, core};

pub struct Sensors;

const FILE_SENSOR: (&str, &str) = ("flytekit.sensor.file_sensor", "FileSensor");

/// `{"sensor_module", "sensor_name", "sensor_config", "inputs"}`, in flytekit's field order and
/// with Python's `json.dumps` spacing, so the bytes are the ones flytekit's agent would make.
fn encode_meta(module: &str, name: &str, config: &Value, inputs: &Value) -> Vec<u8> {
    let fields = [
        ("sensor_module", json!(module)),
        ("sensor_name", json!(name)),
        ("sensor_config", config.clone()),
        ("inputs", inputs.clone()),
    ];
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}: {}", json!(k), python_json(v)))
        .collect();
    format!("{{{}}}", body.join(", ")).into_bytes()
}

/// JSON as Python's `json.dumps` writes it by default: `", "` and `": "` separators.
fn python_json(v: &Value) -> String {
    match v {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(python_json).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => {
            let body: Vec<String> = map
                .iter()
                .map(|(k, x)| format!("{}: {}", json!(k), python_json(x)))
                .collect();
            format!("{{{}}}", body.join(", "))
        }
        other => other.to_string(),
    }
}

fn decode_meta(bytes: &[u8]) -> Result<(String, String, Value), Status> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        Status::invalid_argument(format!("resource_meta is not sensor metadata JSON: {e}"))
    })?;
    let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    match (field("sensor_module"), field("sensor_name")) {
        (Some(m), Some(n)) => Ok((m, n, v.get("inputs").cloned().unwrap_or(Value::Null))),
        _ => Err(Status::invalid_argument(
            "resource_meta lacks sensor_module/sensor_name",
        )),
    }
}

/// A local path for a FileSensor `path`: plain paths and `file://` URIs; anything else is refused.
fn local_path(path: &str) -> Result<std::path::PathBuf, Status> {
    if let Some(p) = path.strip_prefix("file://") {
        return Ok(p.into());
    }
    if path.contains("://") {
        return Err(Status::invalid_argument(format!(
            "FileSensor here checks local paths and file:// URIs only, not {path}; run the sensor on a flytekit agent server for remote file systems"
        )));
    }
    Ok(path.into())
}

#[tonic::async_trait]
impl AsyncAgent for Sensors {
    async fn create(&self, req: &admin::CreateTaskRequest) -> Result<Vec<u8>, Status> {
        let t = req
            .template
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("no template"))?;
        let custom = t
            .custom
            .as_ref()
            .map(literal::struct_to_json)
            .unwrap_or(Value::Null);
        let module = custom
            .get("sensor_module")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = custom
            .get("sensor_name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if (module, name) != FILE_SENSOR {
            return Err(Status::invalid_argument(format!(
                "the built-in sensor agent runs FileSensor only, not {module}.{name}; serve it with `pyflyte serve connector` and use --endpoint"
            )));
        }
        let inputs = req
            .inputs
            .as_ref()
            .map(literal::map_to_plain_json)
            .unwrap_or_else(|| json!({}));
        let path = inputs
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| Status::invalid_argument("FileSensor needs a string input `path`"))?;
        local_path(path)?;
        let config = custom.get("sensor_config").cloned().unwrap_or(Value::Null);
        Ok(encode_meta(module, name, &config, &inputs))
    }

    async fn get(&self, resource_meta: &[u8]) -> Result<admin::Resource, Status> {
        let (_, _, inputs) = decode_meta(resource_meta)?;
        let path = inputs
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| Status::invalid_argument("resource_meta has no inputs.path"))?;
        // one stat(2), inline: handing it to the blocking pool costs more than the call itself
        // flytekit's fsspec reads an empty path as the working directory, which exists: its
        // FileSensor succeeds at once, and so does this one rather than poll forever
        let exists = path.is_empty() || local_path(path)?.exists();
        let phase = if exists {
            core::task_execution::Phase::Succeeded
        } else {
            core::task_execution::Phase::Running
        };
        Ok(admin::Resource {
            phase: phase as i32,
            ..Default::default()
        })
    }

    /// What the sensor is waiting for, naming the path, and whether it is there yet.
    async fn logs(&self, resource_meta: &[u8]) -> Result<Vec<String>, Status> {
        let (_, _, inputs) = decode_meta(resource_meta)?;
        let path = inputs
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let exists = path.is_empty() || local_path(path)?.exists();
        Ok(vec![if exists {
            format!("FileSensor: {path} exists; the sensor is done")
        } else {
            format!("FileSensor: waiting for {path} to exist")
        }])
    }

    async fn delete(&self, resource_meta: &[u8]) -> Result<(), Status> {
        // nothing runs anywhere: flytekit's sensor delete is a no-op too
        decode_meta(resource_meta).map(|_| ())
    }
}

pub fn registered() -> super::Registered {
    super::Registered {
        name: "Sensor",
        category: super::category("sensor"),
        implementation: super::Implementation::Async(std::sync::Arc::new(Sensors)),
        describe: super::nothing_to_describe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_has_flytekits_shape() {
        let meta = encode_meta(
            "flytekit.sensor.file_sensor",
            "FileSensor",
            &Value::Null,
            &json!({"path": "/data/flag"}),
        );
        assert_eq!(
            String::from_utf8(meta).unwrap(),
            r#"{"sensor_module": "flytekit.sensor.file_sensor", "sensor_name": "FileSensor", "sensor_config": null, "inputs": {"path": "/data/flag"}}"#
        );
    }
}
