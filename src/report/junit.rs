//! JUnit XML as GitLab, Jenkins and the common GitHub actions parse it (Jenkins' junit-10.xsd):
//! one `<testsuite>` per suite, one `<testcase>` per case with its time, `<failure>` for an
//! expectation not met, `<error>` for an RPC failure, timeout or setup problem, suite facts in
//! `<properties>`, case details in `<system-out>`. Text is masked and made valid XML 1.0.

use std::fmt::Write as _;

use super::{Outcome, Suite};

/// Text as XML character data or attribute value: escaped, masked, and with the characters
/// XML 1.0 cannot hold shown as `\u{..}`.
fn esc(s: &str) -> String {
    let s = crate::mask::apply(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

pub fn write(suites: &[Suite]) -> String {
    let total = |o: Option<Outcome>| -> usize {
        suites
            .iter()
            .map(|s| o.map_or(s.cases.len(), |o| s.count(o)))
            .sum()
    };
    let time: f64 = suites.iter().map(|s| s.time.as_secs_f64()).sum();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"agentctl\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{time:.3}\">",
        total(None),
        total(Some(Outcome::Failed)),
        total(Some(Outcome::Errored)),
    );
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S");
    for s in suites {
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\" timestamp=\"{timestamp}\"{}>",
            esc(&s.name),
            s.cases.len(),
            s.count(Outcome::Failed),
            s.count(Outcome::Errored),
            s.count(Outcome::Skipped),
            s.time.as_secs_f64(),
            s.file
                .as_ref()
                .map(|f| format!(" file=\"{}\"", esc(&f.display().to_string())))
                .unwrap_or_default(),
        );
        if !s.properties.is_empty() {
            x.push_str("    <properties>\n");
            for (k, v) in &s.properties {
                let _ = writeln!(
                    x,
                    "      <property name=\"{}\" value=\"{}\"/>",
                    esc(k),
                    esc(v)
                );
            }
            x.push_str("    </properties>\n");
        }
        for c in &s.cases {
            let _ = write!(
                x,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
                esc(&c.name),
                esc(&s.name),
                c.time.as_secs_f64()
            );
            // junit-10.xsd has no line attribute: the line is in system-out
            x.push_str(">\n");
            let element = match c.outcome {
                Outcome::Passed => None,
                Outcome::Failed => Some("failure"),
                Outcome::Errored => Some("error"),
                Outcome::Skipped => Some("skipped"),
            };
            if let Some(el) = element {
                let _ = writeln!(
                    x,
                    "      <{el} message=\"{}\" type=\"{el}\">{}</{el}>",
                    esc(&c.message),
                    esc(&c.detail)
                );
            }
            let mut out = c.system_out.clone();
            if let (Some(l), Some(f)) = (c.line, &s.file) {
                out = format!("at: {}:{l}\n{out}", f.display());
            }
            if !out.is_empty() {
                let _ = writeln!(x, "      <system-out>{}</system-out>", esc(&out));
            }
            x.push_str("    </testcase>\n");
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Case;

    #[test]
    fn text_is_escaped_and_valid_xml_characters_only() {
        assert_eq!(esc("a<b>&\"'\u{1b}"), "a&lt;b&gt;&amp;&quot;&apos;\\u{1b}");
        let s = Suite {
            name: "s".into(),
            file: None,
            properties: vec![("agent".into(), "x".into())],
            cases: vec![Case {
                name: "c".into(),
                outcome: Outcome::Failed,
                message: "m".into(),
                detail: "d".into(),
                time: std::time::Duration::from_millis(1500),
                system_out: String::new(),
                line: Some(3),
            }],
            time: std::time::Duration::from_secs(2),
        };
        let xml = write(&[s]);
        assert!(
            xml.contains("<testcase name=\"c\" classname=\"s\" time=\"1.500\">"),
            "{xml}"
        );
        assert!(
            xml.contains("<failure message=\"m\" type=\"failure\">d</failure>"),
            "{xml}"
        );
        assert!(xml.contains("failures=\"1\""), "{xml}");
    }
}
