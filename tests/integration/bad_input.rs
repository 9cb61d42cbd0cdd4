//! Bad input: one clear message saying what, where and how to fix it, exit code 2, and nothing
//! sent (every case points --endpoint at a tripwire port that must see no connection).

use crate::util::{Tripwire, agentctl, pyfixture, stderr_of};

#[track_caller]
fn rejected(args: &[&str], expect: &[&str]) {
    let wire = Tripwire::new();
    let out = agentctl()
        .arg("run")
        .args(args)
        .args(["--endpoint", &wire.endpoint()])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code for {args:?}; stderr: {err}"
    );
    for e in expect {
        assert!(err.contains(e), "stderr for {args:?} lacks {e:?}:\n{err}");
    }
    assert!(!wire.touched(), "something was sent for {args:?}");
}

fn success() -> String {
    pyfixture("success.template.json")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn unreadable_file() {
    rejected(
        &["/nonexistent/task.json"],
        &[
            "cannot read the template /nonexistent/task.json",
            "No such file",
            "check the path",
        ],
    );
}

#[test]
fn unknown_format_says_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("garbage.bin");
    std::fs::write(&f, [0xff, 0x00, 0x13, 0x37, 0x42, 0x99]).unwrap();
    rejected(
        &[f.to_str().unwrap()],
        &[
            "not a task template in any known form",
            "binary core.TaskTemplate",
            "admin.TaskSpec",
            "pyflyte package",
        ],
    );
}

#[test]
fn malformed_json_has_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("task.json");
    std::fs::write(&f, "{\n  \"type\": \"x\",\n  \"interface\": {,}\n}\n").unwrap();
    rejected(
        &[f.to_str().unwrap()],
        &["malformed JSON at line 3, column"],
    );
}

#[test]
fn malformed_yaml_has_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("task.yaml");
    std::fs::write(&f, "id:\n  name: x\ntype: [unclosed\n").unwrap();
    rejected(&[f.to_str().unwrap()], &["malformed YAML", "line"]);
}

#[test]
fn unknown_field_is_refused_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("task.json");
    std::fs::write(&f, r#"{"type": "x", "interfaec": {}}"#).unwrap();
    rejected(&[f.to_str().unwrap()], &["interfaec"]);
}

#[test]
fn unknown_input_flag_suggests_the_closest() {
    rejected(
        &[&success(), "--nmae", "a", "--x", "1"],
        &["--nmae", "--name"],
    );
}

#[test]
fn missing_inputs_are_all_listed() {
    rejected(
        &[&success()],
        &[
            "2 required inputs are missing",
            "--name <STRING>",
            "--x <INTEGER>",
        ],
    );
}

#[test]
fn a_value_that_does_not_parse_names_the_type_and_an_example() {
    rejected(
        &[&success(), "--x", "ten", "--name", "a"],
        &[
            "invalid value \"ten\" for --x: expected integer",
            "for example: --x 10",
        ],
    );
    let all = pyfixture("all_types.template.json");
    rejected(
        &[all.to_str().unwrap(), "--color", "purple"],
        &[
            "expected enum(red|green|blue)",
            "allowed values: red, green, blue",
        ],
    );
    rejected(
        &[all.to_str().unwrap(), "--td", "90"],
        &["expected duration", "90s"],
    );
}

#[test]
fn unknown_input_pair_suggests_the_closest() {
    rejected(
        &[&success(), "--input", "nme=a", "--x", "1"],
        &["no input named \"nme\"", "did you mean \"name\""],
    );
}

#[test]
fn several_tasks_or_versions_need_a_choice() {
    let tgz = pyfixture("flyte-package.tgz");
    rejected(
        &[tgz.to_str().unwrap()],
        &["holds 14 tasks", "--task NAME", "success", "all_types"],
    );
    let arr = pyfixture("success.flytectl-array.json");
    rejected(
        &[arr.to_str().unwrap()],
        &["2 versions", "v1, v2", "--task-version"],
    );
}

#[test]
fn a_bad_endpoint_is_a_usage_error() {
    let out = agentctl()
        .args([
            "run",
            &success(),
            "--x",
            "1",
            "--name",
            "a",
            "--endpoint",
            "k8s://flyteconnector.flyte:8000",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("port-forward"),
        "{}",
        stderr_of(&out)
    );
}
