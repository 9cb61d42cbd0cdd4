//! Built-in agents run in-process, with no server: the default for a task type agentctl
//! carries an agent for, and what `--local` asks for.

use std::time::Duration;

use crate::util::{agentctl, repo, std_agentctl, stderr_of};

fn sensor() -> String {
    repo()
        .join("fixtures/file_sensor.json")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn file_sensor_succeeds_once_the_path_exists() {
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("ready");
    let child = std_agentctl()
        .args(["run", &sensor(), "--path"])
        .arg(&flag)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    std::fs::write(&flag, "").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("wait_for_file RUNNING") && err.contains("wait_for_file SUCCEEDED"),
        "{err}"
    );

    // file:// URIs too, and --local says the same explicitly
    let uri = format!("file://{}", flag.display());
    let out = agentctl()
        .args(["run", &sensor(), "--local", "--path", &uri, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["phase"], "SUCCEEDED");
    let meta = String::from_utf8(base64_decode(v["resource_meta"].as_str().unwrap())).unwrap();
    assert_eq!(
        meta,
        format!(
            r#"{{"sensor_module": "flytekit.sensor.file_sensor", "sensor_name": "FileSensor", "sensor_config": null, "inputs": {{"path": "{uri}"}}}}"#
        )
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn remote_schemes_and_unknown_types_are_refused_clearly() {
    let out = agentctl()
        .args([
            "run",
            &sensor(),
            "--path",
            "s3://bucket/flag",
            "--retries",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("local paths and file:// URIs only"),
        "{}",
        stderr_of(&out)
    );

    let success = repo().join("fixtures/success.json");
    let out = agentctl()
        .arg("run")
        .arg(&success)
        .args(["--x", "1", "--name", "a"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("no built-in agent") && err.contains("--endpoint"),
        "{err}"
    );
    let out = agentctl()
        .arg("run")
        .arg(&success)
        .args(["--x", "1", "--name", "a", "--local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
