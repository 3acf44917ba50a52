//! The overrides file, for packagers who think in lintian's terms:
//! `debian/source/kpkg-lint-overrides` holds one override a line,
//!
//! ```text
//! # The selftests race on /tmp when run in parallel (upstream bug 1234).
//! forced-serial-flag [debian/rules.d/tools.mk:12]
//! # kernel-package is what this tree is for.
//! deprecated-make-kpkg
//! obsolete-build-dep python-sphinx* [debian/templates/*.control.in]
//! ```
//!
//! A line is a rule or family name, then optionally the context lintian output
//! shows for the finding (`*` matches any text), then optionally a pointer in
//! brackets: a path (a glob, as in `per-file-ignores`) with or without `:line`.
//! A lintian-style `<package> source: ` prefix is accepted and ignored, so a line
//! of `--format lintian` output without its `W: ` is an override. The comment
//! lines right above an override are its reason (`--show-overrides` prints it);
//! one comment serves the overrides that follow it up to a blank line or the next
//! comment.
//!
//! Where: `debian/source/kpkg-lint-overrides` (lintian keeps
//! `debian/source/lintian-overrides` there), and in Ubuntu trees also the branch's
//! own `debian.<branch>/source/kpkg-lint-overrides`, so a derivative kernel keeps
//! its overrides with the rest of what is its own; a kernel-package ruleset keeps
//! them in the ruleset's directory (`kernel/ruleset/kpkg-lint-overrides`). Every
//! file found applies to the whole tree, and paths in it are relative to the
//! tree's root, as in every output.
//!
//! An override that silences nothing in a run where its rules ran, and one whose
//! name is no rule or family, are reported as `unused-suppression`, like a stale
//! `# kpkg-lint: allow(…)` comment.

use crate::diagnostic::{Diagnostic, Edit, Fix, Overridden, Severity};
use crate::registry::{self, Rule, RuleSet, Selector};
use crate::source::{FileId, Span};
use crate::tree::Tree;

pub const FILE_NAME: &str = "kpkg-lint-overrides";

/// Is `rel` an overrides file of its tree?
pub fn is_overrides_file(rel: &str) -> bool {
    let Some(dir) = rel
        .strip_suffix(FILE_NAME)
        .and_then(|d| d.strip_suffix('/'))
    else {
        return false;
    };
    if let Some(packaging) = dir.strip_suffix("/source") {
        return packaging == "debian"
            || packaging
                .strip_prefix("debian.")
                .is_some_and(|b| !b.is_empty() && !b.contains('/'));
    }
    dir == "kernel/ruleset" || dir == "ruleset"
}

pub struct Override {
    pub file: FileId,
    /// The whole line, without its terminator.
    pub line: Span,
    /// The rule or family name.
    pub name: Span,
    pub name_text: String,
    /// `None` for a name no rule or family has.
    pub selector: Option<Selector>,
    /// Lintian context to match (`*` for any text).
    pub context: Option<String>,
    /// Path glob and 1-based line of the pointer.
    pub path: Option<String>,
    pub line_number: Option<usize>,
    /// The comment lines above, without their `#`.
    pub reason: Option<String>,
    /// The comment block above, when this override is the only one it serves
    /// (removing the override removes its reason too).
    pub own_comment: Option<Span>,
    pub used: bool,
}

impl Override {
    /// The override as written, for messages: `rule [path:line]`.
    pub fn describe(&self, tree: &Tree) -> String {
        let text = &tree.files[self.file].text[self.line.clone()];
        text[self.name.start - self.line.start..].trim().to_string()
    }

    fn matches(&self, tree: &Tree, d: &Diagnostic) -> bool {
        let Some(selector) = &self.selector else {
            return false;
        };
        if !selector.covers(d.rule) {
            return false;
        }
        let f = &tree.files[d.file];
        if let Some(glob) = &self.path {
            if !crate::rules::glob::matches(glob, &f.rel) {
                return false;
            }
            if let Some(line) = self.line_number {
                if f.skipped.is_some() || f.line_col(d.span.start).0 != line {
                    return false;
                }
            }
        }
        match &self.context {
            None => true,
            Some(pattern) => d
                .context(&f.text)
                .is_some_and(|c| crate::knowledge::glob_match(pattern, &c)),
        }
    }
}

/// Every override of the tree's overrides files.
pub fn scan(tree: &Tree) -> Vec<Override> {
    let mut out = Vec::new();
    for (file, f) in tree.files.iter().enumerate() {
        if f.skipped.is_some() || !is_overrides_file(&f.rel) {
            continue;
        }
        // The current comment block: its text, where it starts, and the
        // overrides it serves so far (indices into `out`).
        let mut comment: Option<(String, usize, Vec<usize>)> = None;
        let close = |comment: &mut Option<(String, usize, Vec<usize>)>, out: &mut Vec<Override>| {
            // A comment that serves several overrides is nobody's own.
            if let Some((_, _, users)) = comment.take() {
                if users.len() > 1 {
                    for i in users {
                        out[i].own_comment = None;
                    }
                }
            }
        };
        for line in 0..f.line_count() {
            let Some(span) = f.line_span(line) else {
                continue;
            };
            let text = f.text[span.clone()].trim_end();
            if text.trim().is_empty() {
                close(&mut comment, &mut out);
                continue;
            }
            if let Some(c) = text.trim_start().strip_prefix('#') {
                match &mut comment {
                    Some((reason, _, users)) if users.is_empty() => {
                        reason.push('\n');
                        reason.push_str(c.trim());
                    }
                    _ => {
                        close(&mut comment, &mut out);
                        comment = Some((c.trim().to_string(), span.start, Vec::new()));
                    }
                }
                continue;
            }
            let Some(mut o) = parse_line(file, span.clone(), text) else {
                continue;
            };
            if let Some((reason, start, users)) = &mut comment {
                o.reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
                o.own_comment = Some(*start..span.start);
                users.push(out.len());
            }
            out.push(o);
        }
        close(&mut comment, &mut out);
    }
    out
}

/// One override line (without its terminator and trailing blanks).
fn parse_line(file: FileId, line: Span, text: &str) -> Option<Override> {
    let mut body_start = text.len() - text.trim_start().len();
    // `linux source: rule …` or `source: rule …`, as lintian's overrides have it.
    if let Some(colon) = text.find(':') {
        let head = &text[..colon];
        let tokens: Vec<&str> = head.split_whitespace().collect();
        let prefix = !head.contains('[')
            && text[colon + 1..].starts_with([' ', '\t'])
            && !tokens.is_empty()
            && tokens.len() <= 2
            && (tokens.len() == 2 || registry::resolve(tokens[0], false).is_err());
        if prefix {
            body_start = colon + 1;
            body_start += text[body_start..].len() - text[body_start..].trim_start().len();
        }
    }
    let body = &text[body_start..];
    let name_len = body.find(char::is_whitespace).unwrap_or(body.len());
    if name_len == 0 {
        return None;
    }
    let name_text = body[..name_len].to_string();
    let mut rest = body[name_len..].trim();
    let mut path = None;
    let mut line_number = None;
    if rest.ends_with(']') {
        if let Some(open) = rest.rfind('[') {
            let pointer = rest[open + 1..rest.len() - 1].trim();
            let (p, n) = match pointer.rsplit_once(':') {
                Some((p, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                    (p, n.parse().ok())
                }
                _ => (pointer, None),
            };
            if !p.is_empty() {
                path = Some(p.to_string());
                line_number = n;
            }
            rest = rest[..open].trim();
        }
    }
    let name_start = line.start + body_start;
    Some(Override {
        file,
        line: line.start..line.start + text.len(),
        name: name_start..name_start + name_len,
        selector: registry::resolve(&name_text, false).ok(),
        name_text,
        context: (!rest.is_empty()).then(|| rest.to_string()),
        path,
        line_number,
        reason: None,
        own_comment: None,
        used: false,
    })
}

/// The rules the overrides name: they run too, so that a used override can be
/// told from a stale one.
pub fn named_rules(overrides: &[Override]) -> RuleSet {
    overrides
        .iter()
        .filter_map(|o| o.selector.as_ref())
        .fold(RuleSet::empty(), |set, s| set.union(s.rules()))
}

/// The first override that silences `d`; every override that matches is marked
/// used.
pub fn find(tree: &Tree, overrides: &mut [Override], d: &Diagnostic) -> Option<Overridden> {
    let mut found = None;
    for o in overrides.iter_mut() {
        if o.matches(tree, d) {
            o.used = true;
            if found.is_none() {
                found = Some(Overridden {
                    file: o.file,
                    span: o.line.clone(),
                    reason: o.reason.clone(),
                });
            }
        }
    }
    found
}

/// Findings for overrides that silenced nothing although their rules ran, and
/// for names no rule or family has.
pub fn unused(tree: &Tree, overrides: &[Override], ran: RuleSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for o in overrides {
        let shown = tree.files[o.file].display.clone();
        let Some(selector) = &o.selector else {
            out.push(super::suppressions::unknown_name(
                o.file,
                o.name.clone(),
                &o.name_text,
                "override",
            ));
            continue;
        };
        if o.used || !selector.rules().difference(ran).is_empty() {
            continue;
        }
        let mut d = Diagnostic::new(
            Rule::UnusedSuppression,
            Severity::Info,
            o.file,
            o.name.clone(),
            format!(
                "the override `{}` in {shown} matches no finding",
                o.describe(tree)
            ),
        );
        let text = &tree.files[o.file].text;
        let end = if o.line.end < text.len() {
            o.line.end + 1
        } else {
            o.line.end
        };
        let start = o.own_comment.as_ref().map_or(o.line.start, |c| c.start);
        d.with_fix_mut(Fix::safe(
            "remove the unused override",
            vec![Edit::delete(o.file, start..end)],
        ));
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Override {
        parse_line(0, 0..text.len(), text).expect("an override")
    }

    #[test]
    fn lines_read_as_lintian_overrides() {
        let o = one("forced-serial-flag [debian/rules.d/tools.mk:12]");
        assert_eq!(o.name_text, "forced-serial-flag");
        assert_eq!(o.path.as_deref(), Some("debian/rules.d/tools.mk"));
        assert_eq!(o.line_number, Some(12));
        assert!(o.context.is_none());
        let o = one("linux source: native-qualifier-on-foreign flex:native [debian/control:5]");
        assert_eq!(o.name_text, "native-qualifier-on-foreign");
        assert_eq!(o.context.as_deref(), Some("flex:native"));
        assert_eq!(o.line_number, Some(5));
        let o = one("obsolete-build-dep python-sphinx*");
        assert_eq!(o.context.as_deref(), Some("python-sphinx*"));
        assert!(o.path.is_none());
        let o = one("stale");
        assert!(matches!(o.selector, Some(Selector::Family(_))));
        let o = one("sets-deb-build-options [debian/rules]");
        assert_eq!(o.path.as_deref(), Some("debian/rules"));
        assert_eq!(o.line_number, None);
        assert!(one("forced-serial-flg").selector.is_none());
    }

    #[test]
    fn where_overrides_files_are() {
        assert!(is_overrides_file("debian/source/kpkg-lint-overrides"));
        assert!(is_overrides_file(
            "debian.master/source/kpkg-lint-overrides"
        ));
        assert!(is_overrides_file("kernel/ruleset/kpkg-lint-overrides"));
        assert!(!is_overrides_file("debian/kpkg-lint-overrides"));
        assert!(!is_overrides_file("debian/source/lintian-overrides"));
        assert!(!is_overrides_file("x/debian/source/kpkg-lint-overrides"));
    }

    #[test]
    fn comments_above_are_the_reason() {
        let tree = Tree::from_memory(&[(
            "debian/source/kpkg-lint-overrides",
            "# first reason\n# second line\nforced-serial-flag [debian/rules:3]\nstale\n\n# own\nserial-kernel-build\n\nlocalversion-auto\n",
        )]);
        let o = scan(&tree);
        assert_eq!(o.len(), 4);
        assert_eq!(o[0].reason.as_deref(), Some("first reason\nsecond line"));
        assert_eq!(o[1].reason.as_deref(), Some("first reason\nsecond line"));
        assert!(o[0].own_comment.is_none() && o[1].own_comment.is_none());
        assert_eq!(o[2].reason.as_deref(), Some("own"));
        assert!(o[2].own_comment.is_some());
        assert!(o[3].reason.is_none());
    }
}
