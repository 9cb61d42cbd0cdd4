//! The built-in webhook agent makes the HTTP call flytekit's WebhookConnector makes, and
//! answers the same `info` output: the same flytekit template is run in-process by agentctl and
//! by flytekit's own server, against one local HTTP server that records what it receives.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::util::{FlytekitServer, agentctl, pyfixture, stderr_of};

#[derive(Debug, Clone, PartialEq)]
struct Received {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: serde_json::Value,
}

/// A one-thread HTTP/1.1 server on 127.0.0.1 answering `status` with `body`, recording each request.
struct HttpServer {
    base: String,
    seen: Arc<Mutex<Vec<Received>>>,
}

impl HttpServer {
    fn start(status: u16, body: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(8) {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut parts = line.split_whitespace();
                let (method, path) = (
                    parts.next().unwrap_or_default().to_string(),
                    parts.next().unwrap_or_default().to_string(),
                );
                let mut headers = Vec::new();
                let mut length = 0;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap();
                    let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
                    if k == "content-length" {
                        length = v.parse().unwrap();
                    }
                    headers.push((k, v));
                }
                let mut buf = vec![0; length];
                reader.read_exact(&mut buf).unwrap();
                let received = serde_json::from_slice(&buf).unwrap_or(serde_json::Value::Null);
                record.lock().unwrap().push(Received {
                    method,
                    path,
                    headers,
                    body: received,
                });
                let reason = if status == 200 { "OK" } else { "Error" };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        HttpServer { base, seen }
    }
}

fn header<'a>(r: &'a Received, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn the_webhook_call_and_info_output_match_flytekits() {
    let http = HttpServer::start(200, "accepted");
    let notify = pyfixture("notify.template.json");
    let run = |extra: &[&str]| {
        let out = agentctl()
            .arg("run")
            .arg(&notify)
            .args(["--base", &http.base, "--item_id", "42", "-o", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    // in-process by default: webhook is a built-in agent
    let ours = run(&[]);
    let flytekit = FlytekitServer::start();
    let theirs = run(&["--endpoint", &flytekit.addr]);

    assert_eq!(
        ours["outputs"], theirs["outputs"],
        "the info output differs from flytekit's"
    );
    assert_eq!(ours["message"], theirs["message"]);
    assert_eq!(ours["outputs"]["info"]["status_code"], 200);
    assert_eq!(ours["outputs"]["info"]["response_data"], "accepted");
    assert_eq!(
        ours["outputs"]["info"]["url"],
        format!("{}/items/42", http.base)
    );
    // msgpack, as the output's type asks
    assert_eq!(
        ours["outputs_literal"]["literals"]["info"]["scalar"]["binary"]["tag"],
        "msgpack"
    );

    let seen = http.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let (a, b) = (&seen[0], &seen[1]);
    for r in [a, b] {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/items/42");
        assert_eq!(header(r, "x-item"), Some("item-42"));
        assert_eq!(header(r, "content-type"), Some("application/json"));
    }
    assert_eq!(
        a.body, b.body,
        "agentctl and flytekit sent different bodies"
    );
    assert_eq!(
        a.body,
        serde_json::json!({"item": 42, "note": "item 42 ready"})
    );
}

#[test]
fn a_failing_webhook_is_failed_with_the_response() {
    let http = HttpServer::start(500, "down for maintenance");
    let notify = pyfixture("notify.template.json");
    let out = agentctl()
        .arg("run")
        .arg(&notify)
        .args(["--base", &http.base, "--item_id", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out)
            .contains("Webhook failed with status code 500, response: down for maintenance"),
        "{}",
        stderr_of(&out)
    );
}
