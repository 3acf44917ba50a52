//! Writing fixed files in place, in two phases so a failure leaves nothing half done.
//!
//! Phase one ([`stage_replace`], [`stage_new`]) writes each new content to a temporary
//! file beside its target and syncs it: this is where a full disk, a quota or a
//! read-only directory shows up, and when it does the staged files are dropped (their
//! temporary files are removed) and nothing on disk has changed. Before phase two the
//! caller checks every staged target is still as it was linted ([`Staged::check`]);
//! phase two ([`Staged::commit`]) then renames each temporary file over its target,
//! which needs no space, so a tree's fixes land together or not at all.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::journal::{self, Digest};
use crate::source::{display_path, io_message, FileId};
use crate::tree::Tree;

/// A tree's root, resolved: every file `--write` writes or creates must resolve
/// inside it. A symbolic link that stays inside the tree is written through (the
/// file it points at changes, as editors do); one that leads out of it is never
/// followed for writing, and the tree is not written at all.
pub struct Jail {
    /// The root as the run knows it (maybe relative).
    given: PathBuf,
    /// The root with every link resolved.
    real: PathBuf,
}

impl Jail {
    pub fn new(root: &Path) -> Result<Jail, String> {
        let real = fs::canonicalize(root).map_err(|e| io_message(&e))?;
        Ok(Jail {
            given: root.to_path_buf(),
            real,
        })
    }

    /// The root, every link resolved.
    pub fn real_root(&self) -> &Path {
        &self.real
    }

    /// The file an existing file of the tree (`rel` below the root) resolves to,
    /// which must be inside the tree.
    pub fn existing(&self, rel: &str) -> Result<PathBuf, String> {
        if !plain_relative(Path::new(rel)) {
            return Err(LEAVES.into());
        }
        let target = resolve_symlink(&self.given.join(rel))?;
        if target.starts_with(&self.real) {
            Ok(target)
        } else {
            Err(self.escape(Path::new(rel), &target))
        }
    }

    /// Where a file the fix creates at `rel` goes: its existing directories
    /// resolved, inside the tree; the directories still to make hold no link.
    pub fn new_file(&self, rel: &str) -> Result<PathBuf, String> {
        let rel = Path::new(rel);
        if !plain_relative(rel) {
            return Err(LEAVES.into());
        }
        let parts: Vec<Component> = rel.components().collect();
        let mut base = self.given.clone();
        let mut found = 0;
        for c in &parts {
            let next = base.join(c);
            if fs::symlink_metadata(&next).is_err() {
                break;
            }
            base = next;
            found += 1;
        }
        if found == parts.len() {
            return Err("already exists; not overwritten".into());
        }
        let real = fs::canonicalize(&base)
            .map_err(|e| format!("cannot resolve {}: {}", base.display(), io_message(&e)))?;
        if !real.starts_with(&self.real) {
            let upto: PathBuf = parts[..found].iter().collect();
            return Err(self.escape(&upto, &real));
        }
        Ok(parts[found..].iter().fold(real, |p, c| p.join(c)))
    }

    /// Why a path resolving to `target` out of the tree is not written: the first
    /// link on the way, named.
    fn escape(&self, rel: &Path, target: &Path) -> String {
        let mut p = PathBuf::new();
        for c in rel.components() {
            p.push(c);
            let full = self.given.join(&p);
            if fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
                let to = fs::read_link(&full)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                return format!(
                    "not written: {} is a symbolic link to {to}, which leads out of the tree (to {}); kpkg-lint never writes outside the tree",
                    p.display(),
                    target.display()
                );
            }
        }
        format!(
            "not written: it resolves out of the tree (to {}); kpkg-lint never writes outside the tree",
            target.display()
        )
    }
}

/// For `--patch-dir`: the directory is the user's to choose, anywhere, but a
/// symbolic link that lies inside one of the linted trees (`roots`, resolved) and
/// leads out of it is the tree's choice, not the user's: named here, and nothing
/// is written through it.
pub fn tree_link_out(roots: &[PathBuf], dir: &Path) -> Option<String> {
    let abs = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(dir)
    };
    let mut p = PathBuf::new();
    for c in abs.components() {
        p.push(c);
        let Ok(meta) = fs::symlink_metadata(&p) else {
            return None;
        };
        if !meta.file_type().is_symlink() {
            continue;
        }
        let at = match (p.parent().map(fs::canonicalize), p.file_name()) {
            (Some(Ok(parent)), Some(name)) => parent.join(name),
            _ => continue,
        };
        let to = fs::canonicalize(&p).unwrap_or_else(|_| PathBuf::from("?"));
        if let Some(root) = roots
            .iter()
            .find(|r| at.starts_with(r) && !to.starts_with(r))
        {
            return Some(format!(
                "{} is a symbolic link in the tree {} that leads out of it (to {}); not written through",
                p.display(),
                root.display(),
                to.display()
            ));
        }
    }
    None
}

const LEAVES: &str = "not written: its name leaves the tree (`..` or an absolute path)";

/// Only plain names: no `..`, no root, no `.`.
fn plain_relative(rel: &Path) -> bool {
    rel.components().all(|c| matches!(c, Component::Normal(_))) && !rel.as_os_str().is_empty()
}

/// A file's new content, written and synced beside it, not yet in place. Dropped
/// without [`Staged::commit`], it removes its temporary file and any directory it
/// created.
pub struct Staged {
    /// Where the content goes: the file itself, or for a symlink the file it points at.
    target: PathBuf,
    /// The temporary file, closed (a tree may stage many files); `None` once committed.
    tmp: Option<tempfile::TempPath>,
    /// What was linted, for a file that exists: if the file no longer holds this, it
    /// changed on disk since and is not replaced.
    expected: Option<Vec<u8>>,
    /// Directories created for a new file, deepest first.
    created_dirs: Vec<PathBuf>,
    /// The target's directory as it resolved when staging: a directory swapped for
    /// a symbolic link before the commit is caught there.
    dir_real: PathBuf,
    /// What the target gets, for the journal.
    new: Digest,
}

/// Stage new content for an existing file. `expected` is what was linted: if the file
/// changed since, nothing is staged. The new file keeps `mode`'s permission bits and,
/// where the process may set them, the old file's owner and group.
///
/// A symlink is written through, as editors do: the file it points at gets the new
/// content and the link stays a link.
pub fn stage_replace(
    path: &Path,
    expected: &[u8],
    content: &[u8],
    mode: Option<u32>,
) -> Result<Staged, String> {
    let target = resolve_symlink(path)?;
    check_unchanged(&target, expected)?;
    let tmp = write_temp(&target, content, None)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let set_mode = |p: &Path| match mode {
            Some(mode) => fs::set_permissions(p, fs::Permissions::from_mode(mode & 0o7777))
                .map_err(|e| format!("cannot set permissions: {}", io_message(&e))),
            None => Ok(()),
        };
        set_mode(tmp.path())?;
        // Keep the owner when it differs from ours (root fixing a user's tree); only a
        // privileged process may, and for anyone else the rename below gives the file
        // to whoever wrote it, as every editor does. The group alone may be allowed.
        if let (Ok(old), Ok(new)) = (fs::metadata(&target), fs::metadata(tmp.path())) {
            if (old.uid(), old.gid()) != (new.uid(), new.gid()) {
                if std::os::unix::fs::chown(tmp.path(), Some(old.uid()), Some(old.gid())).is_err() {
                    let _ = std::os::unix::fs::chown(tmp.path(), None, Some(old.gid()));
                }
                // chown clears set-id bits: put the mode back.
                set_mode(tmp.path())?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(Staged {
        dir_real: real_dir(&target)?,
        target,
        tmp: Some(sync_and_close(tmp)?),
        expected: Some(expected.to_vec()),
        created_dirs: Vec::new(),
        new: Digest::of(content),
    })
}

/// Stage a file that does not exist yet. Its mode is `mode`, or for `None` what the
/// user's umask gives a new file (`0666 & !umask`, usually 0644), like any editor.
pub fn stage_new(path: &Path, content: &[u8], mode: Option<u32>) -> Result<Staged, String> {
    if fs::symlink_metadata(path).is_ok() {
        return Err("already exists; not overwritten".into());
    }
    let dir = parent_dir(path);
    let created_dirs: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && fs::symlink_metadata(d).is_err())
        .map(Path::to_path_buf)
        .collect();
    fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create {}: {}", dir.display(), io_message(&e)))?;
    let mut staged = Staged {
        target: path.to_path_buf(),
        tmp: None,
        expected: None,
        created_dirs,
        dir_real: PathBuf::new(),
        new: Digest::of(content),
    };
    // From here on, dropping `staged` on an error removes the directories.
    staged.dir_real = real_dir(path)?;
    let tmp = write_temp(path, content, Some(mode.unwrap_or(0o666)))?;
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode & 0o7777))
            .map_err(|e| format!("cannot set permissions: {}", io_message(&e)))?;
    }
    staged.tmp = Some(sync_and_close(tmp)?);
    Ok(staged)
}

impl Staged {
    /// The file the content goes to (a symlink resolved).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The journal's line for this file, paths relative to `root` (resolved).
    fn journal_entry(&self, root: &Path) -> Result<journal::Entry, String> {
        let rel = |p: &Path| {
            p.strip_prefix(root)
                .map(Path::to_path_buf)
                .map_err(|_| format!("{} is not inside {}", p.display(), root.display()))
        };
        let tmp = self.tmp.as_ref().expect("staged content");
        let name = tmp.file_name().unwrap_or_default();
        Ok(journal::Entry {
            tmp: rel(&self.dir_real.join(name))?,
            target: rel(&self
                .dir_real
                .join(self.target.file_name().unwrap_or_default()))?,
            old: self.expected.as_deref().map(Digest::of),
            new: self.new,
        })
    }

    /// Whether the target is still as it was linted (for a new file: still absent).
    pub fn check(&self) -> Result<(), String> {
        match &self.expected {
            Some(expected) => check_unchanged(&self.target, expected),
            None if fs::symlink_metadata(&self.target).is_ok() => {
                Err("appeared on disk while kpkg-lint was running; not overwritten".into())
            }
            None => Ok(()),
        }
    }

    /// Put the staged content in place. A replaced file is checked once more right
    /// before the rename; a new file is never put over one that appeared meanwhile.
    pub fn commit(mut self) -> Result<(), String> {
        // The directory must still be the one staged into: a directory replaced by
        // a symbolic link since would take the rename somewhere else.
        if real_dir(&self.target).ok().as_ref() != Some(&self.dir_real) {
            return Err(format!(
                "its directory {} was replaced (by a symbolic link?) while kpkg-lint was running; not written",
                parent_dir(&self.target).display()
            ));
        }
        let tmp = self.tmp.take().expect("staged content");
        match &self.expected {
            Some(expected) => {
                if let Err(e) = check_unchanged(&self.target, expected) {
                    self.tmp = Some(tmp);
                    return Err(e);
                }
                tmp.persist(&self.target)
                    .map_err(|e| format!("cannot replace the file: {}", io_message(&e.error)))?;
            }
            None => {
                tmp.persist_noclobber(&self.target).map_err(|e| {
                    if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                        "appeared on disk while kpkg-lint was running; not overwritten".into()
                    } else {
                        format!("cannot create the file: {}", io_message(&e.error))
                    }
                })?;
            }
        }
        self.created_dirs.clear();
        // The rename is atomic; syncing the directory makes it durable too, so a
        // crash right after cannot bring the old name back. Not every platform or
        // file system can sync a directory: the rename has happened either way.
        if let Ok(dir) = fs::File::open(parent_dir(&self.target)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // The temporary file first (TempPath removes it), then the directories that
        // were made for it, if they are still empty.
        drop(self.tmp.take());
        for d in &self.created_dirs {
            let _ = fs::remove_dir(d);
        }
    }
}

/// Write a file now: stage it and commit it.
pub fn write_new(path: &Path, content: &[u8], mode: Option<u32>) -> Result<(), String> {
    stage_new(path, content, mode)?.commit()
}

/// The content in a temporary file beside `target`, not yet synced.
fn write_temp(
    target: &Path,
    content: &[u8],
    create_mode: Option<u32>,
) -> Result<tempfile::NamedTempFile, String> {
    let dir = parent_dir(target);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kpkg-lint.");
    #[cfg(unix)]
    if let Some(mode) = create_mode {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = create_mode;
    let mut tmp = builder.tempfile_in(dir).map_err(|e| {
        format!(
            "cannot create a temporary file in {}: {}",
            dir.display(),
            io_message(&e)
        )
    })?;
    // On error `tmp` is dropped, which removes the partial temporary file.
    tmp.write_all(content)
        .and_then(|()| tmp.flush())
        .map_err(|e| format!("cannot write: {}", io_message(&e)))?;
    Ok(tmp)
}

/// Sync content and metadata (mode, owner), then close the file, keeping its path.
fn sync_and_close(tmp: tempfile::NamedTempFile) -> Result<tempfile::TempPath, String> {
    tmp.as_file()
        .sync_all()
        .map_err(|e| format!("cannot sync: {}", io_message(&e)))?;
    Ok(tmp.into_temp_path())
}

fn check_unchanged(target: &Path, expected: &[u8]) -> Result<(), String> {
    let current = fs::read(target).map_err(|e| io_message(&e))?;
    if current != expected {
        return Err("changed on disk while kpkg-lint was running; not rewritten".into());
    }
    Ok(())
}

/// The file a path names, as one canonical path: symlinks followed (so the rename
/// replaces the file, not the link), and two names of one file the same path (so a
/// tree that reaches a file twice writes it once).
fn resolve_symlink(path: &Path) -> Result<PathBuf, String> {
    fs::canonicalize(path).map_err(|e| {
        let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            format!("cannot follow the symbolic link: {}", io_message(&e))
        } else {
            io_message(&e)
        }
    })
}

/// The directory of `path`, all links resolved.
fn real_dir(path: &Path) -> Result<PathBuf, String> {
    let dir = parent_dir(path);
    fs::canonicalize(dir)
        .map_err(|e| format!("cannot resolve {}: {}", dir.display(), io_message(&e)))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

#[cfg(all(test, unix))]
mod tests {
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
}
/// Why a tree's fixes were not all written: the files written anyway (ids in the
/// fixed tree; only when committing failed part-way) and one problem per file.
pub struct WriteFailure {
    pub committed: Vec<FileId>,
    pub problems: Vec<(String, String)>,
}

/// Write one tree's fixed files in two phases: every file is staged (written and
/// synced beside its target) and checked unchanged before any is renamed into
/// place. A full disk or an unwritable directory fails the staging, and then
/// nothing in the tree changes: its fixes land together or not at all. Only a file
/// changed in the moment between the checks and its rename can still stop the
/// commit part-way; that is reported as such. Returns how many files were written.
pub fn write_tree(before: &Tree, after: &Tree) -> Result<usize, WriteFailure> {
    let mut staged: Vec<(FileId, Staged)> = Vec::new();
    let mut problems = Vec::new();
    let changes = after.files.iter().enumerate().any(|(id, f)| {
        before
            .files
            .get(id)
            .is_none_or(|old| old.bytes() != f.bytes())
    });
    if !changes {
        return Ok(0);
    }
    let jail = Jail::new(&before.root).map_err(|e| WriteFailure {
        committed: Vec::new(),
        problems: vec![(display_root(before), e)],
    })?;
    for (id, f) in after.files.iter().enumerate() {
        let result = match before.files.get(id) {
            Some(old) if old.bytes() != f.bytes() => jail
                .existing(&old.rel)
                .and_then(|t| stage_replace(&t, old.bytes(), f.bytes(), old.mode)),
            None => jail
                .new_file(&f.rel)
                .and_then(|t| stage_new(&t, f.bytes(), None)),
            _ => continue,
        };
        match result {
            Ok(s) => staged.push((id, s)),
            Err(e) => problems.push((f.display.clone(), e)),
        }
    }
    // Two files of the tree can be one file on disk (a symlinked arch file shared
    // by two branch directories): write it once, and only if both agree.
    let mut unique: Vec<(FileId, Staged)> = Vec::new();
    for (id, s) in staged {
        match unique.iter().find(|(_, u)| u.target() == s.target()) {
            None => unique.push((id, s)),
            Some((first, _)) if after.files[*first].bytes() == after.files[id].bytes() => {}
            Some((first, _)) => problems.push((
                after.files[id].display.clone(),
                format!(
                    "is the same file on disk as {} (a symbolic link), and their fixes differ",
                    after.files[*first].display
                ),
            )),
        }
    }
    let mut changed = 0;
    if problems.is_empty() {
        for (id, s) in &unique {
            if let Err(e) = s.check() {
                problems.push((after.files[*id].display.clone(), e));
                changed += 1;
            }
        }
    }
    if !problems.is_empty() {
        let others = unique.len() - changed;
        if others > 0 {
            problems.push((
                display_root(before),
                format!(
                    "not written: its {others} other fixed file{} held back, so no fix is left half applied",
                    if others == 1 { " is" } else { "s are" }
                ),
            ));
        }
        // Dropping the staged files removes their temporary files.
        return Err(WriteFailure {
            committed: Vec::new(),
            problems,
        });
    }
    // The journal, before the first rename: a run killed among the renames
    // leaves it, and the next run completes the tree (src/fix/journal.rs).
    let journal = match unique
        .iter()
        .map(|(_, s)| s.journal_entry(jail.real_root()))
        .collect::<Result<Vec<_>, _>>()
        .and_then(|entries| journal::begin(jail.real_root(), &entries))
    {
        Ok(j) => j,
        Err(e) => {
            problems.push((display_root(before), e));
            problems.push((
                display_root(before),
                format!(
                    "not written: its {} fixed file{} held back, so no fix is left half applied",
                    unique.len(),
                    if unique.len() == 1 { " is" } else { "s are" }
                ),
            ));
            return Err(WriteFailure {
                committed: Vec::new(),
                problems,
            });
        }
    };
    let mut committed = Vec::new();
    for (id, s) in unique {
        match s.commit() {
            Ok(()) => committed.push(id),
            Err(e) => problems.push((after.files[id].display.clone(), e)),
        }
    }
    journal.finish();
    if problems.is_empty() {
        Ok(committed.len())
    } else {
        if !committed.is_empty() {
            problems.push((
                display_root(before),
                format!(
                    "partly fixed: {} file{} written before this; run `kpkg-lint --fix --write` again",
                    committed.len(),
                    if committed.len() == 1 { " was" } else { "s were" }
                ),
            ));
        }
        Err(WriteFailure {
            committed,
            problems,
        })
    }
}

fn display_root(tree: &Tree) -> String {
    display_path(&tree.root)
}
