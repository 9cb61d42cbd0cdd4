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
            "3",
        ])
        .output()
        .unwrap();
    // bad input, not a failed RPC: exit 2, one attempt, the value it cannot take named
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("local paths and file:// URIs only") && err.contains("s3://bucket/flag"),
        "{err}"
    );
    assert!(!err.contains("retrying"), "{err}");

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

/// The sensor run under `script`, which gives it a pseudo-terminal, with the path made once
/// the terminal shows the task RUNNING; what the terminal showed.
fn on_a_terminal(no_color: bool) -> String {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("ready");
    let command = format!(
        "{} run {} --path {}",
        env!("CARGO_BIN_EXE_agentctl"),
        sensor(),
        flag.display()
    );
    let mut script = std::process::Command::new("script");
    script
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .env_remove("AGENTCTL_ENDPOINT")
        .env_remove("AGENTCTL_CONFIG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    if no_color {
        script.env("NO_COLOR", "1");
    }
    let mut child = script.spawn().expect("script(1), from util-linux");
    let shown = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let reader = {
        let shown = shown.clone();
        let mut stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                shown.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let start = std::time::Instant::now();
    while !String::from_utf8_lossy(&shown.lock().unwrap()).contains("RUNNING") {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the terminal never showed RUNNING");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::write(&flag, "").unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let shown = String::from_utf8_lossy(&shown.lock().unwrap()).to_string();
    assert_eq!(status.code(), Some(0), "{shown}");
    shown
}

#[test]
fn a_terminal_gets_a_live_spinner_that_is_cleared_at_the_end() {
    let shown = on_a_terminal(false);
    // the spinner's line: task, phase, poll count and the elapsed time ticking
    assert!(shown.contains("wait_for_file RUNNING"), "{shown:?}");
    assert!(
        shown.contains(" poll") && shown.contains(") [0s]"),
        "{shown:?}"
    );
    assert!(
        shown.contains("\u{1b}[36m"),
        "the spinner is cyan: {shown:?}"
    );
    // redrawn in place, not one line per poll, and cleared when the run ends
    assert!(!shown.contains("Z wait_for_file RUNNING"), "{shown:?}");
    let after_last_clear = shown.rsplit("\u{1b}[2K").next().unwrap();
    assert!(
        !after_last_clear.contains("RUNNING") && !after_last_clear.contains("polls)"),
        "the spinner is left on screen: {after_last_clear:?}"
    );
    let v = on_a_terminal(true);
    assert!(v.contains("wait_for_file RUNNING"), "{v:?}");
    assert!(!v.contains("\u{1b}[36m"), "NO_COLOR still colours: {v:?}");
}

#[test]
fn an_empty_sensor_path_succeeds_at_once_as_flytekits_does() {
    let out = agentctl()
        .args(["run", &sensor(), "--path", "", "--timeout", "5s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}
