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

use super::{fingerprints, location, DocUrl, Emitter, JsonFrame, Tally, TreeFindings};
use crate::diagnostic::Severity;
use serde_json::json;
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
        frame().finish(out, tally.pieces)
    }

    /// Fingerprints are unique per tree, and so per run (see [`super::sarif::Sarif`]).
    fn render(&self, t: &TreeFindings) -> Vec<String> {
        let prints = fingerprints(std::slice::from_ref(t));
        let mut issues: Vec<String> = Vec::new();
        for (d, fp) in t.diagnostics.iter().zip(&prints[0]) {
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
            issues.push(frame().member(&json!({
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
