//! The built-in webhook agent makes the HTTP call flytekit's WebhookConnector makes, and
//! answers the same `info` output: the same flytekit template is run in-process by agentctl and
//! by flytekit's own server, against one local HTTP server that records what it receives.

use crate::util::{FlytekitServer, HttpServer, agentctl, pyfixture, stderr_of};

#[test]
fn the_webhook_call_and_info_output_match_flytekits() {
    let http = HttpServer::start(|_| (200, "accepted".into()));
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
        assert_eq!(r.header("x-item"), Some("item-42"));
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    assert_eq!(
        a.json(),
        b.json(),
        "agentctl and flytekit sent different bodies"
    );
    assert_eq!(
        a.json(),
        serde_json::json!({"item": 42, "note": "item 42 ready"})
    );
}

#[test]
fn a_failing_webhook_is_failed_with_the_response() {
    let http = HttpServer::start(|_| (500, "down for maintenance".into()));
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
