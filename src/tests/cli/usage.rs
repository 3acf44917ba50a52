//! The command line itself: finding trees and paths, the catalogue, usage errors,
//! `--fail-on`, selections, suppression comments, bad and hostile input.

use super::common::{bin, copy_tree, json_findings, run_in, stderr, stdout, testdata};
use super::{findings, parallel_findings};
use std::fs;
use std::path::Path;
use std::process::Command;

// ---------------------------------------------------------------- findings

#[test]
fn paths_in_json_are_relative_to_cwd() {
    let o = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "--format",
            "json",
            "--select",
            "parallel",
            "testdata/parallel/mkdebian-old/in/debian",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let first = &v["findings"][0];
    assert_eq!(
        first["path"],
        "testdata/parallel/mkdebian-old/in/debian/rules"
    );
    assert_eq!(
        (
            first["line"].as_u64(),
            first["column"].as_u64(),
            first["end_column"].as_u64()
        ),
        (Some(9), Some(2), Some(9))
    );
    assert_eq!(first["fixable"], true);
    assert_eq!(v["version"], 1);
}

#[test]
fn directory_of_many_trees() {
    let o = run_in(
        &testdata("parallel"),
        &["--format", "json", "--select", "ignores-parallel-option"],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "goal-less/in/debian/rules",
            "mkdebian-kernel-tree/in/debian/rules",
            "mkdebian-old/in/debian/rules",
            "notparallel/in/debian/rules",
            "old-dpkg-policy-jobs/in/debian/rules"
        ]
    );
}

// ---------------------------------------------------------------- catalogue, usage, bad input

#[test]
fn rules_and_explain() {
    let o = bin().arg("rules").output().unwrap();
    assert!(stdout(&o).contains("serial-kernel-build"));
    let o = bin()
        .args(["explain", "serial-kernel-build"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("What it does"));
    let o = bin().args(["explain", "no-such-rule"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .args(["explain", "serial-kernel-bild"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `serial-kernel-build`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors_exit_two() {
    let o = run_in(
        &testdata("parallel/custom-j1/in"),
        &["--select", "no-such-rule"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown rule or family `no-such-rule`"));
    let o = run_in(&testdata("parallel/custom-j1/in"), &["--write"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run_in(&testdata("parallel"), &["does-not-exist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("does-not-exist: no such file or directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fail_on_and_select_ignore() {
    let dir = testdata("parallel/custom-j1/in");
    assert_eq!(
        run_in(
            &dir,
            &["--fail-on", "error", "--select", "unnecessary-dh-parallel"]
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        run_in(
            &dir,
            &["--fail-on", "info", "--select", "unnecessary-dh-parallel"]
        )
        .status
        .code(),
        Some(1)
    );
    // --exit-zero reports and exits 0; an I/O error is still 2.
    let o = run_in(&dir, &["--exit-zero", "--fail-on", "info"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("No findings."), "{}", stdout(&o));
    assert_eq!(
        run_in(&dir, &["--exit-zero", "nowhere"]).status.code(),
        Some(2)
    );
    assert_eq!(
        findings(&dir, &["--ignore", "parallel,cross,determinism,stale"]),
        []
    );
}

#[test]
fn suppression_comments() {
    let (_g, dir) = copy_tree(&testdata("parallel/custom-j1/in"));
    let rules = dir.join("debian/rules");
    let text = fs::read_to_string(&rules).unwrap();
    let text = text.replace(
        "\tdh $@ --parallel",
        "\tdh $@ --parallel # kpkg-lint: allow(unnecessary-dh-parallel) kept for backports",
    );
    let text = text.replace("override_dh_auto_build:\n", "override_dh_auto_build:\n# kpkg-lint: allow(parallel) the in-house build farm is single-core\n");
    fs::write(&rules, text).unwrap();
    assert_eq!(parallel_findings(&dir), []);
}

#[test]
fn bad_input_is_reported_not_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::create_dir_all(d.join("debian/rules.d")).unwrap();
    // Latin-1 in a comment, CRLF, an unterminated ifeq, a truncated stanza, binary file.
    fs::write(d.join("debian/rules"), b"#!/usr/bin/make -f\r\n# caf\xe9\r\ninclude debian/rules.d/a.mk\r\nb:\r\n\t$(MAKE) -j1 bindeb-pkg\r\n").unwrap();
    fs::write(d.join("debian/rules.d/a.mk"), "ifeq ($(A),1)\nX = 1\n").unwrap();
    fs::write(
        d.join("debian/control"),
        "Source: x\nBuild-Depends: foo (>> ), bar\nthis line is not a field\n",
    )
    .unwrap();
    fs::write(d.join("debian/changelog"), b"\x00\x01\x02binary").unwrap();
    let o = run_in(d, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let got: Vec<(String, String)> = json_findings(&o)
        .into_iter()
        .map(|((rule, path, _), _)| (rule, path))
        .collect();
    for want in [
        ("malformed-file", "debian/changelog"),
        ("malformed-file", "debian/control"),
        ("malformed-file", "debian/rules"),
        ("malformed-file", "debian/rules.d/a.mk"),
        ("serial-kernel-build", "debian/rules"),
    ] {
        assert!(
            got.iter().any(|(r, p)| r == want.0 && p == want.1),
            "missing {want:?} in {got:?}"
        );
    }
    // The non-UTF-8 rules file is never rewritten.
    let w = run_in(d, &["--fix", "--write"]);
    assert_ne!(w.status.code(), Some(2), "{}", stderr(&w));
    assert!(fs::read(d.join("debian/rules"))
        .unwrap()
        .windows(4)
        .any(|x| x == b"\t$(M"));
    assert!(
        fs::read_to_string(d.join("debian/rules")).is_err(),
        "still Latin-1, untouched"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_unreadable_files() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::create_dir_all(d.join("pkg/debian")).unwrap();
    fs::write(d.join("pkg/debian/rules"), "b:\n\t$(MAKE) -j1 bindeb-pkg\n").unwrap();
    std::os::unix::fs::symlink(d, d.join("pkg/loop")).unwrap();
    std::os::unix::fs::symlink("loop2", d.join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", d.join("loop2")).unwrap();
    let o = run_in(d, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // An unreadable file is an I/O error (exit 2), and the rest is still linted.
    fs::write(d.join("pkg/debian/control"), "Source: x\n").unwrap();
    fs::set_permissions(
        d.join("pkg/debian/control"),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    if fs::read(d.join("pkg/debian/control")).is_err() {
        let o = run_in(d, &["--format", "json"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("permission denied"), "{}", stderr(&o));
        assert!(stdout(&o).contains("serial-kernel-build"));
    }
}

// ---------------------------------------------------------------- hostile inputs

#[cfg(unix)]
#[test]
fn hostile_trees_never_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::create_dir_all(d.join("debian/rules.d")).unwrap();
    // A 10,000-deep include chain ending in a cycle.
    let n = 10_000;
    fs::write(
        d.join("debian/rules"),
        "include debian/rules.d/0.mk\nb:\n\t$(MAKE) -j1 bindeb-pkg\n",
    )
    .unwrap();
    for i in 0..n {
        let next = if i + 1 == n { 0 } else { i + 1 };
        fs::write(
            d.join(format!("debian/rules.d/{i}.mk")),
            format!("V{i} = {i}\ninclude debian/rules.d/{next}.mk\n"),
        )
        .unwrap();
    }
    // A FIFO where a packaging file would be, and a 200 MB (sparse) control template.
    let fifo = d.join("debian/control.in");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let big = fs::File::create(d.join("debian/control.stub.in")).unwrap();
    big.set_len(200 * 1024 * 1024).unwrap();
    let o = run_in(
        d,
        &[
            "--format",
            "json",
            "--select",
            "serial-kernel-build,malformed-file",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let msgs: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {} {}", f["rule"], f["path"], f["message"]))
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains("serial-kernel-build")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("control.stub.in") && m.contains("larger than")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("control.in") && m.contains("not a regular file")),
        "{msgs:?}"
    );
}
