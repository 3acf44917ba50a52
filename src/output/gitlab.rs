//! `--format gitlab`: a GitLab Code Quality report (a JSON array of Code Climate
//! issues), for `artifacts: reports: codequality:` in `.gitlab-ci.yml`. GitLab shows
//! the findings a merge request adds or fixes in its widget and diff.
//!
//! GitLab reads `description`, `check_name`, `fingerprint`, `severity`,
//! `location.path` and `location.lines.begin`; an issue without description,
//! fingerprint, severity or location is dropped, and issues with the same
//! fingerprint are counted once, so fingerprints are unique in a report and stable
//! across runs and line moves (see [`super::fingerprints`]).

use super::{fingerprints, location, Emitter, TreeFindings};
use crate::diagnostic::Severity;
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct Gitlab;

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
                let loc = location(t.tree, d);
                let family = d.rule.family().name();
                issues.push(json!({
                    "type": "issue",
                    "description": format!("{}: {}", d.rule, d.message),
                    "check_name": d.rule.name(),
                    "content": { "body": d.help.clone().unwrap_or_default() },
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
