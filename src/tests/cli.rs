//! End-to-end tests: the real binary on trees under testdata/, real `git apply`,
//! `patch -p1` and `git am` on the patches it prints.

mod common;

// The other subjects, each in its own file under cli/; the snapshot tests stay
// here so their snapshot names keep the `cli__` prefix.
#[path = "cli/archive.rs"]
mod archive;
#[path = "cli/discovery.rs"]
mod discovery;
#[path = "cli/fixes.rs"]
mod fixes;
#[path = "cli/quieting.rs"]
mod quieting;
#[path = "cli/resolve.rs"]
mod resolve;
#[path = "cli/usage.rs"]
mod usage;

use common::{
    assert_fixed_tree, copy_tree, git, json_findings, run_in, stderr, stdout, testdata, Case,
    Finding,
};
use std::fs;
use std::path::Path;
use std::process::Command;

fn git_init(dir: &Path) {
    assert!(git(dir, &["init", "-q"]).status.success());
    assert!(git(dir, &["add", "-A"]).status.success());
    assert!(git(dir, &["commit", "-q", "-m", "base"]).status.success());
}

/// All findings of a JSON run as (rule, path, line).
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String, u64)> {
    json_run(dir, args).0.into_iter().map(|(f, _)| f).collect()
}

fn parallel_findings(dir: &Path) -> Vec<(String, String, u64)> {
    findings(dir, &["--select", "parallel"])
}

// ---------------------------------------------------------------- fixture cases

/// A JSON run: each finding with its severity, and the exit status.
fn json_run(dir: &Path, args: &[&str]) -> (Vec<(Finding, String)>, Option<i32>) {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    let o = run_in(dir, &a);
    (json_findings(&o), o.status.code())
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

/// `kpkg-lint resolve`'s table, reviewed as a snapshot: one line per
/// build-dependency, the reasons of an OR group's failed alternatives and the
/// notes under it (src/tests/cli/resolve.rs checks the same run's JSON).
#[test]
fn text_resolve_focal() {
    let lists = testdata("resolve/lists-focal");
    let o = run_in(
        &testdata("resolve/focal/in"),
        &[
            "resolve",
            "--host-arch",
            "arm64",
            "--build-arch",
            "amd64",
            "--archive",
            lists.to_str().unwrap(),
            "--components",
            "main",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("text_resolve_focal", stdout(&o));
}
