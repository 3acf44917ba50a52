//! kpkg-lint: a static analyser and fixer for Debian and Ubuntu kernel packaging.
//!
//! Pipeline: [`discover`] finds trees and reads their files once → [`model`] parses
//! them losslessly → [`rules`] produce [`diagnostic::Diagnostic`]s → [`fix`] turns
//! fixes into patches or in-place writes, [`output`] prints findings.

pub mod archive;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod knowledge;
pub mod model;
pub mod output;
pub mod par;
pub mod registry;
pub mod rules;
pub mod source;
pub mod tree;

pub use cli::{run, run_process};
pub use engine::{fix_loop, lint_tree, FixOutcome};

use diagnostic::Diagnostic;
use rules::{LintOptions, RuleSet};

/// The rules these names select (tests and examples: a bad name is a bug there).
fn rule_set(select: &[&str]) -> RuleSet {
    let names: Vec<String> = select.iter().map(|s| s.to_string()).collect();
    RuleSet::from_names(&names, &[]).unwrap_or_else(|e| panic!("{e}"))
}
use tree::Tree;

/// Lint in-memory files as one tree with every rule (tests, examples).
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
    let outcome = fix_loop(&tree, &options, unsafe_fixes);
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

/// Apply every fix to in-memory files until nothing changes; returns every file's
/// final contents (created files last).
pub fn fix_memory(files: &[(&str, &str)], unsafe_fixes: bool) -> Vec<(String, String)> {
    let tree = Tree::from_memory(files);
    let outcome = fix_loop(&tree, &LintOptions::default(), unsafe_fixes);
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
