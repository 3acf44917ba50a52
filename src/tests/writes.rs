//! `--fix --write` under conditions that make writes fail: a full disk, a file-size
//! limit, a read-only file system, another run racing on the same tree. Whatever
//! happens, each tree ends either untouched or completely fixed: never half written,
//! never with a temporary file left behind, never with a link turned into a file.

mod common;
#[path = "writes/jail.rs"]
mod jail;

use common::{
    assert_fixed_tree, assert_same_tree, bin, case, copy_tree, in_mount_namespace, machine_has,
    run_in, stderr, temp_files, testdata, tool_available,
};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The example tree: its safe fixes change two files, `kernel/rules` (about 600
/// bytes after the fix) and `kernel/ruleset/targets/common.mk` (about 1,900), which
/// are staged in that order.
const EXAMPLE: &str = "examples/kernel-package";
const SMALL: &str = "kernel/rules";
const LARGE: &str = "kernel/ruleset/targets/common.mk";

/// The example tree fixed with nothing in the way: what a successful `--write` gives.
fn fixed_reference() -> (tempfile::TempDir, PathBuf) {
    let (guard, dir) = copy_tree(&testdata(EXAMPLE));
    let o = run_in(&dir, &["--fix", "--write"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for rel in [SMALL, LARGE] {
        assert_ne!(
            fs::read(dir.join(rel)).unwrap(),
            fs::read(testdata(EXAMPLE).join(rel)).unwrap(),
            "the reference fix changes {rel}"
        );
    }
    (guard, dir)
}

fn os(p: &Path) -> &OsStr {
    p.as_os_str()
}

/// A real full disk: the tree sits on a tmpfs with exactly one free page. The first
/// fixed file fits in it, the second hits ENOSPC; the first must not land without
/// the second, so the tree is unchanged. With the space freed, the same run fixes
/// the tree completely.
#[cfg(unix)]
#[test]
fn write_on_a_full_disk_changes_nothing() {
    let (_r, reference) = fixed_reference();
    let work = tempfile::tempdir().unwrap();
    let (out, mnt) = (work.path().join("out"), work.path().join("mnt"));
    fs::create_dir_all(&out).unwrap();
    fs::create_dir_all(&mnt).unwrap();
    // tmpfs counts whole pages: fill every page, then give one back.
    let script = r#"
        set -e
        bin=$1 src=$2 out=$3 mnt=$4
        export NO_COLOR=1
        mount -t tmpfs -o size=512k kpkg-lint-full "$mnt"
        cp -a "$src" "$mnt/tree"
        head -c 4096 /dev/zero > "$mnt/reserve"
        dd if=/dev/zero of="$mnt/filler" bs=4096 2>/dev/null || true
        rm "$mnt/reserve"
        set +e
        "$bin" --fix --write "$mnt/tree" > "$out/stdout.full" 2> "$out/stderr.full"
        echo $? > "$out/rc.full"
        cp -a "$mnt/tree" "$out/full"
        rm "$mnt/filler"
        "$bin" --fix --write "$mnt/tree" > "$out/stdout.freed" 2> "$out/stderr.freed"
        echo $? > "$out/rc.freed"
        cp -a "$mnt/tree" "$out/freed"
    "#;
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_kpkg-lint"));
    let src = testdata(EXAMPLE);
    let Some(o) = in_mount_namespace(script, &[os(&bin), os(&src), os(&out), os(&mnt)]) else {
        // The file-size-limit test covers the same path where this cannot run.
        machine_has(
            false,
            "write_on_a_full_disk_changes_nothing",
            "a private mount namespace (unshare -m, or -Urm with user namespaces)",
        );
        return;
    };
    let read = |name: &str| fs::read_to_string(out.join(name)).unwrap_or_default();
    assert!(
        o.status.success(),
        "setup failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = read("stderr.full");
    assert_eq!(read("rc.full").trim(), "2", "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains(LARGE) && err.contains("1 other fixed file is held back"),
        "the small file was staged and held back: {err}"
    );
    assert_same_tree(&out.join("full"), &src);
    assert!(temp_files(&out.join("full")).is_empty());

    assert_eq!(read("rc.freed").trim(), "1", "{}", read("stderr.freed"));
    assert_same_tree(&out.join("freed"), &reference);
    assert!(temp_files(&out.join("freed")).is_empty());
}

/// The same failure without privileges anywhere: a file-size limit (RLIMIT_FSIZE,
/// with SIGXFSZ ignored so the write returns EFBIG) between the two fixed files'
/// sizes lets the first be staged and stops the second.
#[cfg(unix)]
#[test]
fn write_past_the_file_size_limit_changes_nothing() {
    if !tool_available(
        "prlimit",
        &["--version"],
        "the file-size-limit --write test",
    ) {
        return;
    }
    let (_r, reference) = fixed_reference();
    let small = fs::metadata(reference.join(SMALL)).unwrap().len();
    let large = fs::metadata(reference.join(LARGE)).unwrap().len();
    assert!(small + 64 < large, "{small} {large}");
    let limit = (small + large) / 2;
    let (_g, dir) = copy_tree(&testdata(EXAMPLE));
    let o = Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; limit=$1; shift; exec prlimit --fsize=$limit -- \"$@\"",
            "sh",
        ])
        .arg(limit.to_string())
        .arg(env!("CARGO_BIN_EXE_kpkg-lint"))
        .args(["--fix", "--write"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("File too large"), "{err}");
    assert!(err.contains("1 other fixed file is held back"), "{err}");
    // Nothing was fixed, so nothing is claimed, and the findings the fixes would
    // have removed are still reported.
    assert!(err.contains("Fixed 0 findings in 0 files"), "{err}");
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(report.contains("unpinned-kbuild-timestamp"), "{report}");
    assert_same_tree(&dir, &testdata(EXAMPLE));
    assert!(temp_files(&dir).is_empty());
}

/// A read-only target: a clear error naming the file, exit 2, nothing changed. Root
/// writes through permission bits, so as root (as on CI) the tree is made read-only
/// with a read-only bind mount instead, which stops root too.
#[cfg(unix)]
#[test]
fn write_to_read_only_files_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let (_g, dir) = copy_tree(&testdata("parallel/custom-j1/in"));
    let debian = dir.join("debian");
    let before = fs::read(debian.join("rules")).unwrap();
    fs::set_permissions(&debian, fs::Permissions::from_mode(0o555)).unwrap();
    let probe = debian.join(".probe");
    let root_writes_anyway = fs::write(&probe, b"x").is_ok();
    let _ = fs::remove_file(&probe);
    let o = if root_writes_anyway {
        let script = r#"
            export NO_COLOR=1
            mount --bind "$2" "$2" && mount -o remount,bind,ro "$2" || exit 100
            cd "$2" && exec "$1" --fix --write --select parallel
        "#;
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_kpkg-lint"));
        match in_mount_namespace(script, &[os(&bin), os(&dir)]) {
            Some(o) if o.status.code() != Some(100) => o,
            _ => {
                fs::set_permissions(&debian, fs::Permissions::from_mode(0o755)).unwrap();
                // Root writes through permission bits: only a read-only mount stops it.
                machine_has(
                    false,
                    "write_to_read_only_files_changes_nothing",
                    "a read-only bind mount in a private mount namespace (as root)",
                );
                return;
            }
        }
    } else {
        run_in(&dir, &["--fix", "--write", "--select", "parallel"])
    };
    fs::set_permissions(&debian, fs::Permissions::from_mode(0o755)).unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("debian/rules"), "{err}");
    assert!(
        err.contains("Read-only file system") || err.contains("ermission denied"),
        "{err}"
    );
    assert_eq!(fs::read(debian.join("rules")).unwrap(), before);
    assert!(temp_files(&dir).is_empty());
}

/// Two `--fix --write` runs racing on one tree: every file ends either untouched or
/// completely fixed (here: equal to the reviewed out/ tree), never half-written, and
/// no temporary file is left behind.
#[test]
fn concurrent_writes_never_corrupt_files() {
    let mkdebian_old = case("parallel/mkdebian-old");
    for round in 0..6 {
        let (_g, dir) = copy_tree(&testdata("parallel/mkdebian-old/in"));
        let spawn = || {
            bin()
                .current_dir(&dir)
                .args(["--fix", "--write", "--select", "parallel"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        for o in [&a, &b] {
            // The loser may find the file changed under it: a clear error, not a crash.
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                matches!(o.status.code(), Some(0..=2)),
                "round {round}: {err}"
            );
            // Or it finds the other's journal (held while that one renames).
            if o.status.code() == Some(2) {
                assert!(
                    err.contains("changed on disk")
                        || err.contains("another `kpkg-lint --fix --write` is writing"),
                    "round {round}: {err}"
                );
            }
        }
        assert_fixed_tree(&dir, &mkdebian_old);
        let temps = temp_files(&dir);
        assert!(temps.is_empty(), "round {round}: {temps:?}");
    }
}

/// A file the fix creates (a flavour's vars file) gets the mode any new file gets
/// under the user's umask, 0644 under the usual 022, not a temporary file's 0600.
#[cfg(unix)]
#[test]
fn new_files_get_the_umask_mode() {
    use std::os::unix::fs::PermissionsExt;
    let (_g, dir) = copy_tree(&testdata("flavour/ubuntu-missing-vars/in"));
    let o = Command::new("sh")
        .args(["-c", "umask 022; exec \"$@\"", "sh"])
        .arg(env!("CARGO_BIN_EXE_kpkg-lint"))
        .args(["--fix", "--write", "--unsafe-fixes", "--select", "flavour"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let created = dir.join("debian.master/control.d/vars.tickless");
    let mode = fs::metadata(&created).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "{mode:o}");
    assert_fixed_tree(&dir, &case("flavour/ubuntu-missing-vars"));
}

/// Two files of a tree that are one file on disk (an included makefile and a
/// symlink to it): the printed patch shows the change once, at the real file, and
/// applies with git and patch; `--write` writes it once and keeps the link. (Found
/// in review: the second rename saw the first and the run stopped half way.)
#[cfg(unix)]
#[test]
fn a_file_reached_twice_is_written_once() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("tree");
    fs::create_dir_all(d.join("debian/rules.d")).unwrap();
    fs::write(
        d.join("debian/rules"),
        "#!/usr/bin/make -f\ninclude debian/rules.d/a.mk\ninclude debian/rules.d/b.mk\n",
    )
    .unwrap();
    fs::write(
        d.join("debian/rules.d/a.mk"),
        "build:\n\t$(MAKE) bindeb-pkg\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("a.mk", d.join("debian/rules.d/b.mk")).unwrap();
    common::git_ok(&d, &["init", "-q"]);
    common::git_ok(&d, &["add", "-A"]);
    common::git_ok(&d, &["commit", "-q", "-m", "base"]);

    let o = run_in(&d, &["--fix"]);
    let patch = String::from_utf8(o.stdout).unwrap();
    assert!(patch.contains("+++ b/debian/rules.d/a.mk"), "{patch}");
    assert!(
        !patch.contains("+++ b/debian/rules.d/b.mk"),
        "the link is not patched: {patch}"
    );
    fs::write(tmp.path().join("fix.patch"), &patch).unwrap();
    common::git_ok(&d, &["apply", "--check", "../fix.patch"]);
    let p = Command::new("patch")
        .current_dir(&d)
        .args(["-p1", "--dry-run", "-i", "../fix.patch"])
        .output()
        .unwrap();
    assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stdout));

    let w = run_in(&d, &["--fix", "--write"]);
    assert_ne!(w.status.code(), Some(2), "{}", stderr(&w));
    assert!(fs::symlink_metadata(d.join("debian/rules.d/b.mk"))
        .unwrap()
        .file_type()
        .is_symlink());
    let fixed = fs::read_to_string(d.join("debian/rules.d/a.mk")).unwrap();
    assert!(fixed.contains("KBUILD_BUILD_TIMESTAMP"), "{fixed}");
    common::git_ok(&d, &["apply", "--check", "-R", "../fix.patch"]);
    assert_eq!(
        stdout_of(&run_in(&d, &["--fix"])),
        "",
        "nothing left to fix"
    );
    assert!(temp_files(&d).is_empty());
}

fn stdout_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `ulimit -f` as a shell sets it, SIGXFSZ left at its default (which kills the
/// process mid-write): kpkg-lint ignores the signal, so the write fails with EFBIG
/// and is handled like any write failure: exit 2, nothing of the tree changed, no
/// temporary file left. (Before, the signal killed the run and left them.)
#[cfg(unix)]
#[test]
fn a_shell_file_size_limit_is_a_write_failure() {
    let (_g, dir) = copy_tree(&testdata(EXAMPLE));
    // One block (512 or 1,024 bytes, by shell): below the larger fixed file.
    let o = Command::new("sh")
        .args(["-c", "ulimit -f 1 && exec \"$@\"", "sh"])
        .arg(env!("CARGO_BIN_EXE_kpkg-lint"))
        .args(["--fix", "--write"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{:?}: {err}", o.status);
    assert!(err.contains("File too large"), "{err}");
    assert_same_tree(&dir, &testdata(EXAMPLE));
    assert!(temp_files(&dir).is_empty(), "{:?}", temp_files(&dir));
}

// ------------------------------------------------ all-or-nothing, even killed

/// A tree whose fixes touch many files: `debian/rules` (gains the dpkg includes)
/// and `files` makefiles it includes (each recipe gains the pinned build
/// variables, which need those includes: a fix split across files).
fn many_fixable_files(dir: &Path, files: usize) -> Vec<PathBuf> {
    fs::create_dir_all(dir.join("debian/rules.d")).unwrap();
    let mut rules = String::from("#!/usr/bin/make -f\n");
    let mut rels = vec![PathBuf::from("debian/rules")];
    for i in 0..files {
        rules.push_str(&format!("include debian/rules.d/{i:03}.mk\n"));
        let rel = PathBuf::from(format!("debian/rules.d/{i:03}.mk"));
        fs::write(
            dir.join(&rel),
            format!("build-{i}:\n\t$(MAKE) bindeb-pkg\n"),
        )
        .unwrap();
        rels.push(rel);
    }
    fs::write(dir.join("debian/rules"), rules).unwrap();
    rels
}

/// SIGKILL in the middle of the renames, over and over: every file is always
/// either its old or its new self; a run that only reads then says the tree is
/// partly fixed (exit 2) instead of "No findings" for a half-applied fix; and the
/// next `--fix --write` completes it, says so, and leaves exactly the tree an
/// uninterrupted run gives, with no journal or temporary file left. The kill is
/// timed by the journal appearing (it is written just before the first rename),
/// plus a delay that varies by round.
#[cfg(unix)]
#[test]
fn a_kill_during_the_renames_is_completed_by_the_next_run() {
    const FILES: usize = 40;
    let base = tempfile::tempdir().unwrap();
    let (orig, reference) = (base.path().join("orig"), base.path().join("ref"));
    let rels = many_fixable_files(&orig, FILES);
    common::copy_dir(&orig, &reference);
    let o = run_in(&reference, &["--fix", "--write"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let contents = |root: &Path| -> Vec<Vec<u8>> {
        rels.iter()
            .map(|r| fs::read(root.join(r)).unwrap())
            .collect()
    };
    let (old, new) = (contents(&orig), contents(&reference));
    assert!(old.iter().zip(&new).all(|(a, b)| a != b));

    let mut partial = 0;
    for round in 0..12u64 {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("tree");
        common::copy_dir(&orig, &dir);
        let journal = dir.join(".kpkg-lint-journal");
        let mut child = bin()
            .current_dir(&dir)
            .args(["--fix", "--write"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        let mut seen = false;
        while start.elapsed() < std::time::Duration::from_secs(20) {
            if fs::symlink_metadata(&journal).is_ok() {
                seen = true;
                std::thread::sleep(std::time::Duration::from_micros(round % 6 * 1500));
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
        }
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let now = contents(&dir);
        let mut landed = 0;
        for (i, c) in now.iter().enumerate() {
            assert!(
                *c == old[i] || *c == new[i],
                "round {round}: {} is neither old nor new",
                rels[i].display()
            );
            landed += usize::from(*c == new[i]);
        }
        let interrupted = fs::symlink_metadata(&journal).is_ok();
        if interrupted {
            if landed > 0 && landed < rels.len() {
                partial += 1;
            }
            let o = run_in(&dir, &[]);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "round {round}: {err}");
            assert!(err.contains("partly fixed"), "round {round}: {err}");
            assert_eq!(contents(&dir), now, "a run that only reads changes nothing");
        } else {
            assert!(
                !seen || landed == 0 || landed == rels.len(),
                "round {round}: {landed} of {} files fixed and no journal left",
                rels.len()
            );
        }
        let o = run_in(&dir, &["--fix", "--write"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "round {round}: {err}");
        if interrupted {
            assert!(
                err.contains("completed an interrupted"),
                "round {round}: {err}"
            );
        }
        assert_eq!(contents(&dir), new, "round {round}: not completed: {err}");
        assert!(fs::symlink_metadata(&journal).is_err(), "round {round}");
        if interrupted {
            assert!(
                temp_files(&dir).is_empty(),
                "round {round}: {:?}",
                temp_files(&dir)
            );
        }
    }
    eprintln!("{partial} of 12 kills landed between two renames");
    assert!(
        partial > 0,
        "no kill landed between two renames in 12 rounds: the test did not test"
    );
}
