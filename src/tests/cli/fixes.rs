//! Fixes as packagers apply them: `--unsafe-fixes`, mail patches through `git am`,
//! a quilt patch through real quilt, and patches of files with lone carriage returns.

use super::common::{
    self, assert_fixed_tree, copy_tree, git, run_in, stderr, stdout, testdata, tool_available,
};
use super::{findings, git_init};
use std::fs;
use std::path::PathBuf;
use std::process::Command;

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

// ---------------------------------------------------------------- determinism

/// The kernel-source fix is a quilt patch: real `quilt push -a` applies the whole
/// series, the script ends up keyed on contents, and with the patches pushed (or
/// popped again) kpkg-lint stays quiet.
#[test]
fn quilt_patch_fix_pushes_with_real_quilt() {
    if !tool_available(
        "quilt",
        &["--version"],
        "pushing the kernel-source quilt fix",
    ) {
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
