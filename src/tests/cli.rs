//! End-to-end tests: the real binary on trees under testdata/, real `git apply`,
//! `patch -p1` and `git am` on the patches it prints.

mod common;

use common::{
    assert_fixed_tree, bin, copy_tree, git, run_in, stderr, stdout, testdata, walk, Case, Finding,
};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn git_init(dir: &Path) {
    assert!(git(dir, &["init", "-q"]).status.success());
    assert!(git(dir, &["add", "-A"]).status.success());
    assert!(git(dir, &["commit", "-q", "-m", "base"]).status.success());
}

/// All findings of a JSON run as (rule, path, line).
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String, u64)> {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    let o = run_in(dir, &a);
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn parallel_findings(dir: &Path) -> Vec<(String, String, u64)> {
    findings(dir, &["--select", "parallel"])
}

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
            "mkdebian-old/in/debian/rules",
            "notparallel/in/debian/rules"
        ]
    );
}

// ---------------------------------------------------------------- fixture cases

/// A JSON run: each finding with its severity, and the exit status.
fn json_run(dir: &Path, args: &[&str]) -> (Vec<(Finding, String)>, Option<i32>) {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    let o = run_in(dir, &a);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    let got = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["path"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                ),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (got, o.status.code())
}

/// Every run of one case: the findings in order, the exit status their severities
/// call for (the default `--fail-on warning`), "No findings." in the human output of
/// a clean run, and the human-output snapshot where the case names one.
fn check_runs(case: &Case) {
    let id = case.id();
    for run in &case.runs {
        let args: Vec<&str> = run.args.iter().map(String::as_str).collect();
        let (got, code) = json_run(&case.input, &args);
        let rows: Vec<Finding> = got.iter().map(|(f, _)| f.clone()).collect();
        assert_eq!(rows, run.findings, "{id}: {args:?}");
        let fails = got.iter().any(|(_, s)| s == "warning" || s == "error");
        assert_eq!(code, Some(i32::from(fails)), "{id}: {args:?}: exit status");
        if run.findings.is_empty() || run.text.is_some() {
            let o = run_in(&case.input, &args);
            assert_eq!(o.status.code(), code, "{id}: {args:?}: text exit status");
            if run.findings.is_empty() {
                assert!(stdout(&o).contains("No findings."), "{id}: {args:?}");
            }
            if let Some(name) = &run.text {
                insta::assert_snapshot!(name.as_str(), stdout(&o));
            }
        }
    }
}

/// Every case under testdata/ (see testdata/README.md): its runs, and the fix of
/// each case with an `out/`. Cases run on a few threads; every failing case is
/// reported, then the test fails naming them.
#[test]
fn fixture_cases() {
    let cases = common::cases();
    assert!(
        cases.len() >= 40,
        "discovery found only {} cases",
        cases.len()
    );
    assert!(cases.iter().filter(|c| c.fix.is_some()).count() >= 20);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let ok = std::panic::catch_unwind(|| {
                    check_runs(case);
                    if let Some(fix) = &case.fix {
                        let patch = check_fix_case(case);
                        insta::assert_snapshot!(fix.patch.as_str(), patch);
                    }
                });
                if ok.is_err() {
                    failed.lock().unwrap().push(case.id());
                }
            });
        }
    });
    let mut failed = failed.into_inner().unwrap();
    failed.sort();
    assert!(failed.is_empty(), "failing cases: {failed:?}");
}

/// `--fix` prints a patch; `git apply` and `patch -p1` accept it; the result equals
/// `in/` with `out/` over it, and equals `--fix --write`; re-linting does not report
/// the case's `gone` rules; a second `--fix` is empty. The fix runs with `--fix`,
/// the first run's arguments and the case's `fix` arguments; the re-lint with the
/// first run's arguments.
fn check_fix_case(case: &Case) -> String {
    let spec = case.fix.as_ref().expect("a case with out/");
    let id = case.id();
    let input = &case.input;
    let first: Vec<&str> = case.runs[0].args.iter().map(String::as_str).collect();
    let mut args = vec!["--fix"];
    args.extend_from_slice(&first);
    args.extend(spec.extra.iter().map(String::as_str));

    let (_g1, a) = copy_tree(input);
    git_init(&a);
    let o = run_in(&a, &args);
    let patch = stdout(&o);
    assert!(
        !patch.is_empty(),
        "{id}: empty patch; stderr {}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(1), "{id}: a non-empty patch exits 1");
    assert_eq!(
        git(&a, &["status", "--porcelain"]).stdout,
        b"",
        "{id}: --fix alone changed files"
    );
    fs::write(a.join("../fix.patch"), &patch).unwrap();
    let check = git(&a, &["apply", "--check", "../fix.patch"]);
    assert!(
        check.status.success(),
        "{id}: git apply --check: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(git(&a, &["apply", "../fix.patch"]).status.success());
    assert_fixed_tree(&a, case);

    let (_g2, b) = copy_tree(input);
    let p = Command::new("patch")
        .current_dir(&b)
        .args(["-p1", "--quiet", "-i"])
        .arg(a.join("../fix.patch"))
        .output()
        .unwrap();
    assert!(
        p.status.success(),
        "{id}: patch -p1: {}",
        String::from_utf8_lossy(&p.stdout)
    );
    assert_fixed_tree(&b, case);

    let (_g3, c) = copy_tree(input);
    let mut wargs = args.clone();
    wargs.push("--write");
    let w = run_in(&c, &wargs);
    assert!(w.status.code() != Some(2), "{id}: {}", stderr(&w));
    assert_fixed_tree(&c, case);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(c.join("debian/rules")).map(|m| m.permissions().mode() & 0o777);
        if let Ok(mode) = mode {
            assert_eq!(
                mode,
                fs::metadata(input.join("debian/rules"))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777,
                "{id}: mode kept"
            );
        }
    }

    let left: Vec<String> = findings(&c, &first)
        .into_iter()
        .map(|(r, _, _)| r)
        .collect();
    for g in &spec.gone {
        assert!(
            !left.iter().any(|r| r == g),
            "{id}: {g} still reported after the fix: {left:?}"
        );
    }
    let again = run_in(&c, &args);
    assert_eq!(stdout(&again), "", "{id}: second --fix is not empty");
    patch
}

/// A file of `out/` that is a copy of `in/` is refused, so copies do not come back.
#[test]
fn out_copies_of_in_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("family/case");
    fs::create_dir_all(dir.join("in/debian")).unwrap();
    fs::create_dir_all(dir.join("out/debian")).unwrap();
    fs::write(dir.join("in/debian/rules"), "a\n").unwrap();
    fs::write(dir.join("in/debian/control"), "b\n").unwrap();
    fs::write(dir.join("out/debian/rules"), "A\n").unwrap();
    let mut case = common::case("parallel/custom-j1");
    case.dir = dir.clone();
    case.input = dir.join("in");
    let want = case.expected_tree();
    assert_eq!(want[Path::new("debian/rules")], b"A\n");
    assert_eq!(want[Path::new("debian/control")], b"b\n");
    fs::write(dir.join("out/debian/control"), "b\n").unwrap();
    let copy = std::panic::catch_unwind(|| case.expected_tree());
    assert!(copy.is_err(), "an out/ file equal to in/ must be an error");
}

// ---------------------------------------------------------------- human output

#[test]
fn human_output_of_broken_input() {
    let o = run_in(&testdata("input/broken"), &["--select", "input"]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("text_broken_input", stdout(&o));
}

// ---------------------------------------------------------------- fixes

#[test]
fn fix_kernel_package_needs_unsafe() {
    let (_g, dir) = copy_tree(&testdata("examples/kernel-package"));
    let o = run_in(&dir, &["--fix", "--select", "parallel"]);
    assert_eq!(stdout(&o), "", "the nested-build fix is unsafe");
    assert!(
        stderr(&o).contains("more with --unsafe-fixes"),
        "{}",
        stderr(&o)
    );
    // The unsafe fix itself is the case parallel/kernel-package.
    let case = common::case("parallel/kernel-package");
    assert_eq!(case.input, testdata("examples/kernel-package"));
    assert_eq!(case.fix.unwrap().extra, ["--unsafe-fixes"]);
}

#[test]
fn patch_dir_mails_apply_with_git_am() {
    let (_g, dir) = copy_tree(&testdata("parallel/custom-j1/in"));
    git_init(&dir);
    let o = run_in(
        &dir,
        &["--fix", "--select", "parallel", "--patch-dir", "../patches"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let names = stdout(&o);
    assert_eq!(names.lines().count(), 2, "one mail per rule: {names}");
    let mut mails: Vec<PathBuf> = fs::read_dir(dir.join("../patches"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    mails.sort();
    let first = fs::read_to_string(&mails[0]).unwrap();
    let second = fs::read_to_string(&mails[1]).unwrap();
    assert!(
        first.contains("Subject: [PATCH 1/2] Fix unnecessary-dh-parallel findings"),
        "{first}"
    );
    assert!(
        second.contains("Subject: [PATCH 2/2] Fix serial-kernel-build findings"),
        "{second}"
    );
    let mut am = vec!["am", "-q"];
    let paths: Vec<String> = mails
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    am.extend(paths.iter().map(String::as_str));
    let r = git(&dir, &am);
    assert!(
        r.status.success(),
        "git am: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert_fixed_tree(&dir, &common::case("parallel/custom-j1"));
    let log = git(&dir, &["log", "--format=%s"]);
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 3);
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
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let got: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["path"].as_str().unwrap().into(),
            )
        })
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

// ---------------------------------------------------------------- cross

#[test]
fn cross_columns_and_severity() {
    let o = run_in(
        &testdata("cross/debian-4x/in"),
        &["--format", "json", "--select", "cross"],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let cols: Vec<(u64, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["column"].as_u64().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    // libssl-dev (CONFIG_MODULE_SIG=y) and libelf-dev (CONFIG_UNWINDER_ORC=y): errors.
    assert_eq!(cols, [(122, "error"), (177, "error")]);
}

#[test]
fn cross_template_names_the_generated_control() {
    let o = run_in(
        &testdata("cross/debian-4x/in"),
        &["--select", "build-dep-missing-native"],
    );
    assert!(
        stdout(&o).contains("generated from debian/templates/control.source.in: regenerate it"),
        "{}",
        stdout(&o)
    );
}

// ---------------------------------------------------------------- archive indices

/// A small index: bison not foreign (as in an old release), libelf-dev allowed.
const SMALL_INDEX: &str = "Package: bison\nVersion: 2:3.0.4.dfsg-1\nArchitecture: amd64\nDescription: YACC-compatible parser generator\n\nPackage: libelf-dev\nVersion: 0.170-0.4\nArchitecture: amd64\nMulti-Arch: allowed\nDescription: libelf1 development libraries and header files\n\nPackage: flex\nVersion: 2.6.4-6\nArchitecture: amd64\nMulti-Arch: foreign\nDescription: fast lexical analyzer generator\n";

fn compress(dir: &Path, tool: &str, args: &[&str], ext: &str) -> PathBuf {
    let plain = dir.join("Packages");
    fs::write(&plain, SMALL_INDEX).unwrap();
    if ext.is_empty() {
        return plain;
    }
    let out = dir.join(format!("Packages{ext}"));
    let o = Command::new(tool)
        .args(args)
        .arg(&plain)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e} (install it: .ci/run does)"));
    assert!(
        o.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    fs::write(&out, &o.stdout).unwrap();
    fs::remove_file(&plain).unwrap();
    out
}

#[test]
fn archive_indices_override_multi_arch_in_every_compression() {
    let tree = testdata("cross/mkdebian-old/in");
    // Built-in facts: bison and flex are foreign, libelf-dev is same.
    let rules = |args: &[&str]| -> Vec<String> {
        let mut a = vec![
            "--select",
            "native-qualifier-on-foreign,any-qualifier-not-allowed",
        ];
        a.extend_from_slice(args);
        findings(&tree, &a).into_iter().map(|(r, _, _)| r).collect()
    };
    assert_eq!(
        rules(&[]),
        [
            "native-qualifier-on-foreign",
            "native-qualifier-on-foreign",
            "any-qualifier-not-allowed"
        ]
    );
    for (tool, args, ext) in [
        ("plain", &[][..], ""),
        ("gzip", &["-c"][..], ".gz"),
        ("xz", &["-c"][..], ".xz"),
        ("lz4", &["-c"][..], ".lz4"),
        ("zstd", &["-c", "-q"][..], ".zst"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let index = compress(tmp.path(), tool, args, ext);
        let got = rules(&["--archive", index.to_str().unwrap()]);
        // The index says bison is not foreign and libelf-dev is allowed: only flex:native remains.
        assert_eq!(got, ["native-qualifier-on-foreign"], "{tool}");
    }
}

#[test]
fn bad_indices_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = testdata("cross/mkdebian-old/in");
    let cases = [
        (
            "Packages.gz",
            &b"\x1f\x8b\x08 truncated"[..],
            "cannot decompress",
        ),
        ("Packages.xz", &b"not xz at all"[..], "cannot decompress"),
        (
            "Packages",
            &b"this is not an index\n"[..],
            "not an apt Packages index",
        ),
    ];
    for (name, bytes, want) in cases {
        let p = tmp.path().join(name);
        fs::write(&p, bytes).unwrap();
        let o = run_in(&tree, &["--archive", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        let e = stderr(&o);
        assert!(e.contains(name) && e.contains(want), "{name}: {e}");
        fs::remove_file(&p).unwrap();
    }
    let o = run_in(&tree, &["--archive", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no apt Packages index found here"));
}

/// The machine's real apt lists (CI runs `apt-get update` first).
#[test]
fn archive_auto_reads_the_real_apt_lists() {
    let lists = Path::new("/var/lib/apt/lists");
    let has_index = fs::read_dir(lists)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().contains("_Packages"))
        })
        .unwrap_or(false);
    if !has_index {
        eprintln!("SKIPPED archive_auto_reads_the_real_apt_lists: no Packages index in /var/lib/apt/lists (run apt-get update)");
        return;
    }
    let o = run_in(
        &testdata("cross/mkdebian-old/in"),
        &["--archive", "auto", "--format", "json", "--select", "cross"],
    );
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // bison is Multi-Arch: foreign in every current Debian and Ubuntu index.
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "native-qualifier-on-foreign"
            && f["message"].as_str().unwrap().contains("`bison`")));
}

// ---------------------------------------------------------------- stale

fn stale_archive() -> String {
    testdata("stale/archive").to_string_lossy().into_owned()
}

#[test]
fn stale_message_names_the_reason_and_the_generated_file() {
    let o = run_in(
        &testdata("stale/debian-bookworm/in"),
        &[
            "--select",
            "build-dep-unavailable",
            "--archive",
            &stale_archive(),
        ],
    );
    let out = stdout(&o);
    assert!(out.contains("bookworm has `kernel-wedge` 2.104"), "{out}");
    assert!(
        out.contains("generated from debian/templates/source.control.in"),
        "{out}"
    );
    insta::assert_snapshot!("text_stale_unavailable", out);
}

#[test]
fn stale_indices_in_every_compression() {
    let tree = testdata("stale/debian-bookworm/in");
    let want = findings(
        &tree,
        &[
            "--select",
            "build-dep-unavailable,redundant-version-constraint",
            "--archive",
            &stale_archive(),
        ],
    );
    assert_eq!(want.len(), 7);
    for (tool, ext) in [
        ("gzip", ".gz"),
        ("xz", ".xz"),
        ("lz4", ".lz4"),
        ("zstd", ".zst"),
    ] {
        let (_g, dir) = copy_tree(&testdata("stale/archive"));
        for p in walk(&dir)
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|n| n == "Packages"))
        {
            let o = Command::new(tool)
                .args(["-c", "-q"])
                .arg(&p)
                .output()
                .unwrap();
            assert!(o.status.success(), "{tool}");
            fs::write(p.with_file_name(format!("Packages{ext}")), &o.stdout).unwrap();
            fs::remove_file(&p).unwrap();
        }
        let got = findings(
            &tree,
            &[
                "--select",
                "build-dep-unavailable,redundant-version-constraint",
                "--archive",
                dir.to_str().unwrap(),
            ],
        );
        assert_eq!(got, want, "{tool}");
    }
}

/// `--archive auto` against the machine's apt lists: a known-gone package is
/// unavailable, a present one is not.
#[test]
fn stale_archive_auto_on_the_real_lists() {
    let codename = fs::read_to_string("/etc/os-release").ok().and_then(|t| {
        t.lines().find_map(|l| {
            l.strip_prefix("VERSION_CODENAME=")
                .map(|v| v.trim_matches('"').to_string())
        })
    });
    let lists = fs::read_dir("/var/lib/apt/lists")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().contains("_Packages"))
        })
        .unwrap_or(false);
    let (Some(codename), true) = (codename, lists) else {
        eprintln!("SKIPPED stale_archive_auto_on_the_real_lists: no apt lists or no VERSION_CODENAME on this machine");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::create_dir_all(d.join("debian")).unwrap();
    fs::write(d.join("debian/control"), "Source: linux-acme\nBuild-Depends: debhelper, dh-systemd\n\nPackage: linux-image-acme\nArchitecture: any\n").unwrap();
    fs::write(d.join("debian/changelog"), format!("linux-acme (1.0-1) {codename}; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n")).unwrap();
    let got = findings(
        d,
        &["--select", "build-dep-unavailable", "--archive", "auto"],
    );
    let lines: Vec<u64> = got.iter().map(|(_, _, l)| *l).collect();
    assert_eq!(
        lines,
        [2],
        "exactly one finding, on the Build-Depends line: {got:?}"
    );
    let o = run_in(
        d,
        &["--select", "build-dep-unavailable", "--archive", "auto"],
    );
    assert!(
        stdout(&o).contains("`dh-systemd` cannot be installed"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("`debhelper` cannot"));
}

// ---------------------------------------------------------------- determinism

/// The kernel-source fix is a quilt patch: real `quilt push -a` applies the whole
/// series, the script ends up keyed on contents, and with the patches pushed (or
/// popped again) kpkg-lint stays quiet.
#[test]
fn quilt_patch_fix_pushes_with_real_quilt() {
    if Command::new("quilt").arg("--version").output().is_err() {
        eprintln!("SKIPPED quilt_patch_fix_pushes_with_real_quilt: quilt is not installed (.ci/run installs it)");
        return;
    }
    let (_g, dir) = copy_tree(&testdata("determinism/kheaders/in"));
    let w = run_in(&dir, &["--fix", "--write", "--select", "determinism"]);
    assert_ne!(w.status.code(), Some(2), "{}", stderr(&w));
    let quilt = |args: &[&str]| {
        Command::new("quilt")
            .current_dir(&dir)
            .env("QUILT_PATCHES", "debian/patches")
            .env("QUILT_PC", ".pc")
            .args(args)
            .output()
            .unwrap()
    };
    let push = quilt(&["push", "-a"]);
    assert!(
        push.status.success(),
        "quilt push: {}{}",
        String::from_utf8_lossy(&push.stdout),
        String::from_utf8_lossy(&push.stderr)
    );
    let script = fs::read_to_string(dir.join("kernel/gen_kheaders.sh")).unwrap();
    assert!(
        script.contains("LC_ALL=C sort | xargs md5sum | md5sum") && !script.contains("ls -l"),
        "{script}"
    );
    assert!(
        script.contains("# Acme: key the archive"),
        "the existing patch is applied too"
    );
    assert_eq!(
        findings(&dir, &[]),
        [],
        "pushed: nothing to report, no broken series"
    );
    assert!(quilt(&["pop", "-a"]).status.success());
    assert_eq!(findings(&dir, &[]), []);
    let patch =
        fs::read_to_string(dir.join("debian/patches/kpkg-lint-gen-kheaders-content-key.patch"))
            .unwrap();
    for header in ["Description: ", "Author: ", "Forwarded: no"] {
        assert!(patch.contains(header), "DEP-3 {header}");
    }
}

// ---------------------------------------------------------------- flavour

#[test]
fn flavour_notes_name_every_place() {
    let o = run_in(
        &testdata("flavour/ubuntu-image-vars/in"),
        &["--select", "flavour-missing-image-vars"],
    );
    let out = stdout(&o);
    assert_eq!(out.matches("set for `").count(), 4, "{out}");
    insta::assert_snapshot!("text_flavour_image_vars", out);
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

/// A lone `\r` inside a line is part of the line for git and patch. The patch of
/// such a file (here a control file with a stray CR, and one ending in a bare CR
/// without a newline) applies with both, and gives what --write gives.
#[test]
fn patches_keep_lone_carriage_returns_inside_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("tree");
    fs::create_dir_all(d.join("debian")).unwrap();
    fs::write(
        d.join("debian/control"),
        "Source: linux\nBuild-Depends: debhelper-compat (= 13),\n libcap-dev   \r   <!stage1>,\n \
         libunwind8-dev,\n bc\n\nPackage: linux-image\nArchitecture: any\nDescription: x\n x\r",
    )
    .unwrap();
    git_init(&d);
    let o = run_in(&d, &["--fix", "--select", "obsolete-build-dep"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let patch = stdout(&o);
    assert!(
        patch.contains(" libcap-dev   \r   <!stage1>,\n"),
        "{patch:?}"
    );
    assert!(patch.contains("+ libunwind-dev,\n"), "{patch:?}");
    fs::write(tmp.path().join("fix.patch"), &patch).unwrap();
    let check = git(&d, &["apply", "--check", "../fix.patch"]);
    assert!(
        check.status.success(),
        "git apply --check: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let p = Command::new("patch")
        .current_dir(&d)
        .args(["-p1", "--quiet", "-i", "../fix.patch"])
        .output()
        .unwrap();
    assert!(
        p.status.success(),
        "patch -p1: {}",
        String::from_utf8_lossy(&p.stdout)
    );
    let patched = fs::read(d.join("debian/control")).unwrap();
    assert!(git(&d, &["checkout", "--", "."]).status.success());
    let w = run_in(&d, &["--fix", "--write", "--select", "obsolete-build-dep"]);
    assert_ne!(w.status.code(), Some(2), "{}", stderr(&w));
    assert_eq!(fs::read(d.join("debian/control")).unwrap(), patched);
}
