//! Property tests (proptest, with shrinking to a minimal failing input).
//!
//! - The lossless parsers keep every byte, on generated text built from the tokens
//!   they branch on.
//! - Our diffs apply, with our own applier and with real `git apply` / `patch -p1`,
//!   to give exactly the new text, whatever the line ends.
//! - Fixes, on test trees perturbed the way real packaging drifts (a dependency
//!   added, a `-j1` appended, a line duplicated, CRLF, a lost final newline): each
//!   safe fix removes the finding it belongs to; a pass changes bytes only inside
//!   its edits; fixing a fixed tree changes nothing; and the patch `--fix` prints,
//!   applied with real git, gives what `--fix --write` writes.
//!
//! PROPTEST_CASES scales every test and PROPTEST_RNG_SEED picks another seed than
//! the fixed one `cargo test` uses (both are proptest's own variables).

mod common;

use common::{bin, git, testdata, tool_available};
use kpkg_lint::diagnostic::{Applicability, Diagnostic, Edit};
use kpkg_lint::fix;
use kpkg_lint::fuzzing;
use kpkg_lint::model::quilt;
use kpkg_lint::rules::LintOptions;
use kpkg_lint::tree::Tree;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

fn config(cases: u32) -> ProptestConfig {
    let scale = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    let mut config = ProptestConfig {
        cases: scale,
        // Failures are kept in the test's output, not in files beside the sources.
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    // One fixed seed, so `cargo test` and CI are reproducible; explore others with
    // PROPTEST_RNG_SEED=<n> (and PROPTEST_CASES) as docs/reliability.md says.
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x6b70_6b67_6c69_6e74);
    }
    config
}

fn soup(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(tokens), 0..max).prop_map(|t| t.concat())
}

const MAKE_TOKENS: &[&str] = &[
    "a",
    "b",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\\\n",
    "#",
    ":",
    "=",
    ":=",
    "+=",
    "?=",
    "$(",
    ")",
    "${",
    "}",
    "$$",
    "ifeq (a,b)\n",
    "ifneq ($(X),)\n",
    "else\n",
    "endif\n",
    "define X\n",
    "endef\n",
    "include ",
    "-include ",
    "export ",
    "override ",
    ".NOTPARALLEL:",
    "\t$(MAKE) -j1 ",
    ";",
    "\u{e9}",
];

const DEB822_TOKENS: &[&str] = &[
    "Source: linux\n",
    "Package: linux-image\n",
    "Build-Depends:",
    " bc,",
    " libssl-dev:native",
    " (>= 1.0)",
    " [amd64]",
    " <!stage1>",
    " | ",
    ",",
    "\n ",
    "\n#c\n",
    "\n\n",
    "\n",
    "\r\n",
    "@SRCPKGNAME@",
    ":",
    " ",
    "x",
    "\u{e9}",
];

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn makefile_scanner_keeps_every_byte(text in soup(MAKE_TOKENS, 80)) {
        fuzzing::makefile(text.as_bytes());
    }

    #[test]
    fn control_parsers_keep_every_byte(text in soup(DEB822_TOKENS, 60)) {
        fuzzing::control(text.as_bytes());
        fuzzing::relations(text.as_bytes());
    }
}

// ------------------------------------------------------------------ diffs

/// A line: a few characters (a lone `\r` among them), then `\n`, `\r\n` or, last in
/// the file only, nothing.
fn text_lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        (
            soup(&["a", "b", " ", "\t", "\r", "\u{e9}", "-", "+", "@"], 5),
            prop::sample::select(&["\n", "\n", "\n", "\r\n"][..]),
        )
            .prop_map(|(body, end)| format!("{body}{end}")),
        0..25,
    )
}

#[derive(Debug, Clone)]
enum LineEdit {
    Delete(usize),
    Insert(usize, String),
    Replace(usize, String),
}

fn line_edits() -> impl Strategy<Value = Vec<LineEdit>> {
    let line = || soup(&["x", "y", " ", "\r"], 4).prop_map(|s| format!("{s}\n"));
    prop::collection::vec(
        prop_oneof![
            any::<usize>().prop_map(LineEdit::Delete),
            (any::<usize>(), line()).prop_map(|(i, l)| LineEdit::Insert(i, l)),
            (any::<usize>(), line()).prop_map(|(i, l)| LineEdit::Replace(i, l)),
        ],
        0..6,
    )
}

/// (old, new): old from generated lines, new from edits of them; either may lose
/// its final line end.
fn text_pair() -> impl Strategy<Value = (String, String)> {
    (text_lines(), line_edits(), any::<bool>(), any::<bool>()).prop_map(
        |(lines, edits, cut_old, cut_new)| {
            let mut new_lines = lines.clone();
            for e in edits {
                let n = new_lines.len();
                match e {
                    LineEdit::Delete(i) if n > 0 => {
                        new_lines.remove(i % n);
                    }
                    LineEdit::Insert(i, l) => new_lines.insert(i % (n + 1), l),
                    LineEdit::Replace(i, l) if n > 0 => new_lines[i % n] = l,
                    _ => {}
                }
            }
            let join = |v: &[String], cut: bool| {
                let mut s = v.concat();
                // Only the LF goes: a CRLF line keeps its CR, as a truncated file would.
                if cut && s.ends_with('\n') {
                    s.pop();
                }
                s
            };
            (join(&lines, cut_old), join(&new_lines, cut_new))
        },
    )
}

proptest! {
    #![proptest_config(config(512))]

    /// Our own unified diff, parsed and applied by our quilt applier, gives the new text.
    #[test]
    fn diffs_apply_with_our_applier((old, new) in text_pair()) {
        let patch = kpkg_lint::unidiff::unified("f", Some(&old), &new);
        if old == new {
            prop_assert_eq!(patch, "");
        } else {
            let parsed = quilt::parse_patch(&patch)
                .map_err(|e| TestCaseError::fail(format!("{e:?}\n{patch}")))?;
            prop_assert_eq!(parsed.len(), 1);
            let applied = quilt::apply(&old, &parsed[0])
                .map_err(|h| TestCaseError::fail(format!("hunk {h} fails\n{patch}")))?;
            prop_assert_eq!(applied, new);
        }
    }
}

fn git_and_patch_available() -> bool {
    tool_available("git", &["--version"], "the diff property tests")
        && tool_available("patch", &["--version"], "the diff property tests")
}

proptest! {
    #![proptest_config(config(48))]

    /// The same diffs, applied by real git and real patch.
    #[test]
    fn diffs_apply_with_git_and_patch((old, new) in text_pair()) {
        if old == new || !git_and_patch_available() {
            return Ok(());
        }
        let patch = kpkg_lint::unidiff::unified("f", Some(&old), &new);
        let tmp = tempfile::tempdir().unwrap();
        let (g, p) = (tmp.path().join("g"), tmp.path().join("p"));
        for d in [&g, &p] {
            fs::create_dir(d).unwrap();
            fs::write(d.join("f"), &old).unwrap();
        }
        fs::write(tmp.path().join("x.patch"), &patch).unwrap();
        let o = git(&g, &["apply", "--unsafe-paths", "../x.patch"]);
        prop_assert!(
            o.status.success(),
            "git apply: {}\n{:?}",
            String::from_utf8_lossy(&o.stderr),
            patch
        );
        prop_assert_eq!(fs::read_to_string(g.join("f")).unwrap(), new.clone());
        let o = std::process::Command::new("patch")
            .current_dir(&p)
            .args(["-p1", "--quiet", "--binary", "-i", "../x.patch"])
            .output()
            .unwrap();
        prop_assert!(
            o.status.success(),
            "patch -p1: {}\n{:?}",
            String::from_utf8_lossy(&o.stdout),
            patch
        );
        prop_assert_eq!(fs::read_to_string(p.join("f")).unwrap(), new);
    }
}

// ------------------------------------------------------------------ fixes

/// Test trees whose rules have fixes, read once.
fn base_trees() -> &'static [Vec<(String, String)>] {
    static TREES: OnceLock<Vec<Vec<(String, String)>>> = OnceLock::new();
    TREES.get_or_init(|| {
        [
            "parallel/custom-j1/in",
            "parallel/mkdebian-old/in",
            "parallel/debian-linux/in",
            "cross/ubuntu-noble/in",
            "cross/mkdebian/in",
            "stale/debian-bookworm/in",
            "determinism/ubuntu-focal/in",
            "determinism/debian-linux/in",
            "flavour/ubuntu-image-vars/in",
            "flavour/ubuntu-annotations/in",
            "examples/kernel-package",
        ]
        .iter()
        .filter_map(|t| {
            let d = kpkg_lint::discover::discover(&[testdata(t)]);
            let tree = d.trees.into_iter().next()?;
            Some(
                tree.files
                    .into_iter()
                    .filter(|f| f.skipped.is_none() && f.is_utf8())
                    .map(|f| (f.rel, f.text))
                    .collect(),
            )
        })
        .collect()
    })
}

/// Lines real packaging gains as it drifts; each one something a rule looks at.
const DRIFT_LINES: &[&str] = &[
    " libssl-dev,",
    " libelf-dev <!stage1>,",
    " dwarves,",
    " python3,",
    " dh-systemd,",
    " libncurses5-dev,",
    " pahole:native,",
    "\t$(MAKE) -j1 bindeb-pkg",
    "\tdh $@ --parallel",
    ".NOTPARALLEL:",
    "CONCURRENCY_LEVEL := 1",
    "export KBUILD_BUILD_TIMESTAMP := $(shell date)",
    "MAKEFLAGS += -j1",
    "include debian/rules.d/missing.mk",
    "flavours = generic lowlatency",
    "# kpkg-lint: allow(forced-serial-flag) tests race",
    "CONFIG_LOCALVERSION_AUTO=y",
    "",
];

#[derive(Debug, Clone)]
enum Drift {
    DeleteLine(usize),
    DuplicateLine(usize),
    InsertLine(usize, &'static str),
    AppendToLine(usize, &'static str),
    Crlf(usize),
    DropFinalNewline,
}

fn drift() -> impl Strategy<Value = (usize, Vec<(usize, Drift)>)> {
    let one = prop_oneof![
        any::<usize>().prop_map(Drift::DeleteLine),
        any::<usize>().prop_map(Drift::DuplicateLine),
        (any::<usize>(), prop::sample::select(DRIFT_LINES))
            .prop_map(|(i, l)| Drift::InsertLine(i, l)),
        (
            any::<usize>(),
            prop::sample::select(&[" -j1", ":native", " \\", "\r", " "][..])
        )
            .prop_map(|(i, s)| Drift::AppendToLine(i, s)),
        any::<usize>().prop_map(Drift::Crlf),
        Just(Drift::DropFinalNewline),
    ];
    (
        any::<usize>(),
        prop::collection::vec((any::<usize>(), one), 0..5),
    )
}

fn drifted_tree(tree_pick: usize, drifts: &[(usize, Drift)]) -> Vec<(String, String)> {
    let trees = base_trees();
    let mut files = trees[tree_pick % trees.len()].clone();
    for (file_pick, d) in drifts {
        let i = file_pick % files.len();
        let text = &files[i].1;
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
        let n = lines.len();
        match d {
            Drift::DeleteLine(l) if n > 0 => {
                lines.remove(l % n);
            }
            Drift::DuplicateLine(l) if n > 0 => {
                let dup = lines[l % n].clone();
                lines.insert(l % n, dup);
            }
            Drift::InsertLine(l, s) => lines.insert(l % (n + 1), format!("{s}\n")),
            Drift::AppendToLine(l, s) if n > 0 => {
                let line = &mut lines[l % n];
                let end = if line.ends_with('\n') {
                    line.len() - 1
                } else {
                    line.len()
                };
                line.insert_str(end, s);
            }
            Drift::Crlf(l) if n > 0 => {
                let line = &mut lines[l % n];
                if line.ends_with('\n') && !line.ends_with("\r\n") {
                    line.insert(line.len() - 1, '\r');
                }
            }
            Drift::DropFinalNewline => {
                if let Some(last) = lines.last_mut() {
                    if last.ends_with('\n') {
                        last.pop();
                    }
                }
            }
            _ => {}
        }
        files[i].1 = lines.concat();
    }
    files
}

fn memory_tree(files: &[(String, String)]) -> Tree {
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    Tree::from_memory(&borrowed)
}

fn finding_key(tree: &Tree, d: &Diagnostic) -> (String, String, String) {
    (
        d.rule.to_string(),
        tree.files[d.file].rel.clone(),
        d.message.clone(),
    )
}

fn count_by_key(tree: &Tree, diags: &[Diagnostic]) -> BTreeMap<(String, String, String), usize> {
    let mut m = BTreeMap::new();
    for d in diags {
        *m.entry(finding_key(tree, d)).or_insert(0) += 1;
    }
    m
}

/// Splice edits into bytes: a reference written here, independent of the engine.
fn reference_splice(old: &[u8], edits: &[&Edit]) -> Vec<u8> {
    let mut edits: Vec<&&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = Vec::new();
    let mut at = 0;
    for e in edits {
        assert!(e.span.start >= at, "overlapping edits were accepted");
        out.extend_from_slice(&old[at..e.span.start]);
        out.extend_from_slice(e.content.as_bytes());
        at = e.span.end;
    }
    out.extend_from_slice(&old[at..]);
    out
}

proptest! {
    #![proptest_config(config(96))]

    /// Each safe fix, applied alone, removes its finding; a whole pass changes bytes
    /// only inside its edits; the fix loop converges, and fixing again is a no-op.
    #[test]
    fn fixes_remove_their_findings_and_are_idempotent((pick, drifts) in drift()) {
        let files = drifted_tree(pick, &drifts);
        let tree = memory_tree(&files);
        let options = LintOptions::default();
        let before = kpkg_lint::lint_tree(&tree, &options);
        let before_counts = count_by_key(&tree, &before);

        for d in &before {
            let Some(f) = &d.fix else { continue };
            if f.applicability != Applicability::Safe {
                continue;
            }
            let pass = fix::plan(&tree, std::slice::from_ref(d), false);
            if pass.is_empty() {
                continue; // not applicable here (a file that cannot be edited)
            }
            let (contents, created) = fix::apply(&tree, &pass.accepted);
            let mut next = files.clone();
            for (id, bytes) in contents {
                let rel = &tree.files[id].rel;
                let slot = next.iter_mut().find(|(p, _)| p == rel).unwrap();
                slot.1 = String::from_utf8(bytes).unwrap();
            }
            for n in created {
                next.push((n.rel, n.content));
            }
            next.sort();
            let after_tree = memory_tree(&next);
            let after = count_by_key(&after_tree, &kpkg_lint::lint_tree(&after_tree, &options));
            let key = finding_key(&tree, d);
            prop_assert!(
                after.get(&key).copied().unwrap_or(0) < before_counts[&key],
                "fixing {:?} did not remove it", key
            );
        }

        let pass = fix::plan(&tree, &before, false);
        let (contents, _) = fix::apply(&tree, &pass.accepted);
        for (id, bytes) in &contents {
            let edits: Vec<&Edit> = pass
                .accepted
                .iter()
                .flat_map(|(_, e, _)| e)
                .filter(|e| e.file == *id)
                .collect();
            prop_assert_eq!(
                bytes,
                &reference_splice(tree.files[*id].bytes(), &edits),
                "{} changed outside its edits", tree.files[*id].rel
            );
        }

        let outcome = kpkg_lint::fix_loop(&tree, &options, false);
        prop_assert!(outcome.passes.len() < 10, "the fix loop does not converge");
        let again = kpkg_lint::fix_loop(&outcome.tree, &options, false);
        prop_assert!(again.passes.is_empty(), "fixing a fixed tree changed it");
    }
}

fn write_tree(dir: &Path, files: &[(String, String)]) {
    for (rel, content) in files {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, content).unwrap();
        if rel == "debian/rules" || rel.ends_with("/rules") {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
    }
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::walk(dir)
        .into_iter()
        .filter(|p| !p.strip_prefix(dir).unwrap().starts_with(".git"))
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(config(24))]

    /// The binary on disk: the patch `--fix --unsafe-fixes` prints, applied with
    /// real `git apply`, leaves the tree exactly as `--fix --write --unsafe-fixes`
    /// does.
    #[test]
    fn printed_patch_equals_write((pick, drifts) in drift()) {
        if !git_and_patch_available() {
            return Ok(());
        }
        let files = drifted_tree(pick, &drifts);
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        write_tree(&a, &files);
        write_tree(&b, &files);
        let o = git(&a, &["init", "-q"]);
        prop_assert!(o.status.success());
        let printed = bin()
            .current_dir(&a)
            .args(["--fix", "--unsafe-fixes"])
            .output()
            .unwrap();
        prop_assert!(printed.status.code() != Some(2), "{}", String::from_utf8_lossy(&printed.stderr));
        let patch = printed.stdout;
        if !patch.is_empty() {
            fs::write(tmp.path().join("fix.patch"), &patch).unwrap();
            let o = git(&a, &["apply", "../fix.patch"]);
            prop_assert!(
                o.status.success(),
                "git apply: {}\n{}",
                String::from_utf8_lossy(&o.stderr),
                String::from_utf8_lossy(&patch)
            );
        }
        let w = bin()
            .current_dir(&b)
            .args(["--fix", "--write", "--unsafe-fixes"])
            .output()
            .unwrap();
        prop_assert!(w.status.code() != Some(2), "{}", String::from_utf8_lossy(&w.stderr));
        prop_assert_eq!(snapshot(&a), snapshot(&b));
    }
}
