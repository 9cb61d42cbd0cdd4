//! `agentctl test`: read and check every suite, run them, print what differed, write reports.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::super::Context;
use super::super::args::{Format, TestArgs};
use super::super::printer::Printer;
use crate::error::{Error, Result, exit};
use crate::report::{self, Outcome};
use crate::runner::Interrupts;
use crate::suite::{self, CaseResult};

pub fn test(ctx: &Context, a: TestArgs) -> Result<u8> {
    // validation first: nothing runs unless every suite reads
    let paths = suite::expand(&a.suites)?;
    let suites = paths
        .iter()
        .map(|p| suite::load(p))
        .collect::<Result<Vec<_>>>()?;
    for s in &suites {
        if let Some(env) = &s.defaults.env_file {
            dotenvy::from_path(env).map_err(|e| {
                let e = super::super::env_error(&e);
                Error::input(format!(
                    "{}: env_file {}: {e}",
                    s.path.display(),
                    env.display()
                ))
            })?;
        }
    }
    let jobs = a.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(4)
            .max(4)
    });
    let opts = suite::RunOptions {
        jobs,
        filter: a.filter.clone(),
        fail_fast: a.fail_fast,
        connect: ctx.connect.clone(),
    };
    let printer = ctx.printer;
    let human = a.format == Format::Human;
    super::super::block_on(async move {
        let interrupts = Interrupts::listen();
        let total = suites.iter().map(|s| s.cases.len()).sum();
        let live = Live::new(printer, human, total);
        let mut reports = Vec::new();
        let mut all: Vec<(String, CaseResult)> = Vec::new();
        let mut setup_error = None;
        for s in &suites {
            let (r, results, err) = suite::run(s, &opts, &interrupts, &live).await;
            if let Some(e) = err {
                printer.note(&format!("ERROR {}: {e}", s.path.display()));
                setup_error = Some(e);
            }
            all.extend(results.into_iter().map(|c| (r.name.clone(), c)));
            reports.push(r);
            if interrupts.count() > 0 || (a.fail_fast && failed(&reports)) {
                break;
            }
        }
        live.clear();
        write_reports(ctx, &a, &reports, &all)?;
        if human {
            summary(ctx, &reports, &all);
        }
        Ok(if interrupts.count() > 0 {
            exit::INTERRUPTED
        } else if setup_error.is_some() {
            exit::RPC
        } else if failed(&reports) {
            exit::TASK_FAILED
        } else {
            exit::SUCCESS
        })
    })
}

fn failed(reports: &[report::Suite]) -> bool {
    reports
        .iter()
        .any(|s| s.count(Outcome::Failed) + s.count(Outcome::Errored) > 0)
}

fn summary(ctx: &Context, reports: &[report::Suite], all: &[(String, CaseResult)]) {
    let count = |o| reports.iter().map(|s| s.count(o)).sum::<usize>();
    for (suite, r) in all
        .iter()
        .filter(|(_, r)| r.case.outcome != Outcome::Passed)
    {
        ctx.printer.note(&format!(
            "\n{suite} / {} ({}:{}):\n{}",
            r.case.name,
            reports
                .iter()
                .find(|s| &s.name == suite)
                .and_then(|s| s.file.as_ref())
                .map(|f| f.display().to_string())
                .unwrap_or_default(),
            r.case.line.unwrap_or(0),
            r.case
                .detail
                .lines()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    // --quiet prints only this
    ctx.printer.summary(&format!(
        "\n{} passed, {} failed, {} errors",
        count(Outcome::Passed),
        count(Outcome::Failed),
        count(Outcome::Errored)
    ));
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text)
        .map_err(|e| Error::input(format!("cannot write {}: {e}", path.display())))
}

fn write_reports(
    ctx: &Context,
    a: &TestArgs,
    reports: &[report::Suite],
    all: &[(String, CaseResult)],
) -> Result<()> {
    if let Some(path) = &a.junit {
        write_file(path, &report::junit::write(reports))?;
    }
    let doc = serde_json::json!({
        "suites": reports.iter().map(|s| serde_json::json!({
            "name": s.name,
            "file": s.file,
            "properties": s.properties.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
            "duration_seconds": s.time.as_secs_f64(),
        })).collect::<Vec<_>>(),
        "cases": all.iter().map(|(suite, r)| serde_json::json!({
            "suite": suite,
            "name": r.case.name,
            "status": r.case.outcome,
            "message": r.case.message,
            "detail": r.case.detail,
            "expected": r.expected,
            "actual": {
                "phase": r.report.phase,
                "message": r.report.message,
                "error": r.error,
            },
            "outputs": r.report.outputs.as_ref().map(crate::literal::map_to_plain_json),
            "attempts": r.report.attempts,
            "duration_seconds": r.case.time.as_secs_f64(),
            "resource_meta": String::from_utf8_lossy(&r.report.resource_meta),
            "exit_code": r.exit_code,
            "line": r.case.line,
        })).collect::<Vec<_>>(),
    });
    if let Some(path) = &a.report {
        write_file(
            path,
            &crate::mask::apply(&super::super::printer::pretty(&doc)),
        )?;
    }
    if a.format == Format::Json {
        ctx.printer.json(&doc)?;
    }
    let github = a.github || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    if github {
        // with -o json stdout is one document; the runner reads workflow commands on stderr too
        let annotations = report::github::annotations(reports);
        if a.format == Format::Json {
            eprint!("{annotations}");
        } else {
            let _ = ctx.printer.out(&annotations);
        }
        report::github::append_summary(reports)
            .map_err(|e| Error::input(format!("cannot append to GITHUB_STEP_SUMMARY: {e}")))?;
    }
    Ok(())
}

/// On a terminal, one live line per running case and a counter (indicatif); elsewhere one line
/// per finished case; nothing per case with `--quiet` or `-o json`.
struct Live {
    printer: Printer,
    human: bool,
    multi: Option<MultiProgress>,
    counter: Option<ProgressBar>,
    running: RefCell<HashMap<String, ProgressBar>>,
    failed: Cell<usize>,
}

impl Live {
    fn new(printer: Printer, human: bool, total: usize) -> Self {
        let terminal = human
            && !printer.quiet
            && std::io::stderr().is_terminal()
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        let multi = terminal.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        let counter = multi.as_ref().map(|m| {
            let pb = m.add(ProgressBar::new(total as u64));
            pb.set_style(
                ProgressStyle::with_template("{pos}/{len} cases done{msg} [{elapsed}]")
                    .expect("static template"),
            );
            // drawn from the start, under the running cases
            pb.tick();
            pb
        });
        Live {
            printer,
            human,
            multi,
            counter,
            running: RefCell::default(),
            failed: Cell::new(0),
        }
    }

    fn clear(&self) {
        if let Some(c) = &self.counter {
            c.finish_and_clear();
        }
    }
}

impl suite::Watcher for Live {
    fn started(&self, suite: &str, case: &str) {
        let (Some(multi), Some(counter)) = (&self.multi, &self.counter) else {
            return;
        };
        let pb = multi.insert_before(counter, ProgressBar::new_spinner());
        pb.set_style(
            ProgressStyle::with_template("{spinner:.cyan} {msg} [{elapsed}]")
                .expect("static template"),
        );
        pb.set_message(crate::mask::apply(&format!("{suite} / {case}")));
        pb.enable_steady_tick(std::time::Duration::from_millis(100));
        self.running
            .borrow_mut()
            .insert(format!("{suite}/{case}"), pb);
    }

    fn finished(&self, suite: &str, r: &CaseResult) {
        if !self.human {
            return;
        }
        if let Some(pb) = self
            .running
            .borrow_mut()
            .remove(&format!("{suite}/{}", r.case.name))
        {
            pb.finish_and_clear();
        }
        let status = match r.case.outcome {
            Outcome::Passed => "PASS",
            Outcome::Failed => "FAIL",
            Outcome::Errored => "ERROR",
            Outcome::Skipped => "SKIP",
        };
        if r.case.outcome != Outcome::Passed {
            self.failed.set(self.failed.get() + 1);
        }
        let why = if r.case.message.is_empty() {
            String::new()
        } else {
            format!(": {}", r.case.message)
        };
        let line = format!(
            "{status:<5} {suite} / {} [{:.2}s]{why}",
            r.case.name,
            r.case.time.as_secs_f64()
        );
        match (&self.multi, &self.counter) {
            (Some(multi), Some(counter)) => {
                let _ = multi.println(crate::mask::apply(&crate::progress::safe(&line)));
                counter.inc(1);
                if self.failed.get() > 0 {
                    counter.set_message(format!(", {} not passed", self.failed.get()));
                }
            }
            _ => self.printer.note(&line),
        }
    }
}
