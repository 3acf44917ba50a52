//! `--format lintian`: one line per finding in lintian's style, for people and
//! scripts used to lintian:
//!
//! `W: linux source: forced-serial-flag -j1 [debian/rules:23]`
//!
//! As in lintian's output for a source package: the severity letter (E, W, I), the
//! source package name followed by `source`, the rule (lintian's tag), the text the
//! finding is about as context (when it is one short line), and the pointer in
//! brackets. The message and help are not printed (`kpkg-lint explain RULE` has them,
//! as `lintian-explain-tags` does for tags).

use super::{escape_line, location, source_name, Emitter, TreeFindings};
use crate::diagnostic::Severity;
use std::fmt::Write as _;

pub struct Lintian;

impl Emitter for Lintian {
    /// One piece a tree: its lines.
    fn render(&self, t: &TreeFindings) -> Vec<String> {
        if t.diagnostics.is_empty() {
            return Vec::new();
        }
        let mut out = String::new();
        let source = escape_line(&source_name(t.tree));
        for d in t.diagnostics {
            let code = match d.severity {
                // lintian's mark for an overridden tag (--show-overrides).
                _ if d.overridden.is_some() => 'O',
                Severity::Error => 'E',
                Severity::Warning => 'W',
                Severity::Info => 'I',
            };
            let f = &t.tree.files[d.file];
            let loc = location(t.tree, d);
            let context = d.context(&f.text).map(|c| escape_line(&c));
            let path = escape_line(&loc.path);
            let pointer = if f.skipped.is_some() {
                path
            } else {
                format!("{path}:{}", loc.line)
            };
            let _ = match context {
                Some(c) => {
                    writeln!(out, "{code}: {source} source: {} {c} [{pointer}]", d.rule)
                }
                None => writeln!(out, "{code}: {source} source: {} [{pointer}]", d.rule),
            };
        }
        vec![out]
    }
}
