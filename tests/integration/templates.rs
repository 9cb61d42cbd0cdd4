//! Templates written by flytekit 1.16.31 itself load from every form, print back as the JSON
//! Python's json_format prints, and re-encode to the same message.

use agentctl::pb::{admin, core};
use prost::Message;

use crate::util::{Run, agentctl, clean_env, pyfixture, read, redacted, stdout_of};

const TASKS: &[&str] = &[
    "success",
    "fail",
    "retryable",
    "create_error",
    "forever",
    "echo",
    "slow",
    "all_types",
    "wait_for_file",
    "notify",
];

fn expected_template(task: &str) -> core::TaskTemplate {
    core::TaskTemplate::decode(read(&pyfixture(&format!("{task}.template.pb"))).as_slice()).unwrap()
}

#[track_caller]
fn template_json(args: &[&str]) -> serde_json::Value {
    let out = agentctl()
        .arg("template")
        .args(args)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "template {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout_of(&out)).unwrap()
}

#[track_caller]
fn template_pb(args: &[&str]) -> core::TaskTemplate {
    let out = agentctl()
        .arg("template")
        .args(args)
        .args(["-o", "pb"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "template {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    core::TaskTemplate::decode(out.stdout.as_slice()).unwrap()
}

#[test]
fn every_form_of_every_task_reads_as_the_same_template() {
    for task in TASKS {
        let want = expected_template(task);
        let python_json: serde_json::Value =
            serde_json::from_slice(&read(&pyfixture(&format!("{task}.template.json")))).unwrap();
        for form in ["template.pb", "template.json", "taskspec.pb"] {
            let path = pyfixture(&format!("{task}.{form}"));
            let p = path.to_str().unwrap();
            assert_eq!(
                template_pb(&[p]),
                want,
                "{task}.{form} re-encodes to a different message"
            );
            assert_eq!(
                template_json(&[p]),
                python_json,
                "{task}.{form} prints JSON other than json_format's"
            );
        }
        // flytectl's admin.Task carries the registered id; the rest of the template is the same
        let flytectl = pyfixture(&format!("{task}.flytectl.json"));
        let got = template_pb(&[flytectl.to_str().unwrap()]);
        assert_eq!(got.interface, want.interface, "{task}.flytectl.json");
        assert_eq!(got.custom, want.custom, "{task}.flytectl.json");
        assert_eq!(got.r#type, want.r#type);
        // and from the pyflyte package tarball, chosen by name
        let tgz = pyfixture("flyte-package.tgz");
        let got = template_pb(&[tgz.to_str().unwrap(), "--task", task]);
        assert_eq!(got.interface, want.interface, "{task} from the tarball");
        assert_eq!(got.r#type, want.r#type, "{task} from the tarball");
    }
}

#[test]
fn flytectl_yaml_and_arrays_are_read() {
    let json: admin::Task = agentctl::json::from_value(
        &serde_json::from_slice(&read(&pyfixture("success.flytectl.json"))).unwrap(),
    )
    .unwrap();
    let want = json
        .closure
        .unwrap()
        .compiled_task
        .unwrap()
        .template
        .unwrap();
    let yaml = pyfixture("success.flytectl.yaml");
    assert_eq!(template_pb(&[yaml.to_str().unwrap()]), want);

    let array = pyfixture("success.flytectl-array.json");
    let v1 = template_pb(&[array.to_str().unwrap(), "--task-version", "v1"]);
    let v2 = template_pb(&[array.to_str().unwrap(), "--task-version", "v2"]);
    assert_eq!(v1.id.unwrap().version, "v1");
    assert_eq!(v2.id.unwrap().version, "v2");
}

#[test]
fn template_json_round_trips_through_agentctl() {
    // agentctl's own JSON reads back to the same message: what is read is what is sent
    let dir = tempfile::tempdir().unwrap();
    for task in TASKS {
        let p = pyfixture(&format!("{task}.template.pb"));
        let out = agentctl()
            .args(["template", p.to_str().unwrap()])
            .output()
            .unwrap();
        let again = dir.path().join(format!("{task}.json"));
        std::fs::write(&again, &out.stdout).unwrap();
        assert_eq!(
            template_pb(&[again.to_str().unwrap()]),
            expected_template(task),
            "{task}"
        );
    }
}

#[test]
fn describe_shows_interface_target_and_example() {
    let p = pyfixture("success.template.json");
    let v = Run::new(["describe"])
        .arg(&p)
        .args(["-o", "json"])
        .run()
        .json();
    assert_eq!(v["type"], "agentctl_test_success");
    assert_eq!(v["inputs"]["x"]["type"], "integer");
    assert_eq!(v["outputs"]["greeting"]["type"], "string");
    let example = v["example"].as_str().unwrap();
    assert!(example.contains("--x 10"), "{example}");

    Run::new(["describe"])
        .arg(&p)
        .stdout_contains("type       agentctl_test_success (version 0)")
        .run();
}

/// What a person reads first about a task: every type flytekit writes, in one template.
#[test]
fn describe_of_the_many_typed_template() {
    let text = Run::new(["describe"])
        .arg(pyfixture("all_types.template.json"))
        .run()
        .stdout;
    redacted().bind(|| insta::assert_snapshot!("describe_all_types", text));
}

#[test]
fn committed_fixtures_are_what_flytekit_writes_today() {
    for (committed, generated) in [
        ("file_sensor.json", "wait_for_file.template.json"),
        ("success.json", "success.template.json"),
        ("bigquery.json", "bigquery_doge_coin.template.json"),
    ] {
        let json_of = |p: std::path::PathBuf| -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap()
        };
        assert_eq!(
            json_of(crate::util::repo().join("fixtures").join(committed)),
            json_of(pyfixture(generated)),
            "fixtures/{committed} differs from flytekit's {generated}: copy it over"
        );
    }
}

/// Every example command `describe` prints is accepted by `agentctl inputs` as written.
#[test]
fn describe_examples_run_as_written_for_every_type() {
    let dir = tempfile::tempdir().unwrap();
    let simple = |s: &str| serde_json::json!({"simple": s});
    let nested = serde_json::json!({
        "type": "echo",
        "id": {"resourceType": "TASK", "name": "nested"},
        "interface": {"inputs": {"variables": {
            "dsi": {"type": {"mapValueType": simple("INTEGER")}},
            "ldt": {"type": {"collectionType": simple("DATETIME")}},
            "lld": {"type": {"collectionType": {"collectionType": simple("DURATION")}}},
            "mlf": {"type": {"mapValueType": {"collectionType": simple("FLOAT")}}},
            "lb": {"type": {"collectionType": simple("BOOLEAN")}},
            "ls": {"type": {"collectionType": simple("STRING")}}
        }}}
    });
    let nested_path = dir.path().join("nested.json");
    std::fs::write(&nested_path, nested.to_string()).unwrap();
    for template in [pyfixture("all_types.template.json"), nested_path] {
        let out = agentctl()
            .args(["describe", "-o", "json"])
            .arg(&template)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let example = doc["example"].as_str().unwrap().to_string();
        let rest = example
            .strip_prefix("agentctl run ")
            .unwrap_or_else(|| panic!("{example}"));
        let bin = assert_cmd::cargo::cargo_bin("agentctl");
        let out = clean_env(&mut std::process::Command::new("sh"))
            .arg("-c")
            .arg(format!("'{}' inputs {rest}", bin.display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{example}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_template_error_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut t: serde_json::Value =
        serde_json::from_slice(&read(&pyfixture("success.template.json"))).unwrap();
    t["metadata"]["retries"] = serde_json::json!({"retries": -5});
    let path = dir.path().join("t.json");
    std::fs::write(&path, t.to_string()).unwrap();
    Run::new(["describe"])
        .arg(&path)
        .expect_code(2)
        .stderr_contains("metadata.retries.retries")
        .run();
}

#[test]
fn describe_and_template_read_a_mixed_sign_timeout_alike() {
    let dir = tempfile::tempdir().unwrap();
    let t = core::TaskTemplate {
        r#type: "x".into(),
        metadata: Some(core::TaskMetadata {
            timeout: Some(prost_types::Duration {
                seconds: 1,
                nanos: -500_000_000,
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let path = dir.path().join("t.pb");
    std::fs::write(&path, t.encode_to_vec()).unwrap();
    let described = stdout_of(&agentctl().arg("describe").arg(&path).output().unwrap());
    let template = stdout_of(&agentctl().arg("template").arg(&path).output().unwrap());
    assert!(described.contains("timeout    0.500s"), "{described}");
    assert!(template.contains(r#""timeout": "0.500s""#), "{template}");
}
