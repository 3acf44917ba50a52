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

/// Copy a tree (keeping file modes) into a fresh temp dir; returns (guard, path).
pub fn copy_tree(src: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("tree");
    copy_dir(src, &dst);
    (tmp, dst)
}

/// Compare a directory with an expected `out/` tree, byte for byte.
pub fn assert_same_tree(actual: &Path, expected: &Path) {
    let list = |root: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = walk(root)
            .into_iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .filter(|p| !p.starts_with(".git"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(list(actual), list(expected), "file lists differ");
    for rel in list(expected) {
        assert_eq!(
            fs::read_to_string(actual.join(&rel)).unwrap(),
            fs::read_to_string(expected.join(&rel)).unwrap(),
            "{}",
            rel.display()
        );
    }
}

pub fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(root).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Run the shell `script` (its arguments `$1`… are `args`) in a private mount
/// namespace, where it may mount a small tmpfs or a read-only bind mount that nobody
/// else sees. Plain `unshare -m` needs root; `unshare -Urm` works for anyone where
/// user namespaces are allowed. `None` when neither works on this machine (a
/// sandbox that forbids both): the caller says it skipped.
pub fn in_mount_namespace(script: &str, args: &[&std::ffi::OsStr]) -> Option<Output> {
    let probe_dir = tempfile::tempdir().ok()?;
    let probe = "mount -t tmpfs kpkg-lint-probe \"$1\" && umount \"$1\"";
    for flags in [["-m"].as_slice(), ["-U", "-r", "-m"].as_slice()] {
        let works = Command::new("unshare")
            .args(flags)
            .args(["sh", "-c", probe, "sh"])
            .arg(probe_dir.path())
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            return Command::new("unshare")
                .args(flags)
                .args(["sh", "-c", script, "sh"])
                .args(args)
                .output()
                .ok();
        }
    }
    None
}

/// The names of kpkg-lint's temporary files left anywhere under `root`.
pub fn temp_files(root: &Path) -> Vec<PathBuf> {
    walk(root)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".kpkg-lint."))
        })
        .collect()
}
