//! `--format gitlab`: a GitLab Code Quality report (a JSON array of Code Climate
//! issues), for `artifacts: reports: codequality:` in `.gitlab-ci.yml`. GitLab shows
//! the findings a merge request adds or fixes in its widget and diff.
//!
//! GitLab reads `description`, `check_name`, `fingerprint`, `severity`,
//! `location.path` and `location.lines.begin`; an issue without description,
//! fingerprint, severity or location is dropped, and issues with the same
//! fingerprint are counted once, so fingerprints are unique in a report and stable
//! across runs and line moves (see [`super::fingerprints`]).

use super::{fingerprints, location, Emitter, JsonFrame, Tally, TreeFindings};
use crate::diagnostic::Severity;
use serde_json::json;
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

/// The report: one array.
fn frame() -> &'static JsonFrame {
    static FRAME: std::sync::OnceLock<JsonFrame> = std::sync::OnceLock::new();
    FRAME.get_or_init(|| JsonFrame::new(&JsonFrame::slot()))
}

impl Emitter for Gitlab {
    fn start(&self, out: &mut dyn Write) -> io::Result<()> {
        frame().start(out)
    }

    fn piece(&self, out: &mut dyn Write, piece: &str, first: bool) -> io::Result<()> {
        frame().piece(out, piece, first)
    }

    fn finish(&self, out: &mut dyn Write, tally: &Tally) -> io::Result<()> {
        frame().finish(out, tally.total())
    }

    /// Fingerprints are unique per tree, and so per run (see [`super::sarif::Sarif`]).
    fn render(&self, t: &TreeFindings) -> Vec<String> {
        let prints = fingerprints(std::slice::from_ref(t));
        let mut issues: Vec<String> = Vec::new();
        for (d, fp) in t.diagnostics.iter().zip(&prints[0]) {
            let loc = location(t.tree, d);
            let family = d.rule.family().name();
            issues.push(frame().member(&json!({
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
            })));
        }
        issues
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
