//! Hostile trees on the read side, run for real: links out of the tree to a victim
//! file, FIFOs, sockets and `/dev/zero` where packaging files belong, an unreadable
//! quilt series. The run ends (each one has a deadline and a memory limit), nothing
//! outside the tree is read or printed, and every refusal is reported.
#![cfg(unix)]

mod common;

use common::bin;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Text only the victim holds: it must never appear in any output.
const SECRET: &str = "SECRET_TOKEN_4711";

/// A small tree whose `debian/rules` has one finding of its own (an `ifeq` never
/// closed), so a test can see the rest of the tree is still linted; and beside
/// it, outside the tree, victim files holding [`SECRET`].
fn hostile_tree() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    fs::create_dir_all(outside.join("branch/rules.d")).unwrap();
    // Each victim is something main would lint and show: a conditional never
    // closed is a finding with the line printed under it.
    let victim = format!("ifeq ({SECRET},x)\nY = 1\n");
    fs::write(outside.join("victim.mk"), &victim).unwrap();
    fs::write(outside.join("branch/rules.d/amd64.mk"), &victim).unwrap();
    fs::write(outside.join("branch/changelog"), SECRET).unwrap();
    fs::write(
        outside.join("victim.patch"),
        format!("--- a/{SECRET}\n+++ b/{SECRET}\n@@ -1 +1 @@\n-{SECRET}\n+{SECRET}\n"),
    )
    .unwrap();
    let tree = tmp.path().join("tree");
    fs::create_dir_all(tree.join("debian/patches")).unwrap();
    fs::write(
        tree.join("debian/rules"),
        "#!/usr/bin/make -f\ninclude debian/extra.mk\nifeq (a,b)\nbuild:\n\t$(MAKE)\n",
    )
    .unwrap();
    fs::write(tree.join("debian/control"), "Source: linux\n").unwrap();
    (tmp, tree)
}

/// Run kpkg-lint on `dir` with a deadline and an address-space limit: a run that
/// hangs is killed and fails the test, one that reads without end hits the limit
/// instead of the machine's memory. `uid` runs it as that user (from root).
fn run_bounded(dir: &Path, args: &[&str], uid: Option<u32>) -> Output {
    let out = tempfile::tempdir().unwrap();
    let (o, e) = (out.path().join("out"), out.path().join("err"));
    let mut script = String::from("ulimit -v 2000000; ");
    if let Some(uid) = uid {
        script += &format!("exec setpriv --reuid={uid} --regid={uid} --clear-groups \"$0\" \"$@\"");
    } else {
        script += "exec \"$0\" \"$@\"";
    }
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin().get_program())
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&o).unwrap())
        .stderr(fs::File::create(&e).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "kpkg-lint {args:?} in {} did not end within 30 s",
                dir.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: fs::read(&o).unwrap(),
        stderr: fs::read(&e).unwrap(),
    }
}

fn both(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The findings `rule` gives, as (file, message), from `--format json`.
fn findings(o: &Output, rule: &str) -> Vec<(String, String)> {
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", both(o)));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn assert_rest_linted(o: &Output) {
    let own = findings(o, "malformed-file");
    assert!(
        own.iter()
            .any(|(f, m)| f == "debian/rules" && m.contains("never closed")),
        "debian/rules is still linted: {own:?}"
    );
}

/// A file, a packaging directory and a listed patch that lead out of the tree:
/// none is followed, each is reported, and not a byte of the victims is printed
/// in any format.
#[test]
fn links_out_of_the_tree_are_reported_never_read() {
    let (_tmp, tree) = hostile_tree();
    symlink("../../outside/victim.mk", tree.join("debian/extra.mk")).unwrap();
    symlink("../outside/branch", tree.join("debian.master")).unwrap();
    fs::write(tree.join("debian/debian.env"), "DEBIAN=debian.master\n").unwrap();
    fs::write(tree.join("debian/patches/series"), "a.patch\n").unwrap();
    symlink(
        "../../../outside/victim.patch",
        tree.join("debian/patches/a.patch"),
    )
    .unwrap();
    for format in ["text", "json", "lintian", "sarif", "github", "gitlab"] {
        let o = run_bounded(&tree, &["--format", format, "."], None);
        assert!(!both(&o).contains(SECRET), "{format} leaks:\n{}", both(&o));
        assert_eq!(o.status.code(), Some(1), "{format}: {}", both(&o));
    }
    let o = run_bounded(&tree, &["--format", "json", "."], None);
    let refused = findings(&o, "malformed-file");
    for (file, why) in [
        (
            "debian/extra.mk",
            "symbolic link that leads outside the tree",
        ),
        ("debian.master", "symbolic link that leads outside the tree"),
        ("debian/patches/a.patch", "symbolic link that leads outside"),
    ] {
        assert!(
            refused.iter().any(|(f, m)| f == file && m.contains(why)),
            "{file}: {refused:?}"
        );
    }
    assert_rest_linted(&o);
}

/// A configuration file that links out of the tree is not read: an error naming
/// it (exit 2), and the victim's text is not in it.
#[test]
fn a_config_file_linking_out_of_the_tree_is_not_read() {
    let (tmp, tree) = hostile_tree();
    fs::write(
        tmp.path().join("outside/kpkg.toml"),
        format!("{SECRET} =\n"),
    )
    .unwrap();
    symlink("../outside/kpkg.toml", tree.join("kpkg-lint.toml")).unwrap();
    let o = run_bounded(&tree, &["."], None);
    assert!(!both(&o).contains(SECRET), "{}", both(&o));
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(
        both(&o).contains("kpkg-lint.toml: leads outside the tree"),
        "{}",
        both(&o)
    );
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

/// FIFOs as `debian/debian.env`, `debian/patches/series` and an included makefile,
/// and a socket as another: opening a FIFO blocks until a writer comes, so none
/// is opened; each is reported as not a regular file and the rest is linted.
#[test]
fn fifos_and_sockets_are_never_opened() {
    let (_tmp, tree) = hostile_tree();
    mkfifo(&tree.join("debian/debian.env"));
    mkfifo(&tree.join("debian/patches/series"));
    mkfifo(&tree.join("debian/extra.mk"));
    let _socket = std::os::unix::net::UnixListener::bind(tree.join("debian/rules.mk")).unwrap();
    let o = run_bounded(&tree, &["--format", "json", "."], None);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let refused = findings(&o, "malformed-file");
    for (file, what) in [
        ("debian/debian.env", "a FIFO"),
        ("debian/patches/series", "a FIFO"),
        ("debian/extra.mk", "a FIFO"),
        ("debian/rules.mk", "a socket"),
    ] {
        assert!(
            refused
                .iter()
                .any(|(f, m)| f == file && m.contains(&format!("not a regular file ({what})"))),
            "{file}: {refused:?}"
        );
    }
    assert_rest_linted(&o);
}

/// `/dev/zero` (endless) and `/proc/self/…` linked as a series and as makefiles:
/// links out of the tree, never read; main read the series until memory ran out.
#[test]
fn links_to_dev_and_proc_are_never_read() {
    let (_tmp, tree) = hostile_tree();
    symlink("/dev/zero", tree.join("debian/patches/series")).unwrap();
    symlink("/dev/zero", tree.join("debian/extra.mk")).unwrap();
    symlink("/proc/self/environ", tree.join("debian/rules.mk")).unwrap();
    let o = run_bounded(&tree, &["--format", "json", "."], None);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let refused = findings(&o, "malformed-file");
    for file in [
        "debian/patches/series",
        "debian/extra.mk",
        "debian/rules.mk",
    ] {
        assert!(
            refused
                .iter()
                .any(|(f, m)| f == file && m.contains("leads outside the tree")),
            "{file}: {refused:?}"
        );
    }
    assert_rest_linted(&o);
}

/// An unreadable `debian/patches/series` is an I/O error: exit 2, the file named
/// on stderr, and the rest of the tree linted and reported. (From root, the run
/// is made as `nobody`, for whom mode 000 means unreadable.)
#[test]
fn an_unreadable_series_is_an_io_error() {
    let (tmp, tree) = hostile_tree();
    let series = tree.join("debian/patches/series");
    fs::write(&series, "a.patch\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&series, fs::Permissions::from_mode(0o000)).unwrap();
    let uid = if unsafe { libc::geteuid() } == 0 {
        // The temporary directory is root's alone: let nobody in to read the tree.
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
        if !common::tool_available("setpriv", &["--version"], "running as another user") {
            return;
        }
        Some(65534)
    } else {
        None
    };
    let o = run_bounded(&tree, &["--format", "json", "."], uid);
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("debian/patches/series: permission denied"),
        "{}",
        both(&o)
    );
    assert_rest_linted(&o);
}
