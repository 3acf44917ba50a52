use super::*;
use std::os::unix::fs::PermissionsExt;

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kpkg-lint."))
        .collect()
}

#[test]
fn keeps_mode_and_refuses_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rules");
    fs::write(&p, "old\n").unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    stage_replace(&p, b"old\n", b"new\n", Some(0o100755))
        .unwrap()
        .commit()
        .unwrap();
    assert_eq!(fs::read_to_string(&p).unwrap(), "new\n");
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o755
    );
    assert!(stage_replace(&p, b"old\n", b"newer\n", Some(0o100755)).is_err());
    assert_eq!(fs::read_to_string(&p).unwrap(), "new\n");
    assert!(leftovers(dir.path()).is_empty());
}

/// A change between staging and committing is caught at the commit, and the
/// staged temporary file is removed.
#[test]
fn commit_checks_the_file_again() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("control");
    fs::write(&p, "old\n").unwrap();
    let staged = stage_replace(&p, b"old\n", b"new\n", Some(0o100644)).unwrap();
    assert_eq!(leftovers(dir.path()).len(), 1);
    fs::write(&p, "someone else's edit\n").unwrap();
    let err = staged.commit().unwrap_err();
    assert!(err.contains("changed on disk"), "{err}");
    assert_eq!(fs::read_to_string(&p).unwrap(), "someone else's edit\n");
    assert!(leftovers(dir.path()).is_empty());
}

/// Dropping staged files (another file of the tree failed) changes nothing.
#[test]
fn dropped_stages_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rules");
    fs::write(&p, "old\n").unwrap();
    let a = stage_replace(&p, b"old\n", b"new\n", None).unwrap();
    let b = stage_new(&dir.path().join("sub/vars.new"), b"x\n", None).unwrap();
    drop((a, b));
    assert_eq!(fs::read_to_string(&p).unwrap(), "old\n");
    assert!(!dir.path().join("sub/vars.new").exists());
    assert!(leftovers(dir.path()).is_empty());
    // The directory made for the new file goes with it.
    assert!(!dir.path().join("sub").exists());
    // One that existed before stays.
    fs::create_dir(dir.path().join("kept")).unwrap();
    drop(stage_new(&dir.path().join("kept/a/b/vars.new"), b"x\n", None).unwrap());
    assert!(dir.path().join("kept").is_dir());
    assert!(!dir.path().join("kept/a").exists());
}

/// A symlinked file is written through its link: the link stays a link.
#[test]
fn writes_through_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("shared")).unwrap();
    fs::create_dir(dir.path().join("tree")).unwrap();
    let real = dir.path().join("shared/rules");
    let link = dir.path().join("tree/rules");
    fs::write(&real, "old\n").unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("../shared/rules", &link).unwrap();
    stage_replace(&link, b"old\n", b"new\n", Some(0o100755))
        .unwrap()
        .commit()
        .unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o755
    );
    assert!(leftovers(&dir.path().join("tree")).is_empty());
    assert!(leftovers(&dir.path().join("shared")).is_empty());
}

/// The jail: a file or directory link out of the tree is refused and named, a
/// new file under a linked directory too; `..` never; links inside are fine.
#[test]
fn the_jail_resolves_inside_the_root_only() {
    let dir = tempfile::tempdir().unwrap();
    let (root, out) = (dir.path().join("tree"), dir.path().join("outside"));
    fs::create_dir_all(root.join("debian/real")).unwrap();
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("victim"), "x").unwrap();
    fs::write(root.join("debian/real/rules"), "x").unwrap();
    std::os::unix::fs::symlink("../../outside", root.join("debian/out")).unwrap();
    std::os::unix::fs::symlink("real", root.join("debian/in")).unwrap();
    std::os::unix::fs::symlink("../../outside/victim", root.join("debian/rules")).unwrap();
    let jail = Jail::new(&root).unwrap();
    let real = fs::canonicalize(&root).unwrap();
    for (rel, link) in [
        ("debian/rules", "debian/rules"),
        ("debian/out/victim", "debian/out"),
    ] {
        let e = jail.existing(rel).unwrap_err();
        assert!(e.contains(&format!("{link} is a symbolic link to ")), "{e}");
    }
    let e = jail.new_file("debian/out/sub/vars.new").unwrap_err();
    assert!(e.contains("debian/out is a symbolic link"), "{e}");
    assert!(jail
        .new_file("debian/../../x")
        .unwrap_err()
        .contains("leaves the tree"));
    assert!(jail
        .existing("/etc/passwd")
        .unwrap_err()
        .contains("leaves the tree"));
    assert_eq!(
        jail.existing("debian/in/rules").unwrap(),
        real.join("debian/real/rules")
    );
    assert_eq!(
        jail.new_file("debian/in/a/b").unwrap(),
        real.join("debian/real/a/b")
    );
}

/// A directory swapped for a link between staging and the rename is caught.
#[test]
fn commit_checks_the_directory_again() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("d")).unwrap();
    fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
    let p = dir.path().join("d/rules");
    fs::write(&p, "old\n").unwrap();
    fs::write(dir.path().join("elsewhere/rules"), "old\n").unwrap();
    let staged = stage_replace(&p, b"old\n", b"new\n", None).unwrap();
    fs::rename(dir.path().join("d"), dir.path().join("d.moved")).unwrap();
    std::os::unix::fs::symlink("elsewhere", dir.path().join("d")).unwrap();
    let e = staged.commit().unwrap_err();
    assert!(e.contains("was replaced"), "{e}");
    assert_eq!(
        fs::read_to_string(dir.path().join("elsewhere/rules")).unwrap(),
        "old\n"
    );
    // Its temporary file stays in the moved directory (inside the tree): it is
    // removed by its name, which now leads elsewhere, where nothing is removed.
    assert_eq!(leftovers(&dir.path().join("d.moved")).len(), 1);
    assert!(leftovers(&dir.path().join("elsewhere")).is_empty());
}

/// New files get what the umask gives a new file, not the 0600 of a temporary
/// file, and never replace a file that appeared after staging.
#[test]
fn new_files_are_readable_and_never_clobber() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("vars.new");
    write_new(&p, b"x\n", None).unwrap();
    let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    // Whatever the umask removes, a new file is at least readable by its
    // group when the umask allows that; the temporary file's 0600 would not be.
    assert_eq!(mode, 0o666 & !current_umask(dir.path()), "{mode:o}");
    assert!(write_new(&p, b"y\n", None).is_err());

    let q = dir.path().join("vars.race");
    let staged = stage_new(&q, b"ours\n", None).unwrap();
    fs::write(&q, "theirs\n").unwrap();
    let err = staged.commit().unwrap_err();
    assert!(err.contains("appeared on disk"), "{err}");
    assert_eq!(fs::read_to_string(&q).unwrap(), "theirs\n");
    assert!(leftovers(dir.path()).is_empty());
}

/// The umask in effect, read off a file created the plain way.
fn current_umask(dir: &Path) -> u32 {
    use std::os::unix::fs::OpenOptionsExt;
    let probe = dir.join("umask-probe");
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o666)
        .open(&probe)
        .unwrap();
    let mode = fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    fs::remove_file(probe).unwrap();
    0o666 & !mode
}
