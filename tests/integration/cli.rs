//! The command line's own surface: help (snapshots), completions that stay in step with the
//! clap definition, exit codes documented in --help.

use crate::util::{Run, pyfixture, repo};

#[test]
fn help_lists_commands_and_exit_codes() {
    let help = Run::new(["--help"]).run();
    insta::assert_snapshot!("help", help.stdout);
}

#[test]
fn run_help_lists_the_task_inputs() {
    let t = pyfixture("all_types.template.json");
    let help = Run::new(["run", "all_types.template.json", "--help"])
        .current_dir(t.parent().unwrap())
        .run();
    insta::assert_snapshot!("run_help_all_types", help.stdout);
}

#[test]
fn committed_completions_are_fresh() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        Run::new(["completions", shell, "--dir"])
            .arg(dir.path())
            .run();
    }
    for name in [
        "agentctl.bash",
        "_agentctl",
        "agentctl.fish",
        "_agentctl.ps1",
        "agentctl.elv",
    ] {
        let fresh = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let committed =
            std::fs::read_to_string(repo().join("completions").join(name)).unwrap_or_default();
        assert!(
            fresh == committed,
            "completions/{name} is stale: run `cargo run -- completions <shell> --dir completions` for each shell"
        );
    }
}

#[test]
fn an_input_named_like_an_option_is_reached_with_input_and_marked_in_help() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.json");
    std::fs::write(
        &t,
        r#"{"type": "x", "interface": {"inputs": {"variables": {
            "timeout": {"type": {"simple": "INTEGER"}},
            "config": {"type": {"simple": "STRING"}},
            "dry_run": {"type": {"simple": "BOOLEAN"}}}}}}"#,
    )
    .unwrap();
    Run::new(["run"])
        .arg(&t)
        .arg("--help")
        .stdout_contains("Task inputs that share a name with an agentctl option")
        .stdout_contains("timeout (integer): pass it as --input timeout=VALUE")
        .stdout_contains("config (string): pass it as --input config=VALUE")
        .run();
    // agentctl's --timeout keeps its meaning; the input is reached with --input
    let v = Run::new(["inputs"])
        .arg(&t)
        .args(["--input", "timeout=5", "--input", "config=c", "--dry_run"])
        .run()
        .json();
    assert_eq!(
        v["literals"]["timeout"]["scalar"]["primitive"]["integer"],
        "5"
    );
    assert_eq!(
        v["literals"]["dry_run"]["scalar"]["primitive"]["boolean"],
        true
    );
}

#[test]
fn the_readme_exit_code_table_is_the_one_in_the_code() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("### Exit codes")
        .nth(1)
        .expect("README has an exit-code section");
    let rows: Vec<(u8, String)> = section
        .lines()
        .skip_while(|l| !l.starts_with("| code"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells[0].parse().unwrap(), cells[1].to_string())
        })
        .collect();
    let code: Vec<(u8, String)> = agentctl::error::exit::TABLE
        .iter()
        .map(|(c, m)| (*c, m.to_string()))
        .collect();
    assert_eq!(rows, code);
}

#[test]
fn the_readme_lists_every_check_rule() {
    let readme = std::fs::read_to_string(crate::util::repo().join("README.md")).unwrap();
    let section = readme
        .split("## Contract checks")
        .nth(1)
        .expect("README has a check section");
    let ids: Vec<String> = section
        .lines()
        .skip_while(|l| !l.starts_with("| rule"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.split('|')
                .nth(1)
                .unwrap()
                .trim()
                .trim_matches('`')
                .to_string()
        })
        .collect();
    let code: Vec<String> = agentctl::check::RULES
        .iter()
        .map(|(id, _, _)| id.to_string())
        .collect();
    assert_eq!(ids, code);
}
