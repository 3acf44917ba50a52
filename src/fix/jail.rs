//! The tree is a jail: every file `--write` writes or creates must resolve
//! inside the tree's root, and a symbolic link that leads out of it is never
//! written through.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::source::io_message;

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

/// The file a path names, as one canonical path: symlinks followed (so the rename
/// replaces the file, not the link), and two names of one file the same path (so a
/// tree that reaches a file twice writes it once).
pub(super) fn resolve_symlink(path: &Path) -> Result<PathBuf, String> {
    fs::canonicalize(path).map_err(|e| {
        let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            format!("cannot follow the symbolic link: {}", io_message(&e))
        } else {
            io_message(&e)
        }
    })
}
