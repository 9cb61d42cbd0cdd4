//! Built-in agents run in-process, with no server: the default for a task type agentctl
//! carries an agent for, and what `--local` asks for.

use std::time::Duration;

use crate::util::{Run, clean_env, repo, std_agentctl};

fn sensor() -> String {
    repo()
        .join("fixtures/file_sensor.json")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn file_sensor_succeeds_once_the_path_exists() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("ready");
    let mut child = std_agentctl()
        .args(["run", &sensor(), "--path"])
        .arg(&flag)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // the path is made once the sensor reports RUNNING, not after a guessed delay
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line.contains("RUNNING"));
            lines.push(line);
        }
        lines
    });
    let start = std::time::Instant::now();
    loop {
        let left = Duration::from_secs(20).saturating_sub(start.elapsed());
        match rx.recv_timeout(left) {
            Ok(true) => break,
            Ok(false) => {}
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the sensor never reported RUNNING:\n{}",
                    reader.join().unwrap().join("\n")
                );
            }
        }
    }
    std::fs::write(&flag, "").unwrap();
    let status = child.wait().unwrap();
    let err = reader.join().unwrap().join("\n");
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(
        err.contains("wait_for_file RUNNING") && err.contains("wait_for_file SUCCEEDED"),
        "{err}"
    );

    // file:// URIs too, and --local says the same explicitly
    let uri = format!("file://{}", flag.display());
    let v = Run::new(["run", &sensor(), "--local", "--path", &uri, "-o", "json"])
        .run()
        .json();
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
    // bad input, not a failed RPC: exit 2, one attempt, the value it cannot take named
    Run::new([
        "run",
        &sensor(),
        "--path",
        "s3://bucket/flag",
        "--retries",
        "3",
    ])
    .expect_code(2)
    .stderr_contains("local paths and file:// URIs only")
    .stderr_contains("s3://bucket/flag")
    .stderr_lacks("retrying")
    .run();

    let success = repo().join("fixtures/success.json");
    Run::new(["run"])
        .arg(&success)
        .args(["--x", "1", "--name", "a"])
        .expect_code(2)
        .stderr_contains("no built-in agent")
        .stderr_contains("--endpoint")
        .run();
    Run::new(["run"])
        .arg(&success)
        .args(["--x", "1", "--name", "a", "--local"])
        .expect_code(2)
        .run();
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
    clean_env(&mut script)
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TERM", "xterm")
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
    Run::new(["run", &sensor(), "--path", "", "--timeout", "5s"]).run();
}

#[test]
fn local_beats_the_environment_but_not_an_endpoint_flag() {
    Run::new(["run", &sensor(), "--path", "/", "--local"])
        .env("AGENTCTL_ENDPOINT", "127.0.0.1:1")
        .run();
    Run::new(["run", &sensor(), "--path", "/", "--local"])
        .args(["--endpoint", "127.0.0.1:1"])
        .expect_code(2)
        .stderr_contains("--local and --endpoint")
        .run();
}
