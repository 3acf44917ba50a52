//! Test harness: lint or fix in-memory trees, and read findings back as positions.
//! Used by the unit tests next to each rule and by the catalogue's example tests;
//! not part of the library's API.

use crate::archive;
use crate::diagnostic::Diagnostic;
use crate::engine::{fix_loop, lint_tree, FixOutcome};
use crate::rules::{LintOptions, RuleSet};
use crate::tree::Tree;

/// The rules these names select (a bad name is a bug in the test).
fn rule_set(select: &[&str]) -> RuleSet {
    let names: Vec<String> = select.iter().map(|s| s.to_string()).collect();
    RuleSet::from_names(&names, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Lint in-memory files as one tree with every rule.
pub fn lint_memory(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let tree = Tree::from_memory(files);
    lint_tree(&tree, &LintOptions::default())
}

/// Lint in-memory files with one rule selected; returns the tree for positions.
pub fn lint_memory_rule(files: &[(&str, &str)], rule: &str) -> (Vec<Diagnostic>, Tree) {
    let tree = Tree::from_memory(files);
    let options = LintOptions {
        rules: rule_set(&[rule]),
        release: None,
        archive: None,
        profiles: vec![],
        allow_unknown: vec![],
        per_path: vec![],
        only_files: vec![],
        keep_overridden: false,
    };
    (lint_tree(&tree, &options), tree)
}

/// Lint in-memory files with one rule selected, with apt indices given as
/// `(suite, Packages text)`; the tree is linted for the first index's suite unless
/// its changelog names a release. Returns the tree for positions.
pub fn lint_memory_with_archive(
    files: &[(&str, &str)],
    rule: &str,
    indices: &[(&str, &str)],
) -> Result<(Vec<Diagnostic>, Tree), String> {
    let tree = Tree::from_memory(files);
    let mut archive = archive::Archive::default();
    for (suite, text) in indices {
        let records = archive::parse_packages(text)?;
        archive.add(
            archive::IndexInfo {
                suite: Some(suite.to_string()),
                ..Default::default()
            },
            records,
        );
    }
    let options = LintOptions {
        rules: rule_set(&[rule]),
        archive: Some(std::sync::Arc::new(archive)),
        release: (tree.file("debian/changelog").is_none())
            .then(|| indices.first().map(|(s, _)| s.to_string()))
            .flatten(),
        ..Default::default()
    };
    Ok((lint_tree(&tree, &options), tree))
}

/// Every file of a fixed tree with its final contents (created files last).
fn contents(outcome: FixOutcome) -> Vec<(String, String)> {
    outcome
        .tree
        .files
        .iter()
        .map(|f| {
            (
                f.rel.clone(),
                String::from_utf8_lossy(f.bytes()).into_owned(),
            )
        })
        .collect()
}

/// Apply the fixes of the selected rules (or families) to in-memory files until
/// nothing changes; returns every file's final contents (created files last).
pub fn fix_memory_selected(
    files: &[(&str, &str)],
    select: &[&str],
    unsafe_fixes: bool,
) -> Vec<(String, String)> {
    let tree = Tree::from_memory(files);
    let options = LintOptions {
        rules: rule_set(select),
        ..Default::default()
    };
    contents(fix_loop(&tree, &options, unsafe_fixes))
}

/// Apply every fix to in-memory files until nothing changes; returns every file's
/// final contents (created files last).
pub fn fix_memory(files: &[(&str, &str)], unsafe_fixes: bool) -> Vec<(String, String)> {
    let tree = Tree::from_memory(files);
    contents(fix_loop(&tree, &LintOptions::default(), unsafe_fixes))
}

/// (rule, file, line, column) of each finding, in order.
pub fn found<'t>(
    diagnostics: &[Diagnostic],
    tree: &'t Tree,
) -> Vec<(&'static str, &'t str, usize, usize)> {
    diagnostics
        .iter()
        .map(|d| {
            let f = &tree.files[d.file];
            let (line, col) = f.line_col(d.span.start);
            (d.rule.name(), f.rel.as_str(), line, col)
        })
        .collect()
}

/// (rule, file, line) of each finding, in order.
pub fn rules_at(diagnostics: &[Diagnostic], tree: &Tree) -> Vec<(String, String, usize)> {
    diagnostics
        .iter()
        .map(|d| {
            let f = &tree.files[d.file];
            (
                d.rule.to_string(),
                f.rel.clone(),
                f.line_col(d.span.start).0,
            )
        })
        .collect()
}
