//! Bad input: one clear message saying what, where and how to fix it, exit code 2, and nothing
//! sent (every case points --endpoint at a tripwire port that must see no connection).

use crate::util::{Run, pyfixture, redacted};

/// `agentctl run ARGS --endpoint <tripwire>`: a usage error (exit 2) that sends nothing.
fn rejected<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Run::new(["run"]).args(args).tripwire().expect_code(2)
}

fn success() -> String {
    pyfixture("success.template.json")
        .to_str()
        .unwrap()
        .to_string()
}

fn all_types() -> String {
    pyfixture("all_types.template.json")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn unreadable_file() {
    rejected(["/nonexistent/task.json"])
        .stderr_contains("cannot read the template /nonexistent/task.json")
        .stderr_contains("No such file")
        .stderr_contains("check the path")
        .run();
}

#[test]
fn unknown_format_says_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("garbage.bin");
    std::fs::write(&f, [0xff, 0x00, 0x13, 0x37, 0x42, 0x99]).unwrap();
    rejected([&f])
        .stderr_contains("not a task template in any known form")
        .stderr_contains("binary core.TaskTemplate")
        .stderr_contains("admin.TaskSpec")
        .stderr_contains("pyflyte package")
        .run();
}

#[test]
fn malformed_json_has_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("task.json");
    std::fs::write(&f, "{\n  \"type\": \"x\",\n  \"interface\": {,}\n}\n").unwrap();
    rejected([&f])
        .stderr_contains("malformed JSON at line 3, column")
        .run();
}

#[test]
fn malformed_yaml_has_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("task.yaml");
    std::fs::write(&f, "id:\n  name: x\ntype: [unclosed\n").unwrap();
    rejected([&f])
        .stderr_contains("malformed YAML")
        .stderr_contains("line")
        .run();
}

#[test]
fn unknown_field_is_refused_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("task.json");
    std::fs::write(&f, r#"{"type": "x", "interfaec": {}}"#).unwrap();
    rejected([&f]).stderr_contains("interfaec").run();
}

#[test]
fn unknown_input_flag_suggests_the_closest() {
    rejected([&success(), "--nmae", "a", "--x", "1"])
        .stderr_contains("--nmae")
        .stderr_contains("--name")
        .run();
}

#[test]
fn missing_inputs_are_all_listed() {
    let ran = rejected([&success()])
        .stderr_contains("2 required inputs are missing")
        .stderr_contains("--name <STRING>")
        .stderr_contains("--x <INTEGER>")
        .run();
    redacted().bind(|| insta::assert_snapshot!("missing_inputs", ran.stderr));
}

#[test]
fn a_value_that_does_not_parse_names_the_type_and_an_example() {
    rejected([&success(), "--x", "ten", "--name", "a"])
        .stderr_contains("invalid value \"ten\" for --x: expected integer")
        .stderr_contains("for example: --x 10")
        .run();
    rejected([&all_types(), "--color", "purple"])
        .stderr_contains("expected enum(red|green|blue)")
        .stderr_contains("allowed values: red, green, blue")
        .run();
    rejected([&all_types(), "--td", "90"])
        .stderr_contains("expected duration")
        .stderr_contains("90s")
        .run();
}

#[test]
fn unknown_input_pair_suggests_the_closest() {
    rejected([&success(), "--input", "nme=a", "--x", "1"])
        .stderr_contains("no input named \"nme\"")
        .stderr_contains("did you mean \"name\"")
        .run();
}

#[test]
fn several_tasks_or_versions_need_a_choice() {
    rejected([pyfixture("flyte-package.tgz")])
        .stderr_contains("holds 28 tasks")
        .stderr_contains("--task NAME")
        .stderr_contains("success")
        .stderr_contains("all_types")
        .run();
    rejected([pyfixture("success.flytectl-array.json")])
        .stderr_contains("2 versions")
        .stderr_contains("v1, v2")
        .stderr_contains("--task-version")
        .run();
}

#[test]
fn a_bad_endpoint_is_a_usage_error() {
    Run::new(["run", &success(), "--x", "1", "--name", "a"])
        .args(["--endpoint", "k8s://flyteconnector.flyte:8000"])
        .expect_code(2)
        .stderr_contains("port-forward")
        .run();
}
