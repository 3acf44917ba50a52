//! `--format json`: one object, `{"version":1,"findings":[…]}`. `version` is the
//! schema version: it changes only when a field is removed or changes meaning
//! (fields may be added within a version). Each finding carries its notes (the
//! other places involved) and, when it has one, its fix: the description,
//! whether `--fix` applies it (`safe`) or only `--unsafe-fixes` (`unsafe`), and
//! its edits as ranges of line and column (1-based, in characters, end
//! exclusive) and of bytes (`start`, `end`: offsets into the file) with the text
//! that replaces them. `url` is the rule's documentation page ([`super::DocUrl`]);
//! a finding an overrides file silences (shown with `--show-overrides`) has
//! `overridden`: the override's place and the reason written above it.

use super::{location, DocUrl, Emitter, JsonFrame, Tally, TreeFindings};
use crate::diagnostic::Applicability;
use crate::diagnostic::Diagnostic;
use crate::tree::Tree;
use serde_json::{json, Value};
use std::io::{self, Write};

#[derive(Default)]
pub struct Json {
    pub docs: DocUrl,
}

/// The document around the findings.
fn frame() -> &'static JsonFrame {
    static FRAME: std::sync::OnceLock<JsonFrame> = std::sync::OnceLock::new();
    FRAME.get_or_init(|| JsonFrame::new(&json!({ "version": 1, "findings": JsonFrame::slot() })))
}

impl Emitter for Json {
    fn start(&self, out: &mut dyn Write) -> io::Result<()> {
        frame().start(out)
    }

    fn render(&self, t: &TreeFindings) -> Vec<String> {
        t.diagnostics
            .iter()
            .map(|d| frame().member(&finding(t.tree, d, &self.docs)))
            .collect()
    }

    fn piece(&self, out: &mut dyn Write, piece: &str, first: bool) -> io::Result<()> {
        frame().piece(out, piece, first)
    }

    fn finish(&self, out: &mut dyn Write, tally: &Tally) -> io::Result<()> {
        frame().finish(out, tally.pieces)
    }
}

/// One finding as an object of the `findings` array (and a line of `--format jsonl`).
pub fn finding(tree: &Tree, d: &Diagnostic, docs: &DocUrl) -> Value {
    let loc = location(tree, d);
    let mut item = json!({
        "rule": d.rule.name(),
        "url": docs.for_rule(d.rule.name()),
        "severity": d.severity.as_str(),
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "message": d.message,
        "help": d.help,
        "fixable": d.fix.is_some(),
        "notes": d.notes.iter().map(|n| {
            let mut v = range(tree, n.file, &n.span);
            v["message"] = json!(n.message);
            v
        }).collect::<Vec<_>>(),
        "fix": d.fix.as_ref().map(|f| json!({
            "description": f.description,
            "applicability": match f.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe",
            },
            "edits": f.edits.iter().map(|e| {
                let mut v = range(tree, e.file, &e.span);
                v["content"] = json!(e.content);
                v
            }).collect::<Vec<_>>(),
            "new_files": f.new_files.iter().map(|n| json!({
                "path": n.rel,
                "content": n.content,
            })).collect::<Vec<_>>(),
        })),
    });
    if let Some(o) = &d.overridden {
        let mut v = range(tree, o.file, &o.span);
        v["reason"] = json!(o.reason);
        item["overridden"] = v;
    }
    item
}

/// Path and 1-based start and end (exclusive) of a span in a tree file.
fn range(tree: &Tree, file: crate::source::FileId, span: &crate::source::Span) -> Value {
    let f = &tree.files[file];
    let (line, column) = f.line_col(span.start);
    let (end_line, end_column) = f.line_col(span.end);
    json!({
        "path": f.display,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "start": span.start,
        "end": span.end,
    })
}
