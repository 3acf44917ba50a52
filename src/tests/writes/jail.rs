//! The tree is a jail (issue 16): `--fix --write` and `--patch-dir` never write
//! through a symbolic link that leads out of the tree, while links that stay
//! inside it are written through.

use super::common::{self, copy_tree, run_in, stderr, temp_files, testdata};
use super::{fixed_reference, EXAMPLE, LARGE, SMALL};
use std::fs;
use std::path::{Path, PathBuf};

/// Every file under `dir` with its bytes: the victim's checksum, byte for byte.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    common::walk(dir)
        .into_iter()
        .map(|p| (p.clone(), fs::read(&p).unwrap()))
        .collect()
}

/// Move `rel` of the tree to `outside/<name>` and leave a symbolic link `link_to`
/// in its place.
#[cfg(unix)]
fn move_out(tree: &Path, rel: &str, to: &Path, link_to: &str) {
    fs::create_dir_all(to.parent().unwrap()).unwrap();
    fs::rename(tree.join(rel), to).unwrap();
    std::os::unix::fs::symlink(link_to, tree.join(rel)).unwrap();
}

/// One hostile tree: `fixture` copied to `<tmp>/tree`, then `setup` moves some of
/// it to `<tmp>/outside` behind a symbolic link. `--fix --write` must leave every
/// byte outside the tree as it was, create nothing there, refuse with exit 2 and
/// a message naming the link, and change nothing in the tree either (its fixes
/// land together or not at all).
#[cfg(unix)]
fn assert_jailed(fixture: &str, args: &[&str], link: &str, setup: impl FnOnce(&Path, &Path)) {
    let (guard, tree) = copy_tree(&testdata(fixture));
    let outside = guard.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    setup(&tree, &outside);
    let victim = snapshot(&outside);
    assert!(!victim.is_empty());
    let inside = snapshot(&tree);
    let mut all = vec!["--fix", "--write"];
    all.extend(args);
    let o = run_in(&tree, &all);
    let err = stderr(&o);
    assert_eq!(
        snapshot(&outside),
        victim,
        "{fixture}, {link}: written outside the tree: {err}"
    );
    // Two guards: discovery does not read through a link out of the tree (so
    // there is nothing of it to fix, and the link is a malformed-file finding),
    // and should a file behind one be read, --write refuses it (exit 2).
    if o.status.code() == Some(2) {
        assert!(
            err.contains(&format!("{link} is a symbolic link")) && err.contains("out of the tree"),
            "{fixture}, {link}: the message names the link: {err}"
        );
    } else {
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{fixture}, {link}: {err}"
        );
        let lint = run_in(
            &tree,
            &["--select", "malformed-file", "--format", "concise"],
        );
        let found = String::from_utf8_lossy(&lint.stdout).into_owned();
        assert!(
            found.lines().any(|l| l.contains("outside the tree")),
            "{fixture}, {link}: the link is reported when it is not read: {found}"
        );
    }
    assert_eq!(
        snapshot(&tree),
        inside,
        "{fixture}, {link}: the tree changed part-way"
    );
    assert!(
        temp_files(guard.path()).is_empty(),
        "{:?}",
        temp_files(guard.path())
    );
}

/// A `debian/rules` that is a link to a file outside the tree, directly or
/// through a chain of links inside it.
#[cfg(unix)]
#[test]
fn write_never_follows_a_file_link_out_of_the_tree() {
    let sel = ["--select", "parallel"];
    assert_jailed("parallel/custom-j1/in", &sel, "debian/rules", |t, o| {
        move_out(t, "debian/rules", &o.join("rules"), "../../outside/rules");
    });
    // debian/rules → debian/rules.real (inside) → ../../outside/rules.
    assert_jailed(
        "parallel/custom-j1/in",
        &sel,
        "debian/rules.real",
        |t, o| {
            move_out(t, "debian/rules", &o.join("rules"), "rules.real");
            std::os::unix::fs::symlink("../../outside/rules", t.join("debian/rules.real")).unwrap();
        },
    );
    // An included makefile, and the example's other fixed file (kernel/rules)
    // held back with it.
    assert_jailed(EXAMPLE, &[], LARGE, |t, o| {
        move_out(
            t,
            LARGE,
            &o.join("common.mk"),
            "../../../../outside/common.mk",
        );
    });
}

/// A `debian/`, a `debian.<branch>/`, a ruleset directory that is a link out of
/// the tree; and a fix that would create a new file under such a directory.
#[cfg(unix)]
#[test]
fn write_never_follows_a_directory_link_out_of_the_tree() {
    assert_jailed(
        "parallel/custom-j1/in",
        &["--select", "parallel"],
        "debian",
        |t, o| {
            move_out(t, "debian", &o.join("debian"), "../outside/debian");
        },
    );
    assert_jailed(EXAMPLE, &[], "kernel/ruleset", |t, o| {
        move_out(
            t,
            "kernel/ruleset",
            &o.join("ruleset"),
            "../../outside/ruleset",
        );
    });
    let new_file = ["--unsafe-fixes", "--select", "flavour"];
    assert_jailed(
        "flavour/ubuntu-missing-vars/in",
        &new_file,
        "debian.master",
        |t, o| {
            move_out(
                t,
                "debian.master",
                &o.join("debian.master"),
                "../outside/debian.master",
            );
        },
    );
    // (The fix there creates debian.master/control.d/vars.tickless: a new file
    // under a linked directory is refused too. src/fix/write/tests.rs tests the same
    // for a linked directory deeper down, which discovery does not read through.)
}

/// A link that stays inside the tree is written through: the file it points at
/// gets the fix and the link stays a link, for a file and for a directory.
#[cfg(unix)]
#[test]
fn write_follows_links_that_stay_inside_the_tree() {
    let (_r, reference) = fixed_reference();
    let (_g, dir) = copy_tree(&testdata(EXAMPLE));
    move_out(&dir, SMALL, &dir.join("shared/rules"), "../shared/rules");
    move_out(
        &dir,
        "kernel/ruleset",
        &dir.join("shared/ruleset"),
        "../shared/ruleset",
    );
    let o = run_in(&dir, &["--fix", "--write"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for link in [SMALL, "kernel/ruleset"] {
        let meta = fs::symlink_metadata(dir.join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} is still a link");
    }
    assert_eq!(
        fs::read(dir.join("shared/rules")).unwrap(),
        fs::read(reference.join(SMALL)).unwrap()
    );
    assert_eq!(
        fs::read(dir.join("shared/ruleset/targets/common.mk")).unwrap(),
        fs::read(reference.join(LARGE)).unwrap()
    );
    assert!(temp_files(&dir).is_empty());
}

/// `--patch-dir` names a directory the user chose, but a link inside the tree
/// that leads out of it (`patches -> ../outside`) is the tree's choice: refused,
/// exit 2, nothing created out there. (Before, the mails were written through it.)
/// A mail's own name is never followed either: new files never replace anything.
#[cfg(unix)]
#[test]
fn patch_dir_never_follows_a_tree_link_out_of_it() {
    let (guard, tree) = copy_tree(&testdata("parallel/custom-j1/in"));
    let outside = guard.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink("../outside", tree.join("patches")).unwrap();
    let o = run_in(
        &tree,
        &["--fix", "--patch-dir", "patches", "--select", "parallel"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("patches is a symbolic link in the tree"),
        "{err}"
    );
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0, "{err}");
    // A directory of the user's own outside the tree is fine, and a planted
    // link with a mail's name is not written through.
    let mails = guard.path().join("mails");
    fs::create_dir_all(&mails).unwrap();
    fs::write(outside.join("victim"), "v").unwrap();
    let name = "0001-kpkg-lint-unnecessary-dh-parallel.patch";
    std::os::unix::fs::symlink("../outside/victim", mails.join(name)).unwrap();
    let args = [
        "--fix",
        "--patch-dir",
        mails.to_str().unwrap(),
        "--select",
        "parallel",
    ];
    let o = run_in(&tree, &args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(outside.join("victim")).unwrap(), "v");
}
