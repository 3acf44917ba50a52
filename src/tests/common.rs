//! Helpers shared by the integration tests under src/tests/.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kpkg-lint"));
    c.env("NO_COLOR", "1");
    c
}

pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

/// Run kpkg-lint in `dir` with `args`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run kpkg-lint")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

pub fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=kpkg-lint test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git")
}

pub fn git_ok(dir: &Path, args: &[&str]) {
    let o = git(dir, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A git repository holding a copy of `src`, everything committed.
pub fn repo_with(src: &Path, dst: &Path) {
    copy_dir(src, dst);
    git_ok(dst, &["init", "-q"]);
    git_ok(dst, &["add", "-A"]);
    git_ok(dst, &["commit", "-q", "-m", "base"]);
}

/// Whether an external tool runs; when it does not, a test that needs it is skipped
/// with a message on stderr, except in CI (`CI` set), where a missing tool is a
/// failure: .ci/run installs it.
pub fn tool_available(program: &str, args: &[&str], why: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!(
                "{program} is needed for {why} and .ci/run installs it, but `{program} {}` failed",
                args.join(" ")
            );
        }
        eprintln!(
            "SKIPPED {why}: `{program} {}` failed; install it (see .ci/run) to run this test",
            args.join(" ")
        );
    }
    ok
}
