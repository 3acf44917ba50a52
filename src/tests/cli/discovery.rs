//! Where a tree is: run from inside `debian/`, a directory named `debian` of
//! trees, and what an error run prints.

use super::common::{copy_dir, copy_tree, run_in, stderr, stdout, testdata};
use super::findings;
use std::fs;

/// `cd debian && kpkg-lint`: the tree above is linted, its paths shown from
/// debian/; a file or `..` given from there, `debian` given from the root, and a
/// directory of the tree that holds no packaging all mean the same tree.
#[test]
fn running_inside_debian_lints_the_tree_above() {
    let (_g, dir) = copy_tree(&testdata("discovery/inside-debian/in"));
    let select = ["--select", "input"];
    let from_root = findings(&dir, &select);
    assert_eq!(from_root.len(), 1, "{from_root:?}");
    let up = |prefix: &str| -> Vec<(String, String, u64)> {
        from_root
            .iter()
            .map(|(r, p, l)| (r.clone(), format!("{prefix}{p}"), *l))
            .collect()
    };
    let debian = dir.join("debian");
    assert_eq!(findings(&debian, &select), up("../"));
    assert_eq!(
        findings(&debian, &["--select", "input", "rules"]),
        up("../")
    );
    assert_eq!(findings(&debian, &["--select", "input", "."]), up("../"));
    assert_eq!(
        findings(&debian.join("rules.d"), &["--select", "input", ".."]),
        up("../../")
    );
    assert_eq!(
        findings(&dir, &["--select", "input", "debian"]),
        from_root,
        "debian/ given from the root"
    );
    fs::create_dir(dir.join("doc")).unwrap();
    assert_eq!(
        findings(&dir.join("doc"), &select),
        up("../"),
        "as git finds its repository"
    );
}

/// A directory named `debian` that is no tree's own is searched like any other.
#[test]
fn a_debian_directory_of_trees_is_searched() {
    let tmp = tempfile::tempdir().unwrap();
    let trees = tmp.path().join("debian");
    copy_dir(&testdata("discovery/inside-debian/in"), &trees.join("acme"));
    let got = findings(&trees, &["--select", "input"]);
    assert_eq!(
        got,
        [(
            "missing-include".to_string(),
            "acme/debian/rules".to_string(),
            4
        )]
    );
}

/// A run that could not read an input says so on stderr and exits 2; it does
/// not also print "No findings.", even when the inputs it did read are clean.
#[test]
fn error_runs_do_not_say_no_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path();
    let o = run_in(empty, &["nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nowhere: no such file or directory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    let o = run_in(empty, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no Debian packaging tree found here or above"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    let clean = testdata("discovery/kernel-files/in");
    let o = run_in(&clean, &["--select", "input"]);
    assert!(stdout(&o).contains("No findings."), "the clean tree alone");
    for extra in [&[][..], &["--statistics"][..]] {
        let mut args = vec!["--select", "input", ".", "nowhere"];
        args.extend_from_slice(extra);
        let o = run_in(&clean, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            !stdout(&o).contains("No findings."),
            "{args:?}: {}",
            stdout(&o)
        );
    }
}

/// A file given on the command line: its whole tree is read (findings span
/// files), and the findings of that file are the ones reported.
#[test]
fn a_file_argument_reports_that_files_findings() {
    let dir = testdata("determinism/ubuntu-focal/in");
    let all = findings(&dir, &[]);
    let file = "debian/rules.d/0-common-vars.mk";
    let mine: Vec<_> = all.iter().filter(|(_, p, _)| p == file).cloned().collect();
    assert!(!mine.is_empty() && mine.len() < all.len(), "{all:?}");
    assert_eq!(findings(&dir, &[file]), mine);
    // From inside debian/, the same file by its path from there.
    let from_debian: Vec<_> = mine
        .iter()
        .map(|(r, p, l)| (r.clone(), format!("../{p}"), *l))
        .collect();
    assert_eq!(
        findings(&dir.join("debian"), &["rules.d/0-common-vars.mk"]),
        from_debian
    );
}

/// Trees are linted on every core and printed as they are done, through a reorder
/// window: the bytes are those of a run on one core, in the trees' order, in
/// every format and with `--fix` (the patch), the exit status too.
#[test]
fn many_trees_print_the_same_on_one_core_as_on_all() {
    if !super::common::tool_available(
        "taskset",
        &["--version"],
        "the one-core run (util-linux taskset)",
    ) {
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for args in [
        &["--color", "never"][..],
        &["--format", "json"],
        &["--format", "sarif"],
        &["--format", "jsonl"],
        &["--format", "lintian"],
        &["--statistics"],
        &["--fix"],
    ] {
        let mut all = super::common::bin();
        all.current_dir(root).args(args).arg("testdata");
        let mut one = std::process::Command::new("taskset");
        one.current_dir(root)
            .args(["-c", "0", env!("CARGO_BIN_EXE_kpkg-lint")])
            .args(args)
            .arg("testdata");
        let (all, one) = (all.output().unwrap(), one.output().unwrap());
        assert!(!all.stdout.is_empty(), "{args:?}");
        assert_eq!(all.status.code(), one.status.code(), "{args:?}");
        assert!(all.stdout == one.stdout, "{args:?}: the output differs");
        assert_eq!(stderr(&all), stderr(&one), "{args:?}");
    }
}
