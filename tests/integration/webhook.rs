//! The built-in webhook agent makes the HTTP call flytekit's WebhookConnector makes, and
//! answers the same `info` output: the same flytekit template is run in-process by agentctl and
//! by flytekit's own server, against one local HTTP server that records what it receives.

use crate::util::{FlytekitServer, HttpServer, Run, pyfixture};

#[test]
fn the_webhook_call_and_info_output_match_flytekits() {
    let http = HttpServer::start(|_| (200, "accepted".into()));
    let notify = pyfixture("notify.template.json");
    let run = |extra: &[&str]| {
        Run::new(["run"])
            .arg(&notify)
            .args(["--base", &http.base, "--item_id", "42", "-o", "json"])
            .args(extra)
            .run()
            .json()
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
    Run::new(["run"])
        .arg(&notify)
        .args(["--base", &http.base, "--item_id", "1"])
        .expect_code(1)
        .stderr_contains("Webhook failed with status code 500, response: down for maintenance")
        .run();
}

#[test]
fn secrets_fill_the_call_and_are_never_shown() {
    const HOOK: &str = "hook-7f3a9c";
    const KEY: &str = "key-51d2e8";
    // the server echoes what it got, as servers rejecting a token often do
    let http = HttpServer::start(|r| {
        let auth = r.header("authorization").unwrap_or_default();
        (200, format!("{} {auth}", r.path))
    });
    let dir = tempfile::tempdir().unwrap();
    // one secret from the environment with flytekit's prefix, one from .env under its own name
    std::fs::write(dir.path().join(".env"), format!("API_KEY={KEY}\n")).unwrap();
    let ran = Run::new(["run"])
        .arg(pyfixture("notify_secret.template.json"))
        .args(["--base", &http.base, "--item_id", "42", "-o", "json", "-v"])
        .current_dir(dir.path())
        .env("_FSEC_HOOK_TOKEN", HOOK)
        .run();

    let seen = http.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, format!("/hooks/{HOOK}"));
    assert_eq!(
        seen[0].header("authorization"),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(
        seen[0].json(),
        serde_json::json!({"item": 42, "signed": HOOK})
    );

    let printed = format!("{}{}", ran.stdout, ran.stderr);
    for secret in [HOOK, KEY] {
        assert!(
            !printed.contains(secret),
            "{secret} was printed:\n{printed}"
        );
    }
    let v = ran.json();
    assert_eq!(
        v["outputs"]["info"]["url"],
        format!("{}/hooks/****", http.base)
    );
    assert_eq!(v["outputs"]["info"]["input_data"]["signed"], "****");
    assert_eq!(
        v["outputs"]["info"]["response_data"],
        "/hooks/**** Bearer ****"
    );

    // a call that fails to connect names the URL, masked
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    Run::new(["run"])
        .arg(pyfixture("notify_secret.template.json"))
        .args(["--base", &base, "--item_id", "42"])
        .current_dir(dir.path())
        .env("_FSEC_HOOK_TOKEN", HOOK)
        .expect_code(1)
        .stderr_contains(format!("{base}/hooks/****"))
        .stderr_lacks(HOOK)
        .run();
}

#[test]
fn a_secret_key_is_a_name_not_a_path() {
    let http = HttpServer::start(|_| (200, "ok".into()));
    let dir = tempfile::tempdir().unwrap();
    let mut template: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pyfixture("notify_secret.template.json")).unwrap())
            .unwrap();
    template["custom"]["url"] = "{inputs.base}/{secrets./proc/self/environ}".into();
    let path = dir.path().join("evil.json");
    std::fs::write(&path, template.to_string()).unwrap();
    Run::new(["run"])
        .arg(&path)
        .args(["--base", &http.base, "--item_id", "1"])
        .env("_FSEC_HOOK_TOKEN", "x")
        .env("_FSEC_API_KEY", "y")
        .expect_code(1)
        .stderr_contains("\"/proc/self/environ\" is not a secret name")
        .run();
    assert!(http.seen.lock().unwrap().is_empty());
}

#[test]
fn a_missing_secret_fails_naming_where_it_was_looked_for_and_sends_nothing() {
    let http = HttpServer::start(|_| (200, "ok".into()));
    let dir = tempfile::tempdir().unwrap();
    // HOOK_TOKEN and _FSEC_HOOK_TOKEN are cleared from every run (util::CLEARED_ENV)
    Run::new(["run"])
        .arg(pyfixture("notify_secret.template.json"))
        .args(["--base", &http.base, "--item_id", "42"])
        .current_dir(dir.path())
        .env("_FSEC_API_KEY", "set")
        .env("FLYTE_SECRETS_DEFAULT_DIR", dir.path())
        .expect_code(1)
        .stderr_contains("{secrets.hook_token}: the secret hook_token is not set")
        .stderr_contains("$_FSEC_HOOK_TOKEN")
        .stderr_contains("$HOOK_TOKEN")
        .run();
    assert!(http.seen.lock().unwrap().is_empty());
}
