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
use std::path::{Path, PathBuf};

use super::journal::{self, Digest};
use crate::source::{display_path, io_message, FileId};
use crate::tree::Tree;

use super::jail::resolve_symlink;
pub use super::jail::{tree_link_out, Jail};

#[cfg(all(test, unix))]
mod tests;

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
