//! `# kpkg-lint: allow(rule-or-family, …) reason` comments: which findings each
//! one silences, and the ones that silence nothing (`unused-suppression`).
//!
//! A suppression covers findings on its own line, and on the next line when the
//! comment stands on a line of its own; when that next line is continued with a
//! `\` (a makefile statement over several lines), on the lines it continues to
//! as well.

use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::registry::{self, Rule, RuleSet, Selector};
use crate::source::{FileId, Span};
use crate::tree::Tree;

const MARK: &str = "kpkg-lint: allow(";

/// One name inside `allow(…)`.
pub struct Name {
    pub text: String,
    pub span: Span,
    /// `None` for a name the registry does not know.
    pub selector: Option<Selector>,
    pub used: bool,
}

pub struct Suppression {
    pub file: FileId,
    /// 0-based line of the comment.
    pub line: usize,
    /// The comment stands alone on its line, so it also covers the next one.
    pub own_line: bool,
    /// From the `#` to the end of the line.
    pub comment: Span,
    /// The whole line, without its terminator.
    pub line_span: Span,
    pub names: Vec<Name>,
}

/// Every suppression comment of the tree.
pub fn scan(tree: &Tree) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (file, f) in tree.files.iter().enumerate() {
        if f.skipped.is_some() || !f.text.contains(MARK) {
            continue;
        }
        for line in 0..f.line_count() {
            let Some(line_span) = f.line_span(line) else {
                continue;
            };
            let text = &f.text[line_span.clone()];
            let Some(hash) = text.find('#') else { continue };
            let Some(pos) = text[hash..].find(MARK) else {
                continue;
            };
            let open = line_span.start + hash + pos + MARK.len();
            let Some(close) = f.text[open..line_span.end].find(')') else {
                continue;
            };
            let mut names = Vec::new();
            let mut at = open;
            for part in f.text[open..open + close].split(',') {
                let lead = part.len() - part.trim_start().len();
                let name = part.trim();
                if !name.is_empty() {
                    let start = at + lead;
                    names.push(Name {
                        text: name.to_string(),
                        span: start..start + name.len(),
                        selector: registry::resolve(name, false).ok(),
                        used: false,
                    });
                }
                at += part.len() + 1;
            }
            out.push(Suppression {
                file,
                line,
                own_line: text[..hash].trim().is_empty(),
                comment: line_span.start + hash..line_span.end,
                line_span,
                names,
            });
        }
    }
    out
}

/// The rules the suppressions name: the run needs them to tell a used
/// suppression from an unused one.
pub fn named_rules(sups: &[Suppression]) -> RuleSet {
    sups.iter()
        .flat_map(|s| &s.names)
        .filter_map(|n| n.selector.as_ref())
        .fold(RuleSet::empty(), |set, s| set.union(s.rules()))
}

/// Is `d` suppressed? Marks the names that suppress it as used.
pub fn suppress(tree: &Tree, sups: &mut [Suppression], d: &Diagnostic) -> bool {
    let f = &tree.files[d.file];
    if f.skipped.is_some() {
        return false;
    }
    let line = f.line_index(d.span.start);
    let statement = super::allow::statement_start(f, line);
    let mut hit = false;
    for s in sups.iter_mut().filter(|s| {
        s.file == d.file
            && (s.line == line || (s.own_line && (s.line + 1 == line || s.line + 1 == statement)))
    }) {
        for n in &mut s.names {
            if n.selector.as_ref().is_some_and(|sel| sel.covers(d.rule)) {
                n.used = true;
                hit = true;
            }
        }
    }
    hit
}

/// Findings for the names that suppressed nothing in this run, and for names
/// no rule or family has. `ran` is what ran, so a name is only called unused
/// when its rules did run.
pub fn unused(tree: &Tree, sups: &[Suppression], ran: RuleSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in sups {
        let dead: Vec<&Name> = s
            .names
            .iter()
            .filter(|n| {
                !n.used
                    && n.selector
                        .as_ref()
                        .is_some_and(|sel| sel.rules().difference(ran).is_empty())
            })
            .collect();
        let all_dead = dead.len() == s.names.len();
        for n in &s.names {
            let Some(sel) = &n.selector else {
                out.push(unknown_name(s.file, n.span.clone(), &n.text, "suppression"));
                continue;
            };
            if n.used || !sel.rules().difference(ran).is_empty() {
                continue;
            }
            let what = if s.own_line {
                "on this line or the next"
            } else {
                "on this line"
            };
            let mut d = Diagnostic::new(
                Rule::UnusedSuppression,
                Severity::Info,
                s.file,
                n.span.clone(),
                format!(
                    "`allow({})` suppresses nothing: there is no `{}` finding {what}",
                    n.text, n.text
                ),
            );
            let edit = if all_dead {
                remove_comment(tree, s)
            } else {
                remove_name(tree, s, n)
            };
            d.with_fix_mut(Fix::safe(
                format!("remove the unused `{}`", n.text),
                vec![edit],
            ));
            out.push(d);
        }
    }
    out
}

/// The whole comment: its line when it stands alone, else from the blanks
/// before the `#` to the end of the line.
/// An `unused-suppression` finding for a name that is no rule or family, in a
/// suppression comment or an override (`what`), with "did you mean".
pub(super) fn unknown_name(file: FileId, span: Span, text: &str, what: &str) -> Diagnostic {
    let hint = registry::suggest(
        text,
        Rule::ALL
            .iter()
            .map(|r| r.name())
            .chain(registry::Family::ALL.iter().map(|f| f.name())),
    )
    .map(|h| format!(" (did you mean `{h}`?)"))
    .unwrap_or_default();
    let mut d = Diagnostic::new(
        Rule::UnusedSuppression,
        Rule::UnusedSuppression.severity(),
        file,
        span,
        format!("`{text}` is no rule or family, so this {what} silences nothing{hint}"),
    );
    d.with_help_mut("run `kpkg-lint rules` for the names");
    d
}

fn remove_comment(tree: &Tree, s: &Suppression) -> Edit {
    let text = &tree.files[s.file].text;
    if s.own_line {
        let end = if s.line_span.end < text.len() {
            s.line_span.end + 1
        } else {
            s.line_span.end
        };
        return Edit::delete(s.file, s.line_span.start..end);
    }
    let before = text[s.line_span.start..s.comment.start].trim_end().len();
    Edit::delete(s.file, s.line_span.start + before..s.comment.end)
}

/// One name and a comma next to it.
fn remove_name(tree: &Tree, s: &Suppression, n: &Name) -> Edit {
    let text = &tree.files[s.file].text;
    let after = &text[n.span.end..s.comment.end];
    if let Some(comma) = after.find(',').filter(|i| after[..*i].trim().is_empty()) {
        let mut end = n.span.end + comma + 1;
        end += text[end..].len() - text[end..].trim_start_matches(' ').len();
        return Edit::delete(s.file, n.span.start..end);
    }
    let before = &text[s.comment.start..n.span.start];
    let comma = before
        .rfind(',')
        .map(|i| s.comment.start + i)
        .unwrap_or(n.span.start);
    Edit::delete(s.file, comma..n.span.end)
}
