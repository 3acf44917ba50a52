//! `--format gitlab`: a GitLab Code Quality report (a JSON array of Code Climate
//! issues), for `artifacts: reports: codequality:` in `.gitlab-ci.yml`. GitLab shows
//! the findings a merge request adds or fixes in its widget and diff.
//!
//! GitLab reads `description`, `check_name`, `fingerprint`, `severity`,
//! `location.path` and `location.lines.begin`; an issue without description,
//! fingerprint, severity or location is dropped, and issues with the same
//! fingerprint are counted once, so fingerprints are unique in a report and stable
//! across runs and line moves (see [`super::fingerprints`]). The rule's
//! documentation page ends `content.body` (Markdown, shown with the issue) and is
//! also in `url`.

use super::{fingerprints, location, DocUrl, Emitter, TreeFindings};
use crate::diagnostic::Severity;
use serde_json::{json, Value};
use std::io::{self, Write};

#[derive(Default)]
pub struct Gitlab {
    pub docs: DocUrl,
}

/// Code Climate severities are info, minor, major, critical, blocker. Errors break the
/// build (`critical`); warnings make it slow or wrong in some configurations (`major`);
/// info is `info`. `blocker` is left for nothing we find statically.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

impl Emitter for Gitlab {
    fn emit(&self, out: &mut dyn Write, findings: &[TreeFindings]) -> io::Result<()> {
        let prints = fingerprints(findings);
        let mut issues: Vec<Value> = Vec::new();
        for (t, fps) in findings.iter().zip(&prints) {
            for (d, fp) in t.diagnostics.iter().zip(fps) {
                if d.overridden.is_some() {
                    // An overridden finding is no issue of the merge request.
                    continue;
                }
                let loc = location(t.tree, d);
                let family = d.rule.family().name();
                let url = self.docs.for_rule(d.rule.name());
                let body = match &d.help {
                    Some(h) => format!("{h}\n\nDocumentation: {url}"),
                    None => format!("Documentation: {url}"),
                };
                issues.push(json!({
                    "type": "issue",
                    "description": format!("{}: {}", d.rule, d.message),
                    "check_name": d.rule.name(),
                    "content": { "body": body },
                    "url": url,
                    "categories": [category(family)],
                    "fingerprint": fp,
                    "severity": severity(d.severity),
                    "location": {
                        "path": loc.path,
                        "lines": { "begin": loc.line, "end": loc.end_line },
                    },
                }));
            }
        }
        serde_json::to_writer_pretty(&mut *out, &issues)?;
        writeln!(out)
    }
}

/// Code Climate categories: Bug Risk, Clarity, Compatibility, Complexity,
/// Duplication, Performance, Security, Style.
fn category(family: &str) -> &'static str {
    match family {
        "parallel" => "Performance",
        "cross" | "stale" | "flavour" => "Compatibility",
        _ => "Bug Risk",
    }
}
