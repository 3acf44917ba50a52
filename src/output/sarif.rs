//! `--format sarif`: SARIF 2.1.0 (OASIS), as read by GitHub code scanning and IDEs.
//!
//! One run; `tool.driver.rules` is the whole catalogue (so a consumer can show a
//! rule's documentation for alerts that are already closed), results carry regions
//! in the file they were found in, notes as `relatedLocations`, and fixes as
//! `fixes[].artifactChanges[].replacements` (a deleted region and the text put in
//! its place). Columns count Unicode code points (`columnKind`), as ours do.
//!
//! Written by hand with serde_json: SARIF is large, we use a small subset, and the
//! output is checked against the official schema in the tests.

use super::{fingerprints, location, DocUrl, Emitter, JsonFrame, Tally, TreeFindings};
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::registry::catalogue;
use crate::tree::Tree;
use serde_json::{json, Map, Value};
use std::io::{self, Write};

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Default)]
pub struct Sarif {
    pub docs: DocUrl,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a SARIF URI reference: relative paths stay relative (GitHub resolves
/// them against the checkout), absolute ones become `file://` URIs; characters that
/// are not allowed in a URI path are percent-encoded.
pub fn uri(path: &str) -> String {
    let mut s = String::new();
    if path.starts_with('/') {
        s.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn region(tree: &Tree, file: usize, span: &std::ops::Range<usize>) -> Value {
    let f = &tree.files[file];
    let (start_line, start_column) = f.line_col(span.start);
    let (end_line, end_column) = f.line_col(span.end);
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

fn artifact(tree: &Tree, file: usize) -> Value {
    json!({ "uri": uri(&tree.files[file].display) })
}

/// The rule's documentation page, without the "generated from" comment.
fn help_markdown(m: &catalogue::RuleMeta) -> String {
    let page = crate::docs::rule_page(m);
    page.lines()
        .skip_while(|l| l.starts_with("<!--") || l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect()
}

fn rule_descriptor(m: &catalogue::RuleMeta, docs: &DocUrl) -> Value {
    let mut help_text = format!("{}\n\nWhy is this bad?\n{}", m.what_it_does, m.why);
    if !m.use_instead.is_empty() {
        help_text.push_str(&format!("\n\nUse instead:\n{}", m.use_instead));
    }
    let mut descriptor = json!({
        "id": m.name,
        "name": m.name,
        "shortDescription": { "text": m.summary },
        "fullDescription": { "text": m.what_it_does },
        "help": { "text": help_text, "markdown": help_markdown(m) },
        "defaultConfiguration": { "level": level(m.severity) },
        "properties": {
            "family": m.family,
            "fix": m.fix.as_str(),
            "tags": [m.family],
        },
    });
    // The schema wants an absolute URI here; the default, a path in kpkg-lint's
    // repository, is left out (the page itself is `help.markdown`).
    if docs.is_absolute() {
        descriptor["helpUri"] = json!(docs.for_rule(&m.name));
    }
    descriptor
}

fn result(tree: &Tree, d: &Diagnostic, rule_index: Option<usize>, fingerprint: &str) -> Value {
    let loc = location(tree, d);
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(d.rule.name()));
    if let Some(i) = rule_index {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(level(d.severity)));
    r.insert("message".into(), json!({ "text": text }));
    let mut physical = json!({ "artifactLocation": { "uri": uri(&loc.path) } });
    if tree.files[d.file].skipped.is_none() {
        physical["region"] = region(tree, d.file, &d.span);
    }
    r.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical }]),
    );
    if !d.notes.is_empty() {
        let related: Vec<Value> = d
            .notes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                json!({
                    "id": i,
                    "message": { "text": n.message },
                    "physicalLocation": {
                        "artifactLocation": artifact(tree, n.file),
                        "region": region(tree, n.file, &n.span),
                    },
                })
            })
            .collect();
        r.insert("relatedLocations".into(), json!(related));
    }
    if let Some(o) = &d.overridden {
        // An overrides file is kept outside the file the finding is in: an
        // external suppression, with the reason written above the override.
        let mut suppression = json!({
            "kind": "external",
            "location": {
                "physicalLocation": {
                    "artifactLocation": artifact(tree, o.file),
                    "region": region(tree, o.file, &o.span),
                },
            },
        });
        if let Some(reason) = &o.reason {
            suppression["justification"] = json!(reason);
        }
        r.insert("suppressions".into(), json!([suppression]));
    }
    r.insert(
        "partialFingerprints".into(),
        json!({ "kpkgLintFinding/v1": fingerprint }),
    );
    if let Some(fix) = &d.fix {
        let mut changes: Vec<Value> = Vec::new();
        let mut files: Vec<usize> = fix.edits.iter().map(|e| e.file).collect();
        files.sort_unstable();
        files.dedup();
        for file in files {
            // Last region first: applying them one after the other, each against the
            // text as the previous ones left it, gives the same result as applying
            // them all to the original.
            let mut edits: Vec<&crate::diagnostic::Edit> =
                fix.edits.iter().filter(|e| e.file == file).collect();
            edits.sort_by(|a, b| {
                b.span
                    .start
                    .cmp(&a.span.start)
                    .then(b.span.end.cmp(&a.span.end))
            });
            let replacements: Vec<Value> = edits
                .into_iter()
                .map(|e| {
                    json!({
                        "deletedRegion": region(tree, file, &e.span),
                        "insertedContent": { "text": e.content },
                    })
                })
                .collect();
            changes.push(json!({
                "artifactLocation": artifact(tree, file),
                "replacements": replacements,
            }));
        }
        for n in &fix.new_files {
            // A new file: the whole content inserted at the start of an empty artifact.
            changes.push(json!({
                "artifactLocation": { "uri": uri(&tree.display_for(&n.rel)) },
                "replacements": [{
                    "deletedRegion": { "startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1 },
                    "insertedContent": { "text": n.content },
                }],
            }));
        }
        let safety = match fix.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        };
        r.insert(
            "fixes".into(),
            json!([{
                "description": { "text": fix.description },
                "artifactChanges": changes,
                "properties": { "applicability": safety },
            }]),
        );
    }
    Value::Object(r)
}

/// The document around the results: the run, with the whole catalogue (whose
/// `helpUri`s depend on `docs`).
fn frame(docs: &DocUrl) -> JsonFrame {
    let rules: Vec<Value> = catalogue::catalogue()
        .iter()
        .map(|m| rule_descriptor(m, docs))
        .collect();
    JsonFrame::new(&json!({
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "kpkg-lint",
                        "version": env!("CARGO_PKG_VERSION"),
                        "semanticVersion": env!("CARGO_PKG_VERSION"),
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": JsonFrame::slot(),
            }],
    }))
}

/// The frame for the results alone: their depth in the document, which is the
/// same whatever the documentation links ([`frame`] is built for the start and
/// the end of the document only).
fn members() -> &'static JsonFrame {
    static FRAME: std::sync::OnceLock<JsonFrame> = std::sync::OnceLock::new();
    FRAME.get_or_init(|| frame(&DocUrl::default()))
}

impl Emitter for Sarif {
    fn start(&self, out: &mut dyn Write) -> io::Result<()> {
        frame(&self.docs).start(out)
    }

    /// Fingerprints count identical findings within the tree: every path a tree
    /// shows starts with its root, so no two trees of a run share one.
    fn render(&self, t: &TreeFindings) -> Vec<String> {
        let cat = catalogue::catalogue();
        let prints = fingerprints(std::slice::from_ref(t));
        t.diagnostics
            .iter()
            .zip(&prints[0])
            .map(|(d, fp)| {
                let index = cat.iter().position(|m| m.name == d.rule.name());
                members().member(&result(t.tree, d, index, fp))
            })
            .collect()
    }

    fn piece(&self, out: &mut dyn Write, piece: &str, first: bool) -> io::Result<()> {
        members().piece(out, piece, first)
    }

    fn finish(&self, out: &mut dyn Write, tally: &Tally) -> io::Result<()> {
        frame(&self.docs).finish(out, tally.pieces)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(super::uri("debian/rules"), "debian/rules");
        assert_eq!(super::uri("my tree/debian/rules"), "my%20tree/debian/rules");
        assert_eq!(super::uri("/srv/a#b/c%d"), "file:///srv/a%23b/c%25d");
        assert_eq!(super::uri("../x/ü"), "../x/%C3%BC");
    }
}
