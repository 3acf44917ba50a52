//! Writing fixed files in place, in two phases so a failure leaves nothing half done.
//!
//! Phase one ([`stage_replace`], [`stage_new`]) writes each new content to a temporary
//! file beside its target and syncs it: this is where a full disk, a quota or a
//! read-only directory shows up, and when it does the staged files are dropped (their
//! temporary files are removed) and nothing on disk has changed. Phase two
//! ([`Staged::commit`]) renames each temporary file over its target, which needs no
//! space, so a tree's fixes land together or not at all.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::discover::io_message;

/// A file's new content, written and synced beside it, not yet in place.
pub struct Staged {
    /// Where the content goes: the file itself, or for a symlink the file it points at.
    target: PathBuf,
    tmp: tempfile::NamedTempFile,
    /// What was linted, for a file that exists: if the file no longer holds this, it
    /// changed on disk since and is not replaced.
    expected: Option<Vec<u8>>,
}

/// Stage new content for an existing file. `expected` is what was linted: if the file
/// changed since, nothing is staged. The new file keeps `mode`'s permission bits and,
/// where the process may set it, the old file's owner and group.
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
    let mut staged = stage(&target, content, None)?;
    let tmp = staged.tmp.path();
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if let Some(mode) = mode {
            fs::set_permissions(tmp, fs::Permissions::from_mode(mode & 0o7777))
                .map_err(|e| format!("cannot set permissions: {}", io_message(&e)))?;
        }
        // Keep the owner when it differs from ours (root fixing a user's tree); only a
        // privileged process may, and for anyone else the rename below gives the file
        // to whoever wrote it, as every editor does.
        if let (Ok(old), Ok(new)) = (fs::metadata(&target), fs::metadata(tmp)) {
            if (old.uid(), old.gid()) != (new.uid(), new.gid()) {
                let _ = std::os::unix::fs::chown(tmp, Some(old.uid()), Some(old.gid()));
                // chown clears set-id bits: put the mode back.
                if let Some(mode) = mode {
                    let _ = fs::set_permissions(tmp, fs::Permissions::from_mode(mode & 0o7777));
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = mode;
    staged.expected = Some(expected.to_vec());
    Ok(staged)
}

/// Stage a file that does not exist yet. Its mode is `mode`, or for `None` what the
/// user's umask gives a new file (`0666 & !umask`, usually 0644), like any editor.
pub fn stage_new(path: &Path, content: &[u8], mode: Option<u32>) -> Result<Staged, String> {
    if fs::symlink_metadata(path).is_ok() {
        return Err("already exists; not overwritten".into());
    }
    let dir = parent_dir(path);
    fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create {}: {}", dir.display(), io_message(&e)))?;
    let staged = stage(path, content, Some(mode.unwrap_or(0o666)))?;
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(staged.tmp.path(), fs::Permissions::from_mode(mode & 0o7777))
            .map_err(|e| format!("cannot set permissions: {}", io_message(&e)))?;
    }
    Ok(staged)
}

impl Staged {
    /// Put the staged content in place. A replaced file is checked once more right
    /// before the rename; a new file is never put over one that appeared meanwhile.
    pub fn commit(self) -> Result<(), String> {
        match &self.expected {
            Some(expected) => {
                check_unchanged(&self.target, expected)?;
                self.tmp
                    .persist(&self.target)
                    .map_err(|e| format!("cannot replace the file: {}", io_message(&e.error)))?;
            }
            None => {
                self.tmp.persist_noclobber(&self.target).map_err(|e| {
                    if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                        "appeared on disk while kpkg-lint was running; not overwritten".into()
                    } else {
                        format!("cannot create the file: {}", io_message(&e.error))
                    }
                })?;
            }
        }
        // The rename is atomic; syncing the directory makes it durable too, so a
        // crash right after cannot bring the old name back. Not every platform or
        // file system can sync a directory: the rename has happened either way.
        if let Ok(dir) = fs::File::open(parent_dir(&self.target)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// Write a file now: stage it and commit it.
pub fn write_new(path: &Path, content: &[u8], mode: Option<u32>) -> Result<(), String> {
    stage_new(path, content, mode)?.commit()
}

fn stage(target: &Path, content: &[u8], create_mode: Option<u32>) -> Result<Staged, String> {
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
    tmp.as_file()
        .sync_all()
        .map_err(|e| format!("cannot sync: {}", io_message(&e)))?;
    Ok(Staged {
        target: target.to_path_buf(),
        tmp,
        expected: None,
    })
}

fn check_unchanged(target: &Path, expected: &[u8]) -> Result<(), String> {
    let current = fs::read(target).map_err(|e| io_message(&e))?;
    if current != expected {
        return Err("changed on disk while kpkg-lint was running; not rewritten".into());
    }
    Ok(())
}

/// The file a path names, following symlinks (so the rename replaces the file, not
/// the link); a plain file is itself.
fn resolve_symlink(path: &Path) -> Result<PathBuf, String> {
    let meta = fs::symlink_metadata(path).map_err(|e| io_message(&e))?;
    if !meta.file_type().is_symlink() {
        return Ok(path.to_path_buf());
    }
    fs::canonicalize(path)
        .map_err(|e| format!("cannot follow the symbolic link: {}", io_message(&e)))
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
        assert!(leftovers(&dir.path().join("sub")).is_empty());
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
