//! Turning fixes into new file contents, patches and atomic writes.
//!
//! Fixes are byte edits against the contents that were linted. Within one pass the
//! engine accepts fixes in a fixed order (file, offset, rule) and drops any fix with
//! an edit that overlaps an accepted one; identical edits proposed by several fixes
//! (the same `include` line, say) are applied once. The caller re-lints the result
//! and runs further passes until no fix applies, so dropped fixes get another chance.

pub mod diff;
pub mod jail;
pub mod journal;
pub mod mail;
pub mod write;

use crate::diagnostic::{Applicability, Diagnostic, Edit, NewFile};
use crate::registry::Rule;
use crate::source::{FileId, SourceFile};
use crate::tree::Tree;
use std::collections::BTreeMap;

/// The fixes accepted in one pass, relative to that pass's contents.
#[derive(Debug, Clone, Default)]
pub struct Pass {
    /// Accepted fixes: rule name and its edits (deduplicated against earlier fixes).
    pub accepted: Vec<(Rule, Vec<Edit>, Vec<NewFile>)>,
    /// Rule names of fixes dropped because they overlapped an accepted fix.
    pub conflicts: Vec<Rule>,
}

impl Pass {
    pub fn is_empty(&self) -> bool {
        self.accepted.is_empty()
    }
}

fn overlaps(a: &Edit, b: &Edit) -> bool {
    if a.file != b.file {
        return false;
    }
    if a == b {
        return false;
    }
    let (ae, be) = (a.span.is_empty(), b.span.is_empty());
    match (ae, be) {
        (true, true) => a.span.start == b.span.start,
        (true, false) => b.span.start < a.span.start && a.span.start < b.span.end,
        (false, true) => a.span.start < b.span.start && b.span.start < a.span.end,
        (false, false) => a.span.start < b.span.end && b.span.start < a.span.end,
    }
}

/// Can this file be edited? Never files we did not read whole, or could not decode.
pub fn editable(tree: &Tree, file: FileId) -> bool {
    tree.files
        .get(file)
        .is_some_and(|f| f.skipped.is_none() && f.is_utf8())
}

/// Choose the fixes to apply from one lint pass.
pub fn plan(tree: &Tree, diagnostics: &[Diagnostic], unsafe_fixes: bool) -> Pass {
    let mut candidates: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| unsafe_fixes || f.applicability == Applicability::Safe)
        })
        .collect();
    candidates.sort_by_key(|d| (d.file, d.span.start, d.rule));
    let mut pass = Pass::default();
    let mut taken: Vec<Edit> = Vec::new();
    let mut created: Vec<String> = Vec::new();
    for d in candidates {
        let fix = d.fix.as_ref().expect("filtered");
        let mut edits: Vec<Edit> = fix.edits.clone();
        edits.sort();
        edits.dedup();
        // An edit that writes back the bytes it replaces changes nothing; a fix made
        // only of such edits would be "applied" pass after pass without end.
        edits.retain(|e| {
            tree.files
                .get(e.file)
                .and_then(|f| f.bytes().get(e.span.clone()))
                != Some(e.content.as_bytes())
        });
        if edits.is_empty() && fix.new_files.is_empty() {
            continue;
        }
        let file_ok = edits.iter().all(|e| {
            editable(tree, e.file)
                && e.span.end <= tree.files[e.file].bytes().len()
                && tree.files[e.file].text.is_char_boundary(e.span.start)
                && tree.files[e.file].text.is_char_boundary(e.span.end)
        });
        let conflict = edits.iter().any(|e| taken.iter().any(|t| overlaps(e, t)))
            || edits.windows(2).any(|w| overlaps(&w[0], &w[1]))
            || fix
                .new_files
                .iter()
                .any(|n| created.contains(&n.rel) || tree.file(&n.rel).is_some());
        if !file_ok || conflict {
            pass.conflicts.push(d.rule);
            continue;
        }
        let fresh: Vec<Edit> = edits.into_iter().filter(|e| !taken.contains(e)).collect();
        taken.extend(fresh.iter().cloned());
        created.extend(fix.new_files.iter().map(|n| n.rel.clone()));
        pass.accepted.push((d.rule, fresh, fix.new_files.clone()));
    }
    pass
}

/// Apply edits to one file's bytes. Edits must not overlap.
pub fn splice(bytes: &[u8], edits: &[&Edit]) -> Vec<u8> {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut pos = 0;
    for e in sorted {
        out.extend_from_slice(&bytes[pos..e.span.start]);
        out.extend_from_slice(e.content.as_bytes());
        pos = e.span.end;
    }
    out.extend_from_slice(&bytes[pos..]);
    out
}

/// New contents for every file a set of fixes touches, plus created files.
pub fn apply<'a>(
    tree: &Tree,
    fixes: impl IntoIterator<Item = &'a (Rule, Vec<Edit>, Vec<NewFile>)>,
) -> (BTreeMap<FileId, Vec<u8>>, Vec<NewFile>) {
    let mut by_file: BTreeMap<FileId, Vec<&Edit>> = BTreeMap::new();
    let mut new_files = Vec::new();
    for (_, edits, created) in fixes {
        for e in edits {
            by_file.entry(e.file).or_default().push(e);
        }
        new_files.extend(created.iter().cloned());
    }
    let contents = by_file
        .into_iter()
        .map(|(f, edits)| (f, splice(tree.files[f].bytes(), &edits)))
        .collect();
    (contents, new_files)
}

/// The tree after one pass: every accepted fix's edits applied and its files created.
pub fn apply_pass<'a>(
    tree: &Tree,
    fixes: impl IntoIterator<Item = &'a (Rule, Vec<Edit>, Vec<NewFile>)>,
) -> Tree {
    let (contents, created) = apply(tree, fixes);
    let mut next = tree.clone();
    for (id, bytes) in contents {
        let f = &tree.files[id];
        next.files[id] = SourceFile::new(
            f.display.clone(),
            f.path.clone(),
            f.rel.clone(),
            bytes,
            f.mode,
        );
    }
    for n in created {
        let display = tree.display_for(&n.rel);
        next.files.push(SourceFile::new(
            display,
            tree.root.join(&n.rel),
            n.rel.clone(),
            n.content.into_bytes(),
            None,
        ));
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: usize, t: usize, c: &str) -> Edit {
        Edit::replace(0, s..t, c)
    }

    #[test]
    fn splices_in_order_with_inserts() {
        let out = splice(b"abcdef", &[&e(4, 5, "X"), &e(0, 0, ">"), &e(1, 3, "")]);
        assert_eq!(out, b">adXf");
    }

    #[test]
    fn overlap_rules() {
        assert!(overlaps(&e(1, 3, "a"), &e(2, 4, "b")));
        assert!(!overlaps(&e(1, 3, "a"), &e(3, 4, "b")));
        assert!(overlaps(&e(2, 2, "a"), &e(2, 2, "b")));
        assert!(!overlaps(&e(2, 2, "a"), &e(2, 2, "a")));
        assert!(overlaps(&e(2, 2, "a"), &e(1, 3, "b")));
        assert!(!overlaps(&e(1, 1, "a"), &e(1, 3, "b")));
    }
}
