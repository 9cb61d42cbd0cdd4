//! GitHub Actions: `::error file=…,line=…,title=…::` workflow commands pointing at a failing
//! case's line, and a Markdown table of results appended to `$GITHUB_STEP_SUMMARY`.

use std::io::Write as _;

use super::{Outcome, Suite};

/// Workflow-command data: `%`, CR and LF escaped.
fn data(s: &str) -> String {
    crate::mask::apply(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow-command property: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The `::error` lines for every case that did not pass.
pub fn annotations(suites: &[Suite]) -> String {
    let mut out = String::new();
    for s in suites {
        for c in s
            .cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Failed | Outcome::Errored))
        {
            let mut props = Vec::new();
            if let Some(f) = &s.file {
                props.push(format!("file={}", property(&f.display().to_string())));
            }
            if let Some(l) = c.line {
                props.push(format!("line={l}"));
            }
            props.push(format!(
                "title={}",
                property(&format!("{}: {}", s.name, c.name))
            ));
            // the detail starts with the message when there is one
            let body = if c.detail.is_empty() {
                c.message.clone()
            } else {
                c.detail.clone()
            };
            out.push_str(&format!("::error {}::{}\n", props.join(","), data(&body)));
        }
    }
    out
}

/// The step summary: one row per case.
pub fn summary(suites: &[Suite]) -> String {
    let mut md = String::from(
        "### agentctl test\n\n| suite | case | result | time | message |\n|---|---|---|---|---|\n",
    );
    for s in suites {
        for c in &s.cases {
            let result = match c.outcome {
                Outcome::Passed => "✅ passed",
                Outcome::Failed => "❌ failed",
                Outcome::Errored => "⚠️ error",
                Outcome::Skipped => "⏭️ skipped",
            };
            let cell = |t: &str| crate::mask::apply(t).replace('|', "\\|").replace('\n', " ");
            md.push_str(&format!(
                "| {} | {} | {result} | {:.2}s | {} |\n",
                cell(&s.name),
                cell(&c.name),
                c.time.as_secs_f64(),
                cell(&c.message)
            ));
        }
    }
    md
}

/// Appends the summary to `$GITHUB_STEP_SUMMARY`, when it is set.
pub fn append_summary(suites: &[Suite]) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return Ok(());
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(summary(suites).as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(super::data("50%\nx"), "50%25%0Ax");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
