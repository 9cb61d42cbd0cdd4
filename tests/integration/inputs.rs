//! Command-line flags make exactly the LiteralMap that flytekit 1.16.31 makes for the same
//! values (the cases and expected maps come from tests/python/gen_fixtures.py, which runs
//! pyflyte run's own click conversion).

use agentctl::pb::core;
use prost::Message;

use crate::util::{agentctl, pyfixture, pyfixtures, read};

/// A LiteralMap as JSON, with msgpack binaries decoded: flytekit and agentctl may order a
/// map's keys differently, so the decoded values are what must agree.
fn normalized(map: &core::LiteralMap) -> serde_json::Value {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                if let Some(b) = o.get("binary").cloned()
                    && b["tag"] == "msgpack"
                {
                    use base64::Engine as _;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(b["value"].as_str().unwrap_or_default())
                        .unwrap();
                    o.insert(
                        "binary".into(),
                        serde_json::json!({ "msgpack": agentctl::literal::decode_msgpack(&bytes) }),
                    );
                    return;
                }
                o.values_mut().for_each(walk);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v = agentctl::json::to_value(map);
    walk(&mut v);
    v
}

fn absolutize(map: &mut core::LiteralMap, cwd: &std::path::Path) {
    use core::{literal::Value as L, scalar::Value as S};
    for lit in map.literals.values_mut() {
        if let Some(L::Scalar(sc)) = &mut lit.value
            && let Some(S::Blob(b)) = &mut sc.value
            && !b.uri.contains("://")
            && !b.uri.starts_with('/')
        {
            b.uri = cwd.join(&b.uri).display().to_string();
        }
    }
}

#[test]
fn flags_make_the_literal_map_pyflyte_makes() {
    let cases: Vec<serde_json::Value> =
        serde_json::from_slice(&read(&pyfixture("inputs_cases.json"))).unwrap();
    assert!(
        cases.len() >= 20,
        "the generator wrote only {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let template = pyfixture(case["template"].as_str().unwrap());
        let args: Vec<&str> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let cwd = pyfixtures().join(case["cwd"].as_str().unwrap_or("."));
        let out = agentctl()
            .current_dir(&cwd)
            .arg("inputs")
            .arg(&template)
            .args(&args)
            .args(["-o", "pb"])
            .output()
            .unwrap();
        if !out.status.success() {
            failures.push(format!(
                "{name}: exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let got = core::LiteralMap::decode(out.stdout.as_slice()).unwrap();
        let mut want = core::LiteralMap::decode(
            read(&pyfixture(case["expected"].as_str().unwrap())).as_slice(),
        )
        .unwrap();
        // where agentctl departs from pyflyte on purpose: a relative file or directory is sent
        // as an absolute path (the agent does not run in this directory; README "Choices")
        absolutize(&mut want, &cwd.canonicalize().unwrap());
        let (g, w) = (normalized(&got), normalized(&want));
        if g != w {
            failures.push(format!("{name}:\n  agentctl: {g}\n  flytekit: {w}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn inputs_file_values_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inputs.yaml");
    std::fs::write(&file, "x: 3\nname: file\n").unwrap();
    let t = pyfixture("success.template.json");
    let out = agentctl()
        .arg("inputs")
        .arg(&t)
        .arg("--inputs")
        .arg(&file)
        .args(["--name", "flag"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["literals"]["x"]["scalar"]["primitive"]["integer"], "3");
    assert_eq!(
        v["literals"]["name"]["scalar"]["primitive"]["stringValue"],
        "flag"
    );

    // a LiteralMap in proto3 JSON is taken as it is
    let lm = dir.path().join("lm.json");
    std::fs::write(&lm, r#"{"literals": {"x": {"scalar": {"primitive": {"integer": "4"}}}, "name": {"scalar": {"primitive": {"stringValue": "lm"}}}}}"#).unwrap();
    let out = agentctl()
        .arg("inputs")
        .arg(&t)
        .arg("--inputs")
        .arg(&lm)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["literals"]["x"]["scalar"]["primitive"]["integer"], "4");

    // --input NAME=VALUE reaches every input
    let out = agentctl()
        .arg("inputs")
        .arg(&t)
        .args(["--input", "x=5", "--input", "name=pair"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["literals"]["x"]["scalar"]["primitive"]["integer"], "5");
}

/// Where `pyflyte run` rejects a value, agentctl rejects it too (exit 2, nothing sent) — except
/// two documented choices where agentctl is more lenient (README, "Choices where the sources
/// disagree"): JSON integers for floats in a map, and RFC 3339 datetimes with an offset.
#[test]
fn values_pyflyte_rejects_are_rejected() {
    const MORE_LENIENT: &[&str] = &["map_float_given_ints", "datetime_offset_no_space"];
    let cases: Vec<serde_json::Value> =
        serde_json::from_slice(&read(&pyfixture("inputs_error_cases.json"))).unwrap();
    assert!(cases.len() >= 10);
    let mut wrong = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let args: Vec<&str> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let cwd = pyfixtures().join(case["cwd"].as_str().unwrap_or("."));
        let out = agentctl()
            .current_dir(&cwd)
            .arg("inputs")
            .arg(pyfixture(case["template"].as_str().unwrap()))
            .args(&args)
            .output()
            .unwrap();
        let expected = if MORE_LENIENT.contains(&name) {
            Some(0)
        } else {
            Some(2)
        };
        if out.status.code() != expected {
            wrong.push(format!(
                "{name}: exit {:?}, expected {expected:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_literal_map_file_is_checked_against_the_interface() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inputs.json");
    // a string where the interface declares an integer: refused here, not by the server
    std::fs::write(
        &file,
        r#"{"literals": {"x": {"scalar": {"primitive": {"stringValue": "seven"}}}, "name": {"scalar": {"primitive": {"stringValue": "a"}}}}}"#,
    )
    .unwrap();
    let out = agentctl()
        .arg("inputs")
        .arg(pyfixture("success.template.json"))
        .arg("--inputs")
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("input x") && err.contains("\"seven\"") && err.contains("integer"),
        "{err}"
    );
    // an integer for a float and the right types pass
    std::fs::write(
        &file,
        r#"{"literals": {"x": {"scalar": {"primitive": {"integer": "7"}}}, "name": {"scalar": {"primitive": {"stringValue": "a"}}}}}"#,
    )
    .unwrap();
    let out = agentctl()
        .arg("inputs")
        .arg(pyfixture("success.template.json"))
        .arg("--inputs")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One rule wherever an input is given: twice in one place is an error, never "last wins".
#[test]
fn an_input_given_twice_is_an_error_in_every_form() {
    let dir = tempfile::tempdir().unwrap();
    let t = pyfixture("success.template.json");
    let json = dir.path().join("dup.json");
    std::fs::write(&json, r#"{"x": 1, "name": "a", "x": 2}"#).unwrap();
    let yaml = dir.path().join("dup.yaml");
    std::fs::write(&yaml, "x: 1\nname: a\nx: 2\n").unwrap();
    let cases: Vec<Vec<std::ffi::OsString>> = vec![
        vec![
            "--x".into(),
            "1".into(),
            "--x".into(),
            "2".into(),
            "--name".into(),
            "a".into(),
        ],
        vec![
            "--input".into(),
            "x=1".into(),
            "--input".into(),
            "x=2".into(),
            "--name".into(),
            "a".into(),
        ],
        vec![
            "--x".into(),
            "1".into(),
            "--input".into(),
            "x=2".into(),
            "--name".into(),
            "a".into(),
        ],
        vec!["--inputs".into(), json.into()],
        vec!["--inputs".into(), yaml.into()],
    ];
    for args in cases {
        let out = agentctl()
            .arg("inputs")
            .arg(&t)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
